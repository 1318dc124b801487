# The qemu + mac80211_hwsim test bed (tests/vm/README.md has the details).
#   make vmtest                           every scenario in tests/vm/scenarios/, one VM each
#   make vmtest VMTEST=10-baseline-radar  just these (space-separated names)
#   make vmtest VM_KERNEL=6.12            on another Debian kernel line (default 6.1)
VMTEST ?=
VM_KERNEL ?= 6.1

$(B)/vm/bin/vm-ctrl: tests/vm/vm-ctrl.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< -o $@

$(B)/vm/bin/vm-nldump: tests/vm/vm-nldump.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< -o $@ $(PKG_LIBS)

$(B)/vm/bin/nl-capture: tests/vm/nl-capture.c $(LIB)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< $(LIB) $(LDLIBS) -o $@

vmtest: $(B)/vm/bin/vm-ctrl $(B)/vm/bin/vm-nldump $(B)/vm/bin/nl-capture
	$(Q)scripts/deps.sh vm
	$(Q)$(MAKE) --no-print-directory all
	$(Q)VM_BUILD=$(B) VM_KERNEL=$(VM_KERNEL) tests/vm/run.sh $(VMTEST)

.PHONY: vmtest
