#!/bin/sh
# Install the Debian packages evl needs (build + tests; `vm` adds the qemu test bed, `deb`
# what `make deb` needs to build and check the Debian package, `fuzz` libFuzzer's runtime).
# Usage: scripts/deps.sh [--check] [vm] [deb] [fuzz]
#   --check  only report what is missing (exit 1), install nothing.
set -eu

BUILD_PKGS="gcc make pkg-config clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev \
libnl-3-dev libnl-genl-3-dev libssl-dev libcap-dev check libjson-c-dev scdoc mandoc man-db"
DEB_PKGS="debhelper dpkg-dev fakeroot lintian"
VM_PKGS="qemu-system-x86 busybox-static cpio kmod hostapd wpasupplicant iw wireless-regdb jq"
# libFuzzer and LeakSanitizer runtimes for clang 14 (`make fuzz`)
FUZZ_PKGS="libclang-rt-14-dev"

check_only=0
pkgs=$BUILD_PKGS
for a in "$@"; do
	case $a in
	--check) check_only=1 ;;
	vm) pkgs="$pkgs $VM_PKGS" ;;
	deb) pkgs="$pkgs $DEB_PKGS" ;;
	fuzz) pkgs="$pkgs $FUZZ_PKGS" ;;
	*) echo "deps: unknown argument '$a'" >&2; exit 2 ;;
	esac
done

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $st in *"ok installed") ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

if [ $check_only = 1 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run 'make check' or 'make demo' as root (they install them), or: apt-get install$missing" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: installing needs root: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
