# evl-bench --radar: radar -> user space through the eBPF ring buffer vs the nl80211 radar
# event hostapd reacts to, in the same run. One hwsim radio per trial, each with an AP
# beaconing on its own DFS channel (DE) after its CAC; the CACs run in parallel. Figures go to
# result.txt and captures/evl-bench-radar.json.
. "$VM_DIR/lib.sh"
trap vm_collect EXIT

CHANNELS="52 56 60 64 100 104 108 112"
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

# figures from the JSON (one key per line in evl-bench's pretty output); never a pass/fail
# on them: the ordering is a measured figure, reported, not asserted
num() { sed -n "s/^ *\"$1\": *\([0-9.e+-]*\),*$/\1/p" "$out" | sed -n "${2:-1}p"; }
us() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1000 }'; }
vm_result radar_trials "$n (consumer SCHED_OTHER and SCHED_FIFO alternating)"
vm_result radar_kernel_gap_median_us "$(us "$(num kernel_gap_median_ns)")"
# groups in output order: consumer_other, consumer_fifo, all
for g in 1:other 2:fifo; do
	k=${g%%:*} name=${g#*:}
	vm_result "radar_${name}_ebpf_median_us" "$(us "$(num ebpf_median_ns "$k")")"
	vm_result "radar_${name}_nl80211_median_us" "$(us "$(num nl80211_median_ns "$k")")"
	vm_result "radar_${name}_ratio_nl80211_over_ebpf" "$(num ratio_nl80211_over_ebpf "$k")"
	vm_result "radar_${name}_ebpf_first" "$(num ebpf_first_trials "$k") of $(num trials "$k")"
done
