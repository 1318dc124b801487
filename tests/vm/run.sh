#!/bin/sh
# Host side of the VM test bed: prepare kernel + initramfs (cached), boot one qemu guest per
# scenario, collect results into $VM_OUT/results/NAME/, fail with the guest's logs.
# Usage: tests/vm/run.sh [SCENARIO...]     (default: every tests/vm/scenarios/*.sh, sorted;
#        a name with a slash is a path under tests/vm, e.g. demo/radar)
# Env:   VM_BUILD (build: the project's build dir, the VM cache is VM_BUILD/vm)  VM_TIMEOUT (per scenario, s; 900)  VM_MEM (768)  VM_ACCEL (auto|kvm|tcg)
#        VM_KERNEL (6.1: Debian's kernel line, e.g. 6.12; cache VM_BUILD/vm/kernel-VER, results
#        VM_BUILD/vm/results-VER/NAME; the default 6.1 keeps VM_BUILD/vm/kernel and results/NAME)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${VM_BUILD:-build}
mkdir -p "$build/vm"
build=$(cd "$build" && pwd)
out=$build/vm
tmo=${VM_TIMEOUT:-900}
kline=${VM_KERNEL:-6.1}
expr "$kline" : '[0-9][0-9]*\.[0-9][0-9]*$' >/dev/null ||
	{ echo "vmtest: VM_KERNEL must be a Debian kernel line such as 6.1 or 6.12, not '$kline'" >&2; exit 2; }
kc=$out/kernel-$kline results=$out/results-$kline
[ "$kline" = 6.1 ] && kc=$out/kernel results=$out/results # the default keeps its old paths
mem=${VM_MEM:-768}

missing=""
[ -x "$out/bin/vm-ctrl" ] || missing="$missing $out/bin/vm-ctrl(make vmtest builds it)"
for t in qemu-system-x86_64 cpio depmod modinfo apt-get hostapd hostapd_cli wpa_supplicant wpa_cli iw \
	timeout; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -x /bin/busybox ] || missing="$missing busybox(-static)"
[ -f /lib/firmware/regulatory.db ] || missing="$missing regulatory.db(wireless-regdb)"
if [ -n "$missing" ]; then
	echo "vmtest: missing tools:$missing" >&2
	echo "vmtest: install them with: scripts/deps.sh vm" >&2
	exit 1
fi

"$here/kernel.sh" "$kc" "$kline"
kver=$(cat "$kc/kver")
"$here/kmod.sh" "$kc" # the test-only module (80-hw-restart), against linux-headers-$kver
initrd=$kc/initramfs.cpio.gz # in the kernel's cache: a new kernel drops it
if [ ! -f "$initrd" ] || [ -n "$(find "$here/init" "$here/initramfs.sh" -newer "$initrd")" ]; then
	"$here/initramfs.sh" "$kc" "$initrd"
fi

accel=${VM_ACCEL:-auto}
if [ "$accel" = auto ]; then
	accel=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qE '^flags.* (vmx|svm)( |$)' /proc/cpuinfo; then
		accel=kvm
	fi
fi
case $accel in
kvm) cpu="-accel kvm -cpu host -smp 2" ;;
tcg) cpu="-accel tcg -cpu max -smp 1" ;;
*) echo "vmtest: VM_ACCEL must be auto, kvm or tcg" >&2; exit 2 ;;
esac

if [ $# = 0 ]; then
	for f in "$here"/scenarios/*.sh; do # sorted by the glob
		f=${f##*/}
		set -- "$@" "${f%.sh}"
	done
fi

pass=0 fail=0 failed=""
for s in "$@"; do
	f=$here/scenarios/$s.sh
	case $s in */*) f=$here/$s.sh ;; esac # a path under tests/vm (demo/radar)
	[ -f "$f" ] || { echo "vmtest: no scenario '$s' ($f)" >&2; exit 2; }
	res=$results/$(echo "$s" | tr / -)
	rm -rf "$res"
	mkdir -p "$res"
	echo "vmtest: $s (kernel $kver, $accel, timeout ${tmo}s)"
	t0=$(date +%s)
	# shellcheck disable=SC2086
	timeout -k 10 $((tmo + 120)) qemu-system-x86_64 $cpu -m "$mem" -nodefaults -no-user-config \
		-display none -no-reboot -serial "file:$res/console.log" \
		-kernel "$kc/vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 loglevel=4 evl.guest=$here/guest.sh evl.scenario=$s evl.timeout=$tmo evl.build=$build evl.kroot=$kc/root" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$res,mount_tag=results,security_model=none" \
		</dev/null >"$res/qemu.log" 2>&1 || echo "vmtest: qemu exit $? (see $res/qemu.log)" >>"$res/host.log"
	dt=$(($(date +%s) - t0))
	rc=$(cat "$res/rc" 2>/dev/null || echo none)
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		echo "PASS  $s (${dt}s)"
		[ -f "$res/result.txt" ] && sed 's/^/      /' "$res/result.txt"
		continue
	fi
	fail=$((fail + 1))
	failed="$failed $s"
	echo "FAIL  $s (${dt}s, guest exit status: $rc)"
	for f in host.log qemu.log guest.log scenario.log; do
		[ -s "$res/$f" ] || continue
		echo "----- $res/$f (last 60 lines)"
		tail -n 60 "$res/$f"
	done
	if [ ! -s "$res/guest.log" ]; then
		echo "----- $res/console.log (last 60 lines)"
		tail -n 60 "$res/console.log" 2>/dev/null || true
	fi
done
echo
echo "vmtest: $pass passed, $fail failed (kernel $kver, results in $results)"
[ $fail = 0 ] || { echo "vmtest: failed:$failed"; exit 1; }
