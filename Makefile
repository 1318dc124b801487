# evl: `make` builds everything into build/ (binaries in build/bin/).
# Components are found by folder; adding one is adding its files:
#   bpf/NAME.bpf.c      -> build/bpf/NAME.bpf.o, all linked -> build/bpf/evl.o -> evld's build/include/evl.skel.h
#   user/MODULE/*.c     -> build/libevl.a (user/evld/ is the daemon itself)
#   tools/TOOL/*.c      -> build/bin/TOOL
#   tools/TOOL/*.bpf.c  -> the tool's own skeleton build/include/TOOL.skel.h (as in libbpf-tools)
#   tests/unit/test_*.c, tests/bpf/test_*.c -> build/tests/* (ASan/UBSan), run by `make check`
#   tests/lib/*.c       -> linked into every test
.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:
.SECONDEXPANSION:

V ?= 0
Q := $(if $(filter 1,$(V)),,@)
msg = $(if $(filter 1,$(V)),,@printf '  %-8s %s\n' '$(1)' '$(2)';)

B       := build
CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= $(or $(shell command -v bpftool 2>/dev/null),/usr/sbin/bpftool)
PREFIX  ?= /usr/local
DESTDIR ?=
ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

PKGS    := libbpf libnl-genl-3.0 libnl-3.0 libcrypto libcap json-c zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude -I$(B)/include $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lelf -lm
SAN     := -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(B)/bpf/%.bpf.o,$(BPF_SRCS))
TOOL_BPF  := $(wildcard tools/*/*.bpf.c)
TOOL_SKELS := $(patsubst tools/%/,$(B)/include/%.skel.h,$(sort $(dir $(TOOL_BPF))))
SKELS     := $(if $(BPF_SRCS),$(B)/include/evl.skel.h) $(TOOL_SKELS)

LIB_SRCS  := $(filter-out user/evld/%,$(wildcard user/*/*.c))
EVLD_SRCS := $(wildcard user/evld/*.c)
TOOLS     := $(notdir $(patsubst %/,%,$(dir $(filter-out %.bpf.c,$(wildcard tools/*/*.c)))))
TOOLS     := $(sort $(TOOLS))
TLIB_SRCS := $(wildcard tests/lib/*.c)
TEST_SRCS := $(wildcard tests/unit/test_*.c tests/bpf/test_*.c)
TESTS     := $(patsubst tests/%.c,$(B)/tests/%,$(TEST_SRCS))

LIB       := $(B)/libevl.a
LIB_SAN   := $(B)/san/libevl.a
BINS      := $(addprefix $(B)/bin/,$(TOOLS)) $(if $(EVLD_SRCS),$(B)/bin/evld)
# Man pages: NAME.SECTION.scd beside the code it documents -> build/man/NAME.SECTION
MAN_SRCS  := $(wildcard user/*/*.scd tools/*/*.scd)
MANS      := $(addprefix $(B)/man/,$(basename $(notdir $(MAN_SRCS))))

all: deps-check $(BINS) $(TESTS) $(MANS)

# --- BPF: objects -> linked objects (shared weak maps) -> evld's and the tools' skeletons
$(B)/include/vmlinux.h:
	$(call msg,VMLINUX,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

BPF_HDRS := $(wildcard bpf/*.h) $(wildcard include/evl/*.h) $(B)/include/vmlinux.h
BPF_CC    = mkdir -p $(@D) && $(CLANG) -g -O2 -target bpf \
	-D__TARGET_ARCH_$(ARCH) -Wall -Werror -Iinclude -Ibpf -I$(B)/include -c $< -o $@

$(B)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS)
	$(call msg,BPF,$@)
	$(Q)$(BPF_CC)

$(B)/bpf/tools/%.bpf.o: tools/%.bpf.c $(BPF_HDRS)
	$(call msg,BPF,$@)
	$(Q)$(BPF_CC)

$(B)/bpf/evl.o: $(BPF_OBJS)
	$(call msg,BPFLINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(B)/include/evl.skel.h: $(B)/bpf/evl.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name evl_skel > $@

# A tool's programs + the maps' owner (license) -> TOOL.skel.h, struct TOOL_skel (- as _).
tool_bpf_objs = $(patsubst tools/%.bpf.c,$(B)/bpf/tools/%.bpf.o,$(wildcard tools/$(1)/*.bpf.c))
$(B)/bpf/tool-%.o: $$(call tool_bpf_objs,$$*) $(B)/bpf/maps.bpf.o
	$(call msg,BPFLINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(B)/include/%.skel.h: $(B)/bpf/tool-%.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_skel > $@

# --- user space: library, daemon, tools (and ASan/UBSan twins for tests) ----
$(B)/obj/%.o: %.c $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/san/%.o: %.c $(SKELS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN) -MMD -MP -c $< -o $@

$(LIB): $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRCS))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIB_SAN): $(patsubst %.c,$(B)/san/%.o,$(LIB_SRCS))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/bin/evld: $(patsubst %.c,$(B)/obj/%.o,$(EVLD_SRCS)) $(LIB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(B)/bin/%: $$(patsubst %.c,$(B)/obj/%.o,$$(filter-out %.bpf.c,$$(wildcard tools/$$*/*.c))) $(LIB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(B)/tests/%: $(B)/san/tests/%.o $(patsubst %.c,$(B)/san/%.o,$(TLIB_SRCS)) $(LIB_SAN)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) $(LDFLAGS) $^ $(CHECK_LIBS) $(LDLIBS) -o $@

# --- man pages: scdoc, then drop the empty paragraphs scdoc 1.11 emits (mandoc -Tlint) ------
vpath %.scd $(sort $(dir $(MAN_SRCS)))
$(B)/man/%: %.scd scripts/man-tidy.awk
	$(call msg,SCDOC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)scdoc < $< | awk -f scripts/man-tidy.awk > $@

bins: $(BINS)
man: $(MANS)

# --- the two set-up commands and friends ------------------------------------
deps:
	$(Q)scripts/deps.sh

# `make` alone only reports what is missing; demo/check install it.
deps-check:
	$(Q)scripts/deps.sh --check

check: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/run-tests.sh $(TESTS) tests/man/lint.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo.sh

# The Debian package: build/deb/evl_<version>_<arch>.deb (scripts/deb.sh; installs what is missing).
deb:
	$(Q)scripts/deps.sh deb
	$(Q)B=$(B) scripts/deb.sh

format:
	$(Q)clang-format -i $(wildcard bpf/*.c bpf/*.h include/evl/*.h user/*/*.c user/*/*.h \
		tools/*/*.c tests/*/*.c tests/*/*.h)

clean:
	$(Q)rm -rf $(B)

.PHONY: all bins man deps deps-check check demo deb format clean

-include $(shell find $(B) -path $(B)/deb -prune -o -name '*.d' -type f -print 2>/dev/null)

# Larger areas (e.g. the VM test bed) keep their own rules beside their files.
include $(wildcard */*.mk */*/*.mk)
