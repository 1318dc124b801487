# `make install` (PREFIX, DESTDIR): binaries, the systemd unit, the sysusers entry for the
# `evl` user, and the example config as /etc/evl/evld.conf.example (never over a live config).
BINDIR      ?= $(PREFIX)/bin
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
SYSCONFDIR  ?= /etc

install: $(BINS)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	$(Q)install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/evl
	$(Q)for f in $(BINS); do install -m 0755 $$f $(DESTDIR)$(BINDIR)/ || exit; done
	$(Q)sed 's|@BINDIR@|$(BINDIR)|g' user/evld/evld.service > $(B)/evld.service
	$(Q)install -m 0644 $(B)/evld.service $(DESTDIR)$(UNITDIR)/evld.service
	$(Q)install -m 0644 user/evld/evl.sysusers $(DESTDIR)$(SYSUSERSDIR)/evl.conf
	$(Q)install -m 0644 examples/evld.conf $(DESTDIR)$(SYSCONFDIR)/evl/evld.conf.example

uninstall:
	$(Q)rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(BINS))) \
		$(DESTDIR)$(UNITDIR)/evld.service $(DESTDIR)$(SYSUSERSDIR)/evl.conf \
		$(DESTDIR)$(SYSCONFDIR)/evl/evld.conf.example

.PHONY: install uninstall
