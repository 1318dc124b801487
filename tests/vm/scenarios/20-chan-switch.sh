# CHAN_SWITCH through hostapd's control socket around a radar, and real control-socket replies
# for the parsers (tests/vm/captures/). Two races on a DFS channel with a station attached:
#  A: CHAN_SWITCH sent the moment mac80211:api_radar_detected shows up (as evld would, with a
#     trace_pipe instead of the BPF ring buffer): who wins, hostapd's own DFS reaction or us?
#  B: CHAN_SWITCH sent just before the radar: hostapd must start no switch or CAC of its own
#     (ARCHITECTURE fact), the AP lands on 36 without a CAC. Asserted.
. "$VM_DIR/lib.sh"
trap vm_collect EXIT
CSA="CHAN_SWITCH 10 5180 blocktx ht"

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

# Replies as they come off the socket (no trailing newline added).
ap_cmd wlan0 STATUS | vm_capture reply-status-enabled.txt
ap_cmd wlan0 SET ap_max_inactivity 300 | vm_capture reply-set-ok.txt
ap_cmd wlan0 SET no_such_field 1 | vm_capture reply-set-fail.txt
ap_cmd wlan0 CHAN_SWITCH 10 1234 | vm_capture reply-chan-switch-fail-freq.txt
ap_cmd wlan0 CHAN_SWITCH ten | vm_capture reply-chan-switch-fail-syntax.txt
ap_cmd wlan0 STA-FIRST | vm_capture reply-sta-first.txt
ap_cmd wlan0 PING | vm_capture reply-ping.txt
sta_cmd wlan1 STATUS | vm_capture reply-wpas-status.txt
grep -q '^OK' "$VM_RESULTS/captures/reply-set-ok.txt" || vm_fail "SET ap_max_inactivity refused"
grep -q '^FAIL' "$VM_RESULTS/captures/reply-chan-switch-fail-freq.txt" ||
	vm_fail "CHAN_SWITCH to 1234 MHz not refused"

# race RUN: radar on the AP's DFS channel; record who reacted and when (results prefixed RUN_).
race_report() {
	r=$1 n=$2 ns=$3
	l=$(ap_wait_event 10 wlan0 "$n" 'DFS-RADAR-DETECTED') || vm_fail "$r: hostapd saw no radar"
	t_radar=$(trace_realtime "radar-$r" api_radar_detected)
	[ -n "$t_radar" ] || vm_fail "$r: api_radar_detected not in the trace"
	vm_result "${r}_radar_to_hostapd_event_ms" "$(vm_ms "$t_radar" "$(vm_ts "$l")")"
	l=$(ap_wait_event 150 wlan0 "$n" 'AP-CSA-FINISHED|AP-ENABLED') ||
		vm_fail "$r: AP not back on air within 150 s"
	vm_result "${r}_radar_to_on_air_s" "$(vm_sub "$t_radar" "$(vm_ts "$l")")"
	vm_result "${r}_on_air_freq" "$(ap_status wlan0 freq)"
	own=no
	vm_log_after "$log" "$n" 'DFS-NEW-CHANNEL' >/dev/null && own=yes
	vm_result "${r}_hostapd_own_switch" "$own"
	cac=no
	vm_log_after "$log" "$n" 'DFS-CAC-START' >/dev/null && cac=yes
	vm_result "${r}_new_cac" "$cac"
	vm_result "${r}_sta" "$(sta_fate wlan1 "$ns" "$t_radar")"
	ap_cmd wlan0 STATUS | vm_capture "reply-status-after-$r.txt"
}

# --- A: switch requested on api_radar_detected ---------------------------------------------
pipe=$(trace_instance evl-trigger mac80211:api_radar_detected)
vm-ctrl "$HOSTAPD_CTRL/wlan0" on-trace "$pipe" api_radar_detected $CSA >"$VM_WORK/race-a.txt" 2>&1 &
trig=$!
sleep 1
n=$(vm_lines "$log")
ns=$(vm_lines "$(sta_log wlan1)")
trace_mark radar-a
radar wlan0
wait $trig
vm_log "race A trigger: $(cat "$VM_WORK/race-a.txt")"
cp "$VM_WORK/race-a.txt" "$VM_RESULTS/race-a.txt"
t_seen=$(sed -n 's/.*seen=\([0-9.]*\).*/\1/p' "$VM_WORK/race-a.txt")
reply=$(sed -n "s/.*reply='\([^']*\)'.*/\1/p" "$VM_WORK/race-a.txt")
vm_result a_chan_switch_reply "$reply"
race_report a "$n" "$ns"
t_radar=$(trace_realtime radar-a api_radar_detected)
vm_result a_radar_to_switch_request_ms "$(vm_ms "$t_radar" "$t_seen")"
# hostapd reads its sockets in arrival order: what counts is our request vs the nl80211 radar
# event (sent right after cfg80211:cfg80211_radar_event), not vs hostapd's log line.
t_nl=$(trace_realtime radar-a cfg80211_radar_event)
vm_result a_radar_to_nl80211_event_ms "$(vm_ms "$t_radar" "$t_nl")"
vm_result a_request_after_nl80211_event_ms "$(vm_ms "$t_nl" "$t_seen")"

# --- B: switch requested just before the radar, on a fresh DFS channel -----------------------
ch=100
[ "$(ap_status wlan0 channel)" = 100 ] && ch=104
n=$(vm_lines "$log")
ap_cmd wlan0 DISABLE | vm_capture reply-disable.txt
ap_wait_event 10 wlan0 "$n" 'AP-DISABLED' >/dev/null || vm_fail "DISABLE: no AP-DISABLED"
ap_cmd wlan0 SET channel "$ch" | vm_capture reply-set-channel.txt
ap_cmd wlan0 ENABLE | vm_capture reply-enable.txt
ap_wait_event 120 wlan0 "$n" 'AP-ENABLED' >/dev/null || vm_fail "ENABLE on channel $ch: AP not enabled"
[ "$(ap_status wlan0 channel)" = "$ch" ] || vm_fail "AP on channel $(ap_status wlan0 channel), not $ch"
sta_wait_event 90 wlan1 "$(vm_lines "$(sta_log wlan1)")" 'CTRL-EVENT-CONNECTED' >/dev/null ||
	sta_cmd wlan1 STATUS | grep -q 'wpa_state=COMPLETED' || vm_fail "station not back on channel $ch"
n=$(vm_lines "$log")
ns=$(vm_lines "$(sta_log wlan1)")
ap_cmd wlan0 $CSA | vm_capture reply-chan-switch-ok.txt
trace_mark radar-b
radar wlan0
grep -q '^OK' "$VM_RESULTS/captures/reply-chan-switch-ok.txt" || vm_fail "B: $CSA refused"
race_report b "$n" "$ns"

cp "$(ap_events wlan0)" "$VM_RESULTS/captures/hostapd-events-chan-switch.txt"
cp "$(sta_events wlan1)" "$VM_RESULTS/captures/wpas-events-chan-switch.txt"
[ "$(ap_status wlan0 state)" = ENABLED ] || vm_fail "B: AP not ENABLED after the switch"
[ "$(ap_status wlan0 freq)" = 5180 ] || vm_fail "B: AP on $(ap_status wlan0 freq), not 5180"
vm_log_after "$log" "$n" 'DFS-CAC-START' >/dev/null && vm_fail "B: hostapd started a CAC"
vm_log_after "$log" "$n" 'DFS-NEW-CHANNEL' >/dev/null && vm_fail "B: hostapd made its own switch"
vm_result b_verdict "switch in progress -> hostapd skipped its own DFS reaction, no CAC"
