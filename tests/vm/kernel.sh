#!/bin/sh
# Fetch one of Debian's amd64 kernels into a cache and index its modules.
# Usage: tests/vm/kernel.sh CACHE_DIR [VERSION]   -> CACHE_DIR/{vmlinuz,kver,root/lib/modules/KVER}
# VERSION (default 6.1) is a Debian kernel line: its meta package linux-image-VERSION-amd64
# (e.g. Debian 12's linux-image-6.12-amd64), or linux-image-amd64 when that is the line
# (6.1 on Debian 12). Idempotent: a completed cache (CACHE_DIR/.done naming the package) is reused.
set -eu
cache=${1:?usage: kernel.sh CACHE_DIR [VERSION]}
ver=${2:-6.1}

need() { command -v "$1" >/dev/null 2>&1 || { echo "vm: kernel: '$1' not found ($2)" >&2; exit 1; }; }
need apt-cache "apt (Debian host needed to fetch the kernel)"
need apt-get "apt"
need dpkg "dpkg"
need depmod "Debian package kmod"

# The meta package names the current ABI, e.g. linux-image-6.1.0-56-amd64 or
# linux-image-6.12.38+deb12-amd64; it must belong to the line asked for.
abi() {
	apt-cache depends "$1" 2>/dev/null |
		awk -v p="linux-image-$ver." '$1 == "Depends:" && index($2, p) == 1 { print $2; exit }'
}
pkg=$(abi "linux-image-$ver-amd64")
[ -n "$pkg" ] || pkg=$(abi linux-image-amd64)
[ -n "$pkg" ] || {
	echo "vm: kernel: apt knows no Debian kernel $ver (neither linux-image-$ver-amd64 nor" \
		"linux-image-amd64 depends on linux-image-$ver.*; apt-get update?)" >&2
	exit 1
}
kver=${pkg#linux-image-}

if [ -f "$cache/.done" ] && [ "$(cat "$cache/.done")" = "$pkg" ]; then
	exit 0
fi

echo "vm: fetching $pkg"
rm -rf "$cache"
mkdir -p "$cache/dl"
# apt's sandbox user cannot write into build/: run the download as root without it.
(cd "$cache/dl" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null) ||
	{ echo "vm: kernel: apt-get download $pkg failed" >&2; exit 1; }
dpkg -x "$cache"/dl/*.deb "$cache/root"
[ -f "$cache/root/boot/vmlinuz-$kver" ] || { echo "vm: kernel: no vmlinuz-$kver in $pkg" >&2; exit 1; }
[ -d "$cache/root/lib/modules/$kver" ] || { echo "vm: kernel: no modules for $kver in $pkg" >&2; exit 1; }
depmod -b "$cache/root" "$kver"
ln -sf "root/boot/vmlinuz-$kver" "$cache/vmlinuz"
echo "$kver" >"$cache/kver"
rm -rf "$cache/dl"
echo "$pkg" >"$cache/.done"
