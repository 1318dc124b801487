#!/bin/sh
# Fetch Debian's current amd64 kernel into a cache and index its modules.
# Usage: tests/vm/kernel.sh CACHE_DIR   -> CACHE_DIR/{vmlinuz,kver,root/lib/modules/KVER}
# Idempotent: a completed cache (CACHE_DIR/.done naming the package) is reused.
set -eu
cache=${1:?usage: kernel.sh CACHE_DIR}

need() { command -v "$1" >/dev/null 2>&1 || { echo "vm: kernel: '$1' not found ($2)" >&2; exit 1; }; }
need apt-cache "apt (Debian host needed to fetch the kernel)"
need apt-get "apt"
need dpkg "dpkg"
need depmod "Debian package kmod"

# The meta package names the current ABI, e.g. linux-image-6.1.0-56-amd64.
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
[ -n "$pkg" ] || { echo "vm: kernel: cannot resolve linux-image-amd64 (apt-get update?)" >&2; exit 1; }
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
