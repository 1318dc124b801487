# Station churn and the pinned BPF maps, with evld running (AP on 36, no CAC).
#  churn: the station disconnects and reconnects N times -> the AP interface's counters in the
#   `ifaces` map (fed by cfg80211_new_sta / cfg80211_del_sta) move by exactly N, and so does
#   the kernel's own tracepoint count. Asserted.
#  bpftool: every map pinned under /sys/fs/bpf/evl/ dumps with named fields (BTF); the
#   station's counters in `stations` move with traffic (null-data polls through the AP).
. "$VM_DIR/lib.sh"
trap vm_collect EXIT
N=5
PIN=/sys/fs/bpf/evl

hwsim_load 2
reg_set DE
trace_on cfg80211:cfg80211_new_sta cfg80211:cfg80211_del_sta
ap_start wlan0 36
ap_wait_event 30 wlan0 0 'AP-ENABLED' >/dev/null || vm_fail "AP not enabled on 36"
# churn of N+1 associations inside the 60 s station window crosses this limit: density_spike
evld_conf wlan0 density_assoc_limit=4
evld_start
sta_start wlan1
sta_wait_event 60 wlan1 0 'CTRL-EVENT-CONNECTED' >/dev/null || vm_fail "station did not associate"
ifx=$(cat /sys/class/net/wlan0/ifindex)
sta_mac=$(cat /sys/class/net/wlan1/address)

# --- bpftool: named fields in every pinned map ---------------------------------------------
for m in ifaces stations counters config tx_hook_ns; do
	[ -e "$PIN/$m" ] || vm_fail "map $m not pinned under $PIN ($(ls "$PIN" | tr '\n' ' '))"
done
bpftool map show pinned "$PIN/ifaces" | vm_capture bpftool-show-ifaces.txt
bpftool map dump pinned "$PIN/counters" | vm_capture bpftool-dump-counters.txt
grep -q '"tx_reports":' "$VM_RESULTS/captures/bpftool-dump-counters.txt" ||
	vm_fail "counters map has no named fields (BTF): $(head -c 300 "$VM_RESULTS/captures/bpftool-dump-counters.txt")"
bpftool map dump pinned "$PIN/config" | vm_capture bpftool-dump-config.txt
grep -q '"min_frames":' "$VM_RESULTS/captures/bpftool-dump-config.txt" || vm_fail "config map: no named fields"

# iface_field FIELD: FIELD of the AP interface's entry in `ifaces` (0 when absent).
iface_field() {
	bpftool -j map dump pinned "$PIN/ifaces" |
		jq -r --argjson k "$ifx" '[.[] | select(.formatted.key == $k) | .formatted.value.'"$1"'] | first // 0'
}
# sta_field FIELD: FIELD of the station's entry in `stations` (0 when absent).
sta_field() {
	bpftool -j map dump pinned "$PIN/stations" |
		jq -r --argjson k "$ifx" --arg mac "$sta_mac" '
			def hex: map(. as $b | "0123456789abcdef" | .[($b / 16 | floor):($b / 16 | floor) + 1] + .[($b % 16):($b % 16) + 1]) | join(":");
			[.[] | select(.formatted.key.ifindex == $k and (.formatted.key.addr | hex) == $mac)
			 | .formatted.value.'"$1"'] | first // 0'
}

# --- per-station counters move with traffic ---------------------------------------------------
f0=$(sta_field frames)
a0=$(sta_field acked)
i=0
while [ $i -lt 50 ]; do
	ap_cmd wlan0 POLL_STA "$sta_mac" >/dev/null
	i=$((i + 1))
done
sleep 1
f1=$(sta_field frames)
a1=$(sta_field acked)
bpftool map dump pinned "$PIN/stations" | vm_capture bpftool-dump-stations.txt
vm_result sta_frames_before_after "$f0 -> $f1"
vm_result sta_acked_before_after "$a0 -> $a1"
[ "$f1" -ge $((f0 + 50)) ] || vm_fail "station frames moved $f0 -> $f1 after 50 polls"
[ "$a1" -gt "$a0" ] || vm_fail "station acked frames did not move ($a0 -> $a1)"
grep -q '"base_per_ppm":' "$VM_RESULTS/captures/bpftool-dump-stations.txt" ||
	vm_fail "stations map has no named fields"

# --- churn ---------------------------------------------------------------------------------
new0=$(iface_field sta_new)
del0=$(iface_field sta_del)
tr0=$(grep -c "cfg80211_del_sta: .*$sta_mac" /sys/kernel/tracing/trace)
c=0
while [ $c -lt $N ]; do
	ns=$(vm_lines "$(sta_log wlan1)")
	sta_cmd wlan1 DISCONNECT >/dev/null
	sta_wait_event 10 wlan1 "$ns" 'CTRL-EVENT-DISCONNECTED' >/dev/null || vm_fail "churn $c: no disconnect"
	ns=$(vm_lines "$(sta_log wlan1)")
	sta_cmd wlan1 RECONNECT >/dev/null
	sta_wait_event 30 wlan1 "$ns" 'CTRL-EVENT-CONNECTED' >/dev/null || vm_fail "churn $c: no reconnect"
	c=$((c + 1))
done
sleep 1
new1=$(iface_field sta_new)
del1=$(iface_field sta_del)
tr1=$(grep -c "cfg80211_del_sta: .*$sta_mac" /sys/kernel/tracing/trace)
bpftool map dump pinned "$PIN/ifaces" | vm_capture bpftool-dump-ifaces.txt
vm_result churn_done "$N disconnect/reconnect"
vm_result ifaces_sta_del "$del0 -> $del1"
vm_result ifaces_sta_new "$new0 -> $new1"
vm_result ifaces_del_in_window "$(iface_field sta_del_win)"
vm_result trace_del_sta "$((tr1 - tr0))"
[ $((del1 - del0)) = $N ] || vm_fail "ifaces map counted $((del1 - del0)) disconnections, not $N"
[ $((new1 - new0)) = $N ] || vm_fail "ifaces map counted $((new1 - new0)) associations, not $N"
[ $((tr1 - tr0)) -ge $N ] || vm_fail "kernel trace shows $((tr1 - tr0)) del_sta for the station, not $N"
evlctl stats --json | vm_capture evlctl-stats.json
# the churn, seen through cfg80211_new_sta, became a density spike and admission control
vm_result density_log "$(grep -m1 'associations in the station window' "$VM_WORK/evld.log")"
grep -q 'admission_control for density_spike success' "$VM_WORK/evld.log" ||
	vm_fail "station churn above density_assoc_limit=4 did not lead to admission control"
evld_alive || vm_fail "evld died"
evld_stop
