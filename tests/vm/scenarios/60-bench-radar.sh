# evl-bench --radar: radar -> user space through the eBPF ring buffer vs the nl80211 radar
# event hostapd reacts to, in the same run. One hwsim radio per trial, each with an AP
# beaconing on its own DFS channel (DE) after its CAC; the CACs run in parallel.
. "$VM_DIR/lib.sh"
trap vm_collect EXIT

CHANNELS="52 56 60 64 100"
n=$(echo $CHANNELS | wc -w)
hwsim_load "$n"
reg_set DE
i=0
for ch in $CHANNELS; do
	ap_start "wlan$i" "$ch"
	i=$((i + 1))
done
i=0
for ch in $CHANNELS; do
	ap_wait_event 150 "wlan$i" 0 'AP-ENABLED' >/dev/null ||
		vm_fail "AP wlan$i not enabled after the CAC on channel $ch"
	i=$((i + 1))
done

out=$VM_RESULTS/captures/evl-bench-radar.json
evl-bench --radar --trials "$n" --json >"$out" 2>"$VM_WORK/evl-bench.log" ||
	{ cat "$VM_WORK/evl-bench.log"; vm_fail "evl-bench --radar failed: $(cat "$VM_WORK/evl-bench.log")"; }
cp "$VM_WORK/evl-bench.log" "$VM_RESULTS/captures/" 2>/dev/null
cat "$out"

# figures from the JSON (one key per line in evl-bench's pretty output)
num() { sed -n "s/^ *\"$1\": *\([0-9.e+-]*\),*$/\1/p" "$out" | head -n1; }
vm_result radar_trials "$n"
vm_result radar_ebpf_median_us "$(awk -v v="$(num ebpf_median_ns)" 'BEGIN { printf "%.1f", v / 1000 }')"
vm_result radar_nl80211_median_us "$(awk -v v="$(num nl80211_median_ns)" 'BEGIN { printf "%.1f", v / 1000 }')"
vm_result radar_ratio_nl80211_over_ebpf "$(num ratio_nl80211_over_ebpf)"
first=$(num ebpf_first_trials)
vm_result radar_ebpf_first "$first of $n"
for k in $(seq 1 "$n"); do
	e=$(grep '"ebpf_ns"' "$out" | sed -n "${k}p" | tr -dc 0-9)
	l=$(grep '"nl80211_ns"' "$out" | sed -n "${k}p" | tr -dc 0-9)
	vm_result "radar_trial${k}_us" "ebpf=$(awk -v v="$e" 'BEGIN { printf "%.1f", v / 1000 }') nl80211=$(awk -v v="$l" 'BEGIN { printf "%.1f", v / 1000 }')"
done
[ "$first" = "$n" ] || vm_fail "the nl80211 event came first in $((n - first)) of $n trials"
