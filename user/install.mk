# `make install` (PREFIX, DESTDIR): evld in sbin, the tools in bin, the man pages, the systemd
# unit, the sysusers entry for the `evl` user, and the example config as
# /etc/evl/evld.conf.example (never over a live config: its existence starts the unit).
# The Debian package (debian/rules) uses the same rule with Debian's paths.
BINDIR      ?= $(PREFIX)/bin
SBINDIR     ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
SYSCONFDIR  ?= /etc
EXAMPLE_CONF ?= $(SYSCONFDIR)/evl/evld.conf.example

DAEMONS := $(filter %/evld,$(BINS))
TOOLBINS := $(filter-out %/evld,$(BINS))

install: $(BINS) $(MANS)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(dir $(EXAMPLE_CONF))
	$(Q)for f in $(TOOLBINS); do install -m 0755 $$f $(DESTDIR)$(BINDIR)/ || exit; done
	$(Q)for f in $(DAEMONS); do install -m 0755 $$f $(DESTDIR)$(SBINDIR)/ || exit; done
	$(Q)for f in $(MANS); do s=$${f##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s && \
		install -m 0644 $$f $(DESTDIR)$(MANDIR)/man$$s/ || exit; done
	$(Q)sed 's|@BINDIR@|$(SBINDIR)|g' user/evld/evld.service > $(B)/evld.service
	$(Q)install -m 0644 $(B)/evld.service $(DESTDIR)$(UNITDIR)/evld.service
	$(Q)install -m 0644 user/evld/evl.sysusers $(DESTDIR)$(SYSUSERSDIR)/evl.conf
	$(Q)install -m 0644 examples/evld.conf $(DESTDIR)$(EXAMPLE_CONF)

uninstall:
	$(Q)rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOLBINS))) \
		$(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(DAEMONS))) \
		$(foreach m,$(MANS),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
		$(DESTDIR)$(UNITDIR)/evld.service $(DESTDIR)$(SYSUSERSDIR)/evl.conf \
		$(DESTDIR)$(EXAMPLE_CONF)

.PHONY: install uninstall
