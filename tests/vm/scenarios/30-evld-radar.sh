# Radar on a DFS channel, hostapd alone vs hostapd + evld, in one run (one station attached).
#  baseline: hostapd reacts alone (random channel, often DFS -> fallback restart + new CAC).
#  evld x RUNS: fresh CAC on another DFS channel, evld running (BPF radar hook, SCHED_FIFO):
#   asserted: evld saw the radar, sent CHAN_SWITCH, hostapd answered, the AP is on air on a
#   channel off the radar channel, the radar channel is in evld's NOP, the audit verifies and
#   records radar -> switch issued/confirmed. Reported (not asserted under TCG): whether evld's
#   switch preempted hostapd's own reaction, radar -> on air, detect -> switch request.
. "$VM_DIR/lib.sh"
trap vm_collect EXIT
# Runs with hostapd at normal priority, then with hostapd at SCHED_FIFO 40 (below evld's 50):
# evld's CHAN_SWITCH wakes hostapd, and the race is then whether hostapd or the kernel's
# radar work item (a normal-priority kworker) runs once evld waits for the reply.
RUNS_NORMAL=2 RUNS_RT=3
RUNS=$((RUNS_NORMAL + RUNS_RT))

hwsim_load 2
reg_set DE
trace_on mac80211:api_radar_detected cfg80211:cfg80211_radar_event cfg80211:cfg80211_cac_event \
	cfg80211:cfg80211_ch_switch_started_notify cfg80211:cfg80211_ch_switch_notify \
	cfg80211:cfg80211_new_sta cfg80211:cfg80211_del_sta
ap_start wlan0 52
log=$(ap_log wlan0)
ap_wait_event 120 wlan0 0 'AP-ENABLED' >/dev/null || vm_fail "AP not enabled after the CAC on 52"
sta_start wlan1
sta_wait_event 90 wlan1 0 'CTRL-EVENT-CONNECTED' >/dev/null || vm_fail "station did not associate"

# radar_run NAME: radar now; sets t_radar, n, ns (log positions before the radar).
radar_run() {
	n=$(vm_lines "$log")
	ns=$(vm_lines "$(sta_log wlan1)")
	trace_mark "radar-$1"
	radar wlan0
	ap_wait_event 10 wlan0 "$n" 'DFS-RADAR-DETECTED' >/dev/null || vm_fail "$1: hostapd saw no radar"
	t_radar=$(trace_realtime "radar-$1" api_radar_detected)
	[ -n "$t_radar" ] || vm_fail "$1: api_radar_detected not in the trace"
}
# on_air NAME: wait until the AP beacons again after the radar; sets t_air, freq, own, cac.
on_air() {
	l=$(ap_wait_event 150 wlan0 "$n" 'AP-CSA-FINISHED|AP-ENABLED') ||
		vm_fail "$1: AP not back on air within 150 s of the radar"
	t_air=$(vm_ts "$l")
	freq=$(ap_status wlan0 freq)
	own=no cac=no
	vm_log_after "$log" "$n" 'DFS-NEW-CHANNEL' >/dev/null && own=yes
	vm_log_after "$log" "$n" 'DFS-CAC-START' >/dev/null && cac=yes
	vm_result "${1}_radar_to_on_air_s" "$(vm_sub "$t_radar" "$t_air")"
	vm_result "${1}_on_air_freq" "$freq"
	vm_result "${1}_hostapd_own_switch" "$own"
	vm_result "${1}_new_cac" "$cac"
}

# --- baseline: hostapd alone -------------------------------------------------------------
radar_run alone
on_air alone
vm_result alone_sta "$(sta_fate wlan1 "$ns" "$t_radar")"
[ "$freq" != 5260 ] || vm_fail "alone: AP still on the radar channel"

