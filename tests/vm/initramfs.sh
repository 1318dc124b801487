#!/bin/sh
# Build the guest's initramfs: busybox-static, the virtio/9p modules and tests/vm/init.
# Usage: tests/vm/initramfs.sh KERNEL_CACHE OUT.cpio.gz
set -eu
cache=${1:?usage: initramfs.sh KERNEL_CACHE OUT}
out=${2:?usage: initramfs.sh KERNEL_CACHE OUT}
here=$(cd "$(dirname "$0")" && pwd)
kver=$(cat "$cache/kver")
mods="$cache/root/lib/modules/$kver"

# Load order matters: each module after its dependencies.
MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci \
9pnet 9pnet_virtio netfs fscache 9p"

bb=/bin/busybox
[ -x "$bb" ] && "$bb" --list | grep -qx switch_root ||
	{ echo "vm: initramfs: $bb missing or not busybox-static (Debian package busybox-static)" >&2; exit 1; }
command -v cpio >/dev/null || { echo "vm: initramfs: cpio not found (Debian package cpio)" >&2; exit 1; }

stage=$(mktemp -d "${out%/*}/initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib/modules" "$stage/proc" "$stage/sys" "$stage/dev" "$stage/newroot"
cp "$bb" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
: >"$stage/modules"
for m in $MODULES; do
	f=$(modinfo -b "$cache/root" -k "$kver" -n "$m" 2>/dev/null) ||
		{ echo "vm: initramfs: module $m not in kernel $kver" >&2; exit 1; }
	case $f in
	*.ko) cp "$f" "$stage/lib/modules/$m.ko" ;;
	*.ko.xz) xz -dc "$f" >"$stage/lib/modules/$m.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$stage/lib/modules/$m.ko" ;;
	*) echo "vm: initramfs: $m: unexpected file $f" >&2; exit 1 ;;
	esac
	echo "$m" >>"$stage/modules"
done
cp "$here/init" "$stage/init"
chmod +x "$stage/init"
(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
