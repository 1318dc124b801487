# Baseline: hostapd alone on DFS channel 52 (DE) with one station; radar -> how long until
# the AP beacons again, on which channel, and whether that took a new CAC.
. "$VM_DIR/lib.sh"
trap vm_collect EXIT

hwsim_load 2
reg_set DE
trace_on mac80211:api_radar_detected cfg80211:cfg80211_radar_event cfg80211:cfg80211_cac_event \
	cfg80211:cfg80211_ch_switch_started_notify cfg80211:cfg80211_ch_switch_notify \
	cfg80211:cfg80211_new_sta cfg80211:cfg80211_del_sta
ap_start wlan0 52
log=$(ap_log wlan0)

l=$(ap_wait_event 30 wlan0 0 'DFS-CAC-START') || vm_fail "hostapd started no CAC on channel 52"
t_cac=$(vm_ts "$l")
l=$(ap_wait_event 120 wlan0 0 'AP-ENABLED') || vm_fail "AP not enabled after the CAC on 52"
vm_result initial_cac_s "$(vm_sub "$t_cac" "$(vm_ts "$l")")"
[ "$(ap_status wlan0 freq)" = 5260 ] || vm_fail "AP not on 5260 MHz: $(ap_cmd wlan0 STATUS)"

sta_start wlan1
l=$(sta_wait_event 90 wlan1 0 'CTRL-EVENT-CONNECTED') || vm_fail "station did not associate"
vm_log "station: $l"
ap_cmd wlan0 STATUS | vm_capture hostapd-status-ch52-enabled.txt
ap_cmd wlan0 STA-FIRST | vm_capture hostapd-sta-first.txt

n=$(vm_lines "$log")
ns=$(vm_lines "$(sta_log wlan1)")
trace_mark radar
t_radar=$(vm_now)
radar wlan0
l=$(ap_wait_event 10 wlan0 "$n" 'DFS-RADAR-DETECTED') || vm_fail "hostapd saw no radar"
# From here on, radar time is the kernel's (mac80211:api_radar_detected), not the shell's.
t_radar=$(trace_realtime radar api_radar_detected)
[ -n "$t_radar" ] || vm_fail "api_radar_detected not in the trace"
vm_result radar_to_hostapd_event_ms "$(vm_ms "$t_radar" "$(vm_ts "$l")")"
vm_result radar_to_nl80211_event_ms \
	"$(vm_ms "$t_radar" "$(trace_realtime radar cfg80211_radar_event)")"
l=$(ap_wait_event 200 wlan0 "$n" 'AP-CSA-FINISHED|AP-ENABLED') ||
	vm_fail "AP not back on air within 200 s of the radar"
t_air=$(vm_ts "$l")
case $l in
*AP-CSA-FINISHED*) how=csa freq=$(vm_field "$l" freq) ;;
*) how=restart freq=$(ap_status wlan0 freq) ;;
esac
ap_cmd wlan0 STATUS | vm_capture hostapd-status-after-radar.txt
vm_result radar_to_on_air_s "$(vm_sub "$t_radar" "$t_air")"
vm_result new_freq_mhz "$freq"
vm_result new_channel "$(ap_status wlan0 channel)"
vm_result back_on_air_by "$how"
if vm_log_after "$log" "$n" 'DFS-CAC-START' >/dev/null; then
	vm_result new_cac yes
else
	vm_result new_cac no
fi
vm_log_after "$log" "$n" 'failed to schedule CSA' >/dev/null && vm_result csa_fallback yes
vm_result sta "$(sta_fate wlan1 "$ns" "$t_radar")"
# cfg80211 resets every channel's DFS state to 'usable' whenever the regulatory domain is
# re-applied (reg.c handle_channel_single_rule); hostapd's fallback restart does that.
state=$(dfs_state wlan0 5260)
vm_result ch52_dfs_state "$state"
vm_result regdom_changes_after_radar \
	"$(tail -n "+$((ns + 1))" "$(sta_log wlan1)" | grep -c 'REGDOM-CHANGE')"
iw phy "$(phy_of wlan0)" channels | vm_capture iw-phy-channels-after-radar.txt

# What a user sees: the AP is up again, off the radar channel.
[ "$(ap_status wlan0 state)" = ENABLED ] || vm_fail "AP state $(ap_status wlan0 state) after radar"
[ "$freq" != 5260 ] || vm_fail "AP still on the radar channel"
hostapd -v 2>&1 | head -n1 | vm_capture hostapd-version.txt
cp "$(ap_events wlan0)" "$VM_RESULTS/captures/hostapd-events-baseline.txt"
