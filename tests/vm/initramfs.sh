#!/bin/sh
# Build the guest's initramfs: busybox-static, the virtio/9p modules and tests/vm/init.
# Usage: tests/vm/initramfs.sh KERNEL_CACHE OUT.cpio.gz
set -eu
cache=${1:?usage: initramfs.sh KERNEL_CACHE OUT}
out=${2:?usage: initramfs.sh KERNEL_CACHE OUT}
here=$(cd "$(dirname "$0")" && pwd)
kver=$(cat "$cache/kver")

# What the init needs: the virtio PCI transport and the 9p file system over virtio. modprobe
# resolves their dependencies from the fetched tree's modules.dep in load order and names the
# built-in ones (modules.builtin), which need no file: e.g. 9p pulls netfs on 6.12, virtio is
# a module on 6.1 and built in on Debian's 6.12.
NEED="virtio_pci 9pnet_virtio 9p"

bb=/bin/busybox
{ [ -x "$bb" ] && "$bb" --list | grep -qx switch_root; } ||
	{ echo "vm: initramfs: $bb missing or not busybox-static (Debian package busybox-static)" >&2; exit 1; }
command -v modprobe >/dev/null || { echo "vm: initramfs: modprobe not found (Debian package kmod)" >&2; exit 1; }
command -v cpio >/dev/null || { echo "vm: initramfs: cpio not found (Debian package cpio)" >&2; exit 1; }

stage=$(mktemp -d "${out%/*}/initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib/modules" "$stage/proc" "$stage/sys" "$stage/dev" "$stage/newroot"
cp "$bb" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
: >"$stage/modules"
# shellcheck disable=SC2086
deps=$(modprobe -d "$cache/root" -S "$kver" -a --show-depends $NEED) ||
	{ echo "vm: initramfs: kernel $kver lacks one of: $NEED (modprobe --show-depends above)" >&2; exit 1; }
for f in $(echo "$deps" | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'); do
	m=${f##*/}
	m=${m%%.ko*}
	case $f in
	*.ko) cp "$f" "$stage/lib/modules/$m.ko" ;;
	*.ko.xz) xz -dc "$f" >"$stage/lib/modules/$m.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$stage/lib/modules/$m.ko" ;;
	*) echo "vm: initramfs: unexpected module file $f" >&2; exit 1 ;;
	esac
	echo "$m" >>"$stage/modules"
done
cp "$here/init" "$stage/init"
chmod +x "$stage/init"
(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
