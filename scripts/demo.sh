#!/bin/sh
# make demo: evl's main job on a machine without Wi-Fi. Boots Debian's kernel under qemu with
# mac80211_hwsim radios, hostapd and a station, runs evld, injects a radar on DFS channel 52
# and prints the timeline (tests/vm/demo/radar.sh). Where qemu cannot run, it says why and
# replays the seed's radar scenario through the same decision core and audit trail instead.
set -eu
B=${B:-build}

replay() {
	D=$B/demo
	rm -rf "$D" && mkdir -p "$D"
	"$B/bin/evl-audit" keygen "$D/audit.key" >/dev/null
	"$B/bin/evl-audit" keygen "$D/site.secret" >/dev/null
	cp -p "$D/audit.key" "$D/audit.key.initial" # the verifier's offline copy
	echo "== replay: examples/dfs_radar.jsonl (ap_0 on ch52/80 MHz, DE, radar at t=100 s)"
	"$B/bin/evl-replay" examples/dfs_radar.jsonl --audit-dir "$D/audit" \
		--audit-key "$D/audit.key" --site-secret "$D/site.secret"
	echo
	echo "== audit trail: $D/audit"
	"$B/bin/evl-audit" verify --dir "$D/audit" --key "$D/audit.key.initial"
}

fallback() {
	echo "demo: $* -> running the replay demo instead (no kernel, no radio)" >&2
	echo
	replay
	exit 0
}

[ "${EVL_DEMO:-vm}" = replay ] && { replay; exit 0; }
[ "$(uname -m)" = x86_64 ] || fallback "the VM demo needs an x86_64 host"
scripts/deps.sh vm || fallback "the VM packages (scripts/deps.sh vm) could not be installed"
command -v qemu-system-x86_64 >/dev/null 2>&1 || fallback "qemu-system-x86_64 not found"
make -s --no-print-directory B="$B" "$B/vm/bin/vm-ctrl" || fallback "cannot build vm-ctrl"
echo "== evl on a real wireless stack: qemu + Debian's kernel + mac80211_hwsim + hostapd"
echo "   (first run downloads the kernel package; the DFS channel check alone takes 60 s)"
log=$B/vm/demo.log
mkdir -p "$B/vm"
if ! VM_BUILD=$B VM_TIMEOUT=300 tests/vm/run.sh demo/radar >"$log" 2>&1; then
	res=$B/vm/results/demo-radar
	if [ ! -s "$res/guest.log" ]; then # the guest never started: qemu itself is the problem
		tail -n 20 "$log" >&2
		fallback "qemu could not boot the test kernel (log: $log)"
	fi
	cat "$res/timeline.txt" 2>/dev/null || true
	echo "demo: the VM demo FAILED; logs in $res (summary: $log)" >&2
	tail -n 30 "$log" >&2
	exit 1
fi
echo
cat "$B/vm/results/demo-radar/timeline.txt"
echo
echo "== logs, audit trail and captures: $B/vm/results/demo-radar/"
