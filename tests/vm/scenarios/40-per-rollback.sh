# PER spike after an evld channel change -> automatic rollback inside the monitoring window.
# AP on 36 (no CAC), one station, evld running. `evlctl inject --type non_wifi_burst` moves
# the AP (token, monitoring). Then the station is isolated with the hwsim group mask: the AP's
# frames to it go unacknowledged (real TX failures). Asserted: the eBPF TX-status detector
# reports the spike, evld rolls the AP back to 36 by itself within the window, and the audit
# trail (verified) records the rollback with its trigger metric.
. "$VM_DIR/lib.sh"
trap vm_collect EXIT

hwsim_load 2
reg_set DE
# disassoc_low_ack=0: hostapd would drop the isolated station on mac80211's low-ACK report,
# and with it the frames the detector needs.
ap_start wlan0 36 disassoc_low_ack=0
ap_wait_event 30 wlan0 0 'AP-ENABLED' >/dev/null || vm_fail "AP not enabled on 36"
sta_start wlan1
sta_wait_event 60 wlan1 0 'CTRL-EVENT-CONNECTED' >/dev/null || vm_fail "station did not associate"
sta_mac=$(cat /sys/class/net/wlan1/address)

# A few null-data polls are far below tput_min_mbps (1 Mbit/s): the throughput trigger stays
# out of it by default, so the rollback below can only come from the PER spike.
evld_conf wlan0 station_interval_ms=500 monitor_s=120 rollback_samples=2 cooldown_s=0
evld_start
# Traffic to the station once evld runs (its start-up loads the BPF programs, slow under TCG):
# null-data polls, each one gets a TX status; five loops, as one request takes a few hundred
# ms under TCG and the detector wants min_frames (50) per window.
pollers=""
for _ in 1 2 3 4 5; do
	( while :; do vm-ctrl "$HOSTAPD_CTRL/wlan0" request "POLL_STA $sta_mac" >/dev/null 2>&1; sleep 0.05; done ) &
	pollers="$pollers $!"
done
# shellcheck disable=SC2086
trap 'kill $pollers 2>/dev/null; vm_collect' EXIT

log=$(evld_log)
# A baseline: a few healthy station samples before the action.
evld_wait_log 20 0 'metrics|station' >/dev/null
sleep 3

# --- the action: a non-Wi-Fi burst on 36 -> evld changes channel ---------------------------
na=$(audit_records | wc -l)
n=$(vm_lines "$(ap_log wlan0)")
evlctl inject --type non_wifi_burst --ap wlan0 --channel 36 --severity high --confidence 0.95 |
	vm_capture evlctl-inject.txt || vm_fail "evlctl inject refused: $(cat "$VM_RESULTS/captures/evlctl-inject.txt")"
l=$(ap_wait_event 20 wlan0 "$n" 'AP-CSA-FINISHED') || vm_fail "no channel switch after the inject"
to=$(vm_field "$l" freq)
[ "$to" != 5180 ] || vm_fail "AP still on 36 after the switch"
vm_result moved_to_mhz "$to"
vm_wait 10 sh -c "evlctl tokens | grep -q monitoring" || vm_fail "no rollback token: $(evlctl tokens)"
evlctl tokens | vm_capture evlctl-tokens.txt
vm_wait 20 sh -c "vm-ctrl $WPAS_CTRL/wlan1 request STATUS | grep -q wpa_state=COMPLETED" ||
	vm_fail "station not associated after the switch"
sleep 3 # post-action samples while healthy: no rollback yet
evlctl tokens | grep -q monitoring || vm_fail "token gone before any degradation: $(evlctl tokens)"

# --- degradation: isolate the station --------------------------------------------------------
el=$(vm_lines "$log")
n=$(vm_lines "$(ap_log wlan0)")
t_iso=$(vm_now)
hwsim_group wlan1 2
l=$(ap_wait_event 60 wlan0 "$n" 'AP-CSA-FINISHED') || vm_fail "no automatic rollback within 60 s"
vm_result isolation_to_rollback_done_s "$(vm_sub "$t_iso" "$(vm_ts "$l")")"
[ "$(vm_field "$l" freq)" = 5180 ] || vm_fail "rolled back to $(vm_field "$l" freq), not 5180"
vm_wait 10 sh -c "evlctl tokens | grep -vq monitoring" || true
if ! evld_wait_log 20 "$el" 'per_spike event .* from ebpf' >/dev/null; then
	for m in stations ifaces counters config; do
		bpftool -j map dump pinned "/sys/fs/bpf/evl/$m" | vm_capture "map-$m.json"
	done
	vm_fail "the eBPF TX-status detector reported no PER spike"
fi
vm_result ebpf_per_spike yes

rec=$(audit_records | tail -n "+$((na + 1))" | jq -c 'select(.kind == "rollback" and .execution_status == "rolled_back")' | tail -n1)
[ -n "$rec" ] || vm_fail "no rolled_back record in the audit trail"
vm_log "audit: $rec"
echo "$rec" | vm_capture audit-rollback.json
vm_result rollback_reason "$(echo "$rec" | jq -r .reason)"
vm_result rollback_metric "$(echo "$rec" | jq -r '.metric | "\(.name) \(.baseline) -> \(.observed)"')"
echo "$rec" | jq -e '.metric.name == "per" or .metric.name == "retry"' >/dev/null ||
	vm_fail "rollback trigger is not the PER/retry rise: $rec"
evld_alive || vm_fail "evld died"
evld_stop
audit_verify >"$VM_WORK/audit-verify.txt" 2>&1 || { cat "$VM_WORK/audit-verify.txt"; vm_fail "evl-audit verify failed"; }
vm_result audit_verify "$(head -n1 "$VM_WORK/audit-verify.txt")"
