# libFuzzer targets for every parser of outside input (docs/fuzz.md).
#   tests/fuzz/fuzz_NAME.c   -> build/fuzz/fuzz_NAME (clang, libFuzzer + ASan/UBSan)
#   make fuzz [FUZZ_S=60] [FUZZ=NAME...]   run each target FUZZ_S seconds; fails on a crash,
#                                          leak or timeout (artifacts in build/fuzz/artifacts/)
#   make check  replays tests/fuzz/regress/NAME/ and tests/fuzz/corpus/NAME/ through a plain
#               gcc + ASan/UBSan driver (build/tests/fuzz/replay_NAME), no libFuzzer needed.
FUZZ_S     ?= 60
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ       ?= $(FUZZ_NAMES)
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# clang has no -Wno-... for gcc-only code paths here; the same -Werror flags apply.
FUZZ_CFLAGS = $(filter-out -O2,$(CFLAGS)) -O1 -gline-tables-only
FUZZ_LIB   := $(B)/fuzz/libevl.a
# Sources a target needs beyond the library (parsers that live in a tool).
fuzz_extra_scenario := tools/evl-replay/scenario.c

$(B)/fuzz/obj/%.o: %.c $(SKELS)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(patsubst %.c,$(B)/fuzz/obj/%.o,$(LIB_SRCS))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/fuzz/fuzz_%: $(B)/fuzz/obj/tests/fuzz/fuzz_%.o \
		$$(patsubst %.c,$(B)/fuzz/obj/%.o,$$(fuzz_extra_$$*)) $(FUZZ_LIB)
	$(call msg,LD-FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer $^ $(LDLIBS) -o $@

# Regression replay in `make check`: gcc + the unit tests' sanitizers, no fuzzer runtime.
FUZZ_REPLAYS := $(patsubst %,$(B)/tests/fuzz/replay_%,$(FUZZ_NAMES))
$(B)/tests/fuzz/replay_%: tests/fuzz/replay.c $(B)/san/tests/fuzz/fuzz_%.o \
		$$(patsubst %.c,$(B)/san/%.o,$$(fuzz_extra_$$*)) $(LIB_SAN)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) \
		'-DFUZZ_DIRS="$(CURDIR)/tests/fuzz/regress/$*","$(CURDIR)/tests/fuzz/corpus/$*"' \
		$^ $(LDLIBS) -o $@
TESTS += $(FUZZ_REPLAYS)
all: $(FUZZ_REPLAYS)

# Seed corpora, generated from the committed captures, fixtures and examples.
FUZZ_SEED := $(B)/fuzz/seed
$(FUZZ_SEED)/config.stamp: examples/evld.conf
	$(Q)mkdir -p $(FUZZ_SEED)/config && cp $^ $(FUZZ_SEED)/config/ && touch $@
$(FUZZ_SEED)/scenario.stamp: $(wildcard examples/*.jsonl)
	$(Q)mkdir -p $(FUZZ_SEED)/scenario && cp $^ $(FUZZ_SEED)/scenario/ && touch $@
$(FUZZ_SEED)/ctl.stamp $(FUZZ_SEED)/state.stamp:
	$(Q)mkdir -p $(@:.stamp=) && touch $@ # committed seeds only (tests/fuzz/corpus/)
$(FUZZ_SEED)/audit.stamp: tests/fuzz/seed-audit.sh $(B)/bin/evl-replay $(wildcard examples/*.jsonl)
	$(Q)tests/fuzz/seed-audit.sh $(B)/bin/evl-replay $(FUZZ_SEED)/audit && touch $@
# hostapd: selector byte 0 = STATUS reply, 1 = one event line (timestamps stripped).
$(FUZZ_SEED)/hostapd.stamp: $(wildcard tests/vm/captures/*.txt tests/unit/fixtures/hostapd/*.txt)
	$(Q)d=$(FUZZ_SEED)/hostapd; mkdir -p $$d; \
	for f in $(wildcard tests/vm/captures/*status*.txt tests/unit/fixtures/hostapd/status-*.txt); do \
		{ printf '\000'; cat $$f; } > $$d/status-$$(basename $$f); done; \
	for f in $(wildcard tests/vm/captures/reply-*.txt); do \
		{ printf '\002'; cat $$f; } > $$d/$$(basename $$f); done; \
	i=0; cat $(wildcard tests/vm/captures/*events*.txt tests/unit/fixtures/hostapd/events-*.txt) | \
	sed 's/^[0-9.]* //' | sort -u | while IFS= read -r l; do i=$$((i+1)); \
		{ printf '\001'; printf '%s' "$$l"; } > $$d/event-$$i; done; touch $@
# clients: the captured STA replies, one per band (byte 0: 2.4, 5, 6 GHz).
$(FUZZ_SEED)/clients.stamp: $(wildcard tests/vm/captures/*sta-first*.txt)
	$(Q)d=$(FUZZ_SEED)/clients; mkdir -p $$d; for f in $^; do for b in 0 1 2; do \
		{ printf "\\00$$b"; cat $$f; } > $$d/$$b-$$(basename $$f); done; done; touch $@
$(B)/fuzz/seed_nl80211: tests/fuzz/seed_nl80211.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< $(LDLIBS) -o $@
$(FUZZ_SEED)/nl80211.stamp: $(B)/fuzz/seed_nl80211
	$(Q)mkdir -p $(FUZZ_SEED)/nl80211 && $< $(FUZZ_SEED)/nl80211 && touch $@

FUZZ_BINS := $(patsubst %,$(B)/fuzz/fuzz_%,$(FUZZ))
fuzz-build: $(FUZZ_BINS) $(patsubst %,$(FUZZ_SEED)/%.stamp,$(FUZZ))

# One target after the other; -print_final_stats=1 gives the figures docs/fuzz.md quotes.
fuzz:
	$(Q)scripts/deps.sh fuzz
	$(Q)$(MAKE) --no-print-directory fuzz-build
	$(Q)for n in $(FUZZ); do \
		mkdir -p $(B)/fuzz/corpus/$$n $(B)/fuzz/artifacts/$$n; \
		echo "  FUZZ     $$n ($(FUZZ_S) s)"; \
		$(B)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_S) -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix=$(B)/fuzz/artifacts/$$n/ \
			$(B)/fuzz/corpus/$$n $(FUZZ_SEED)/$$n \
			$$(ls -d tests/fuzz/corpus/$$n 2>/dev/null) \
			> $(B)/fuzz/$$n.log 2>&1 || { tail -n 60 $(B)/fuzz/$$n.log; \
			echo "fuzz: $$n failed: input in $(B)/fuzz/artifacts/$$n/ (keep it in tests/fuzz/regress/$$n/)"; exit 1; }; \
		grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)|cov:' \
			$(B)/fuzz/$$n.log | tail -n 4 | sed 's/^/           /'; \
	done

.PHONY: fuzz fuzz-build
