#!/bin/sh
# Build the test-only kernel module (kmod/evl_restart_hw.c) for the guest kernel of a cache:
# against Debian's linux-headers-<kver> (installed with apt-get when missing), into
# CACHE/kmod/evl_restart_hw.ko, rebuilt when the source is newer. The guest sees the file
# through its 9p view of the host.
# Usage: tests/vm/kmod.sh CACHE   (CACHE: build/vm/kernel[-VER], with its kver file)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kc=$(cd "$1" && pwd)
kver=$(cat "$kc/kver")
ko=$kc/kmod/evl_restart_hw.ko
hdr=/usr/src/linux-headers-$kver
if [ -f "$ko" ] && [ -z "$(find "$here/kmod" -newer "$ko" -type f)" ]; then
	exit 0
fi
if [ ! -f "$hdr/Makefile" ]; then
	[ "$(id -u)" = 0 ] || { echo "kmod: linux-headers-$kver missing; as root: apt-get install linux-headers-$kver" >&2; exit 1; }
	echo "kmod: installing linux-headers-$kver"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "linux-headers-$kver" >/dev/null ||
		{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "linux-headers-$kver" >/dev/null; }
fi
rm -rf "$kc/kmod"
mkdir -p "$kc/kmod"
cp "$here/kmod/evl_restart_hw.c" "$here/kmod/Kbuild" "$kc/kmod/"
echo "kmod: building evl_restart_hw.ko for $kver"
make -s -C "$hdr" M="$kc/kmod" modules >"$kc/kmod/build.log" 2>&1 ||
	{ cat "$kc/kmod/build.log" >&2; rm -f "$ko"; exit 1; }
[ -f "$ko" ]
