#!/bin/sh
# PID 1 in the guest (host's / over 9p, read-only): mount what the wireless stack and eBPF need,
# run one scenario (evl.scenario=NAME -> tests/vm/scenarios/NAME.sh) under evl.timeout=SECS,
# leave its log and exit status in the results export, power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LC_ALL=C
VM_DIR=$(cd "$(dirname "$0")" && pwd)
export VM_DIR
export VM_RESULTS=/run/evl-results

off() {
	sync
	/bin/busybox poweroff -f
	sleep 30
}

scenario='' timeout=600 VM_BUILD='' VM_KROOT=''
read -r cmdline </proc/cmdline
for a in $cmdline; do
	case $a in
	evl.scenario=*) scenario=${a#evl.scenario=} ;;
	evl.timeout=*) timeout=${a#evl.timeout=} ;;
	evl.build=*) VM_BUILD=${a#evl.build=} ;;
	evl.kroot=*) VM_KROOT=${a#evl.kroot=} ;; # the fetched kernel's tree (run.sh, per VM_KERNEL)
	esac
done
log=$VM_RESULTS/scenario.log
exec >"$VM_RESULTS/guest.log" 2>&1
echo "guest: kernel $(uname -r), scenario '$scenario', timeout ${timeout}s"

mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
mount -t bpf bpf /sys/fs/bpf
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
hostname evl-vm
# Kernel auto-loading (crypto, nl80211 families) must find the fetched kernel's modules.
# The project's binaries (build/bin) and the test bed's helpers (build/vm/bin) come first.
export VM_BUILD VM_KROOT PATH="$VM_BUILD/bin:$VM_BUILD/vm/bin:$PATH"
printf '#!/bin/sh\nexec /sbin/modprobe -d %s "$@"\n' "$VM_KROOT" >/run/modprobe
chmod +x /run/modprobe
echo /run/modprobe >/proc/sys/kernel/modprobe

s=$VM_DIR/scenarios/$scenario.sh
case $scenario in */*) s=$VM_DIR/$scenario.sh ;; esac # e.g. demo/radar (make demo)
if [ ! -f "$s" ]; then
	echo "guest: no scenario '$scenario' ($s)"
	echo 2 >"$VM_RESULTS/rc"
	off
fi
mkdir -p /tmp/evl-vm
cd /tmp/evl-vm || off
timeout -k 5 "$timeout" /bin/sh "$s" >"$log" 2>&1
rc=$?
[ $rc = 124 ] && echo "guest: scenario '$scenario' timed out after ${timeout}s"
echo "guest: scenario '$scenario' exit $rc"
dmesg >"$VM_RESULTS/dmesg.log"
echo $rc >"$VM_RESULTS/rc"
off