# --- hostapd + evld ----------------------------------------------------------------------
evld_conf wlan0
wins_normal=0 wins_rt=0 i=0
for ch in 56 60 64 100 104 108 112; do
	[ $i -lt "$RUNS" ] || break
	[ "$(ap_status wlan0 channel)" = "$ch" ] && continue
	i=$((i + 1))
	r=evld$i
	mhz=$((5000 + ch * 5))
	# Fresh hostapd and CAC on a DFS channel evld has not seen a radar on. (A restart, not
	# DISABLE/SET channel/ENABLE: hostapd keeps the centre segment of the last CHAN_SWITCH.)
	cp "$log" "$VM_WORK/hostapd-wlan0.before-$r.log"
	ap_stop wlan0
	sleep 0.5
	ap_start wlan0 "$ch"
	ap_wait_event 120 wlan0 0 'AP-ENABLED' >/dev/null || vm_fail "$r: AP not enabled on $ch"
	[ "$(ap_status wlan0 freq)" = "$mhz" ] || vm_fail "$r: AP on $(ap_status wlan0 freq), not $mhz"
	vm_wait 60 sh -c "vm-ctrl $WPAS_CTRL/wlan1 request STATUS | grep -q wpa_state=COMPLETED" ||
		vm_fail "$r: station not associated on channel $ch"
	prio=normal
	if [ $i -gt $RUNS_NORMAL ]; then
		prio=fifo40
		chrt -f -p 40 "$(cat "$VM_WORK/hostapd-wlan0.pid")" || vm_fail "chrt hostapd failed"
	fi
	vm_result "${r}_hostapd_sched" "$prio"
	el=$(vm_lines "$(evld_log)")
	evld_start
	evld_wait_log 10 "$el" 'radar hooks attached' >/dev/null ||
		vm_fail "$r: evld's BPF radar hooks not attached (see evld.log)"
	evld_wait_log 10 "$el" 'hostapd: wlan0: attached' >/dev/null ||
		vm_fail "$r: evld not attached to hostapd's events"
	na=$(audit_records | wc -l)

	radar_run "$r"
	on_air "$r"
	vm_result "${r}_sta" "$(sta_fate wlan1 "$ns" "$t_radar")"
	# What evld did: its log and its audit record of the radar move.
	evld_wait_log 10 "$el" 'dfs: wlan0: radar on' >/dev/null || vm_fail "$r: evld saw no radar"
	vm_wait 10 sh -c "cat $EVLD_DIR/audit/*.jsonl | tail -n +$((na + 1)) |
		grep -q '\"event_type\":\"dfs_radar\".*\"execution_status\":\"\\(success\\|failed\\)\"'" ||
		vm_fail "$r: no audit record of evld's radar action"
	rec=$(audit_records | tail -n "+$((na + 1))" |
		jq -c 'select(.event_type == "dfs_radar" and .action_type == "channel_change")' |
		tail -n1)
	vm_log "$r audit: $rec"
	status=$(echo "$rec" | jq -r .execution_status)
	to=$(echo "$rec" | jq -r '.configuration_changes[] | select(.param == "channel") | .new_value')
	vm_result "${r}_evld_status" "$status"
	vm_result "${r}_evld_channel" "$to"
	vm_result "${r}_detect_to_switch_request_ms" \
		"$(echo "$rec" | jq -r '.detect_to_action_us / 1000')"
	vm_result "${r}_audit_radar_to_confirmed_ms" \
		"$(echo "$rec" | jq -r '.regulatory.radar_to_switch_confirmed_us / 1000')"
	if [ "$own" = no ] && [ "$cac" = no ] && [ "$status" = success ]; then
		if [ $prio = normal ]; then wins_normal=$((wins_normal + 1)); else wins_rt=$((wins_rt + 1)); fi
		vm_result "${r}_preempted" yes
		[ "$freq" = "$((5000 + to * 5))" ] || vm_fail "$r: AP on $freq MHz, evld chose $to"
	else
		vm_result "${r}_preempted" no
	fi
	evlctl nop | vm_capture "evlctl-nop-$r.txt"
	grep -qw "$ch" "$VM_RESULTS/captures/evlctl-nop-$r.txt" ||
		vm_fail "$r: radar channel $ch not in evld's NOP: $(evlctl nop)"
	[ "$freq" != "$mhz" ] || vm_fail "$r: AP still on the radar channel"
	evld_alive || vm_fail "$r: evld died"
	evld_stop
done
vm_result evld_preempted_hostapd_normal "$wins_normal/$RUNS_NORMAL"
vm_result evld_preempted_hostapd_fifo40 "$wins_rt/$RUNS_RT"
audit_verify >"$VM_WORK/audit-verify.txt" 2>&1 || {
	cat "$VM_WORK/audit-verify.txt"
	vm_fail "evl-audit verify failed"
}
vm_result audit_verify "$(head -n1 "$VM_WORK/audit-verify.txt")"
audit_records | vm_capture audit-trail.jsonl
