# A firmware restart is not an outage (issue 15). Three hwsim radios: AP wlan0 (channel 36),
# its sibling AP wlan1 (channel 44, same SSID, both bss_transition=1), station wlan2, evld on
# both APs with a short back-off (hw_backoff_s=8).
#  1. One ieee80211_restart_hw() on wlan0 (test-only module): evld records it, the AP beacons
#     on, the station stays, no DISABLE.
#  2. Two more restarts within hw_restart_window_s: a crash loop -> failover: the station is
#     asked (BTM) to move to wlan1 and follows, wlan0 is disabled, then re-enabled by the
#     back-off.
#  3. wlan1's radio deleted at run time (HWSIM_CMD_DEL_RADIO): the same failover, the station
#     ends up on wlan0.
. "$VM_DIR/lib.sh"
trap vm_collect EXIT

hwsim_load 3
reg_set DE
ap_start wlan0 36 bss_transition=1
ap_wait_event 30 wlan0 0 'AP-ENABLED' >/dev/null || vm_fail "AP wlan0 not enabled on 36"
bssid0=$(ap_status wlan0 'bssid\[0\]')
sta_start wlan2
sta_wait_event 60 wlan2 0 "CTRL-EVENT-CONNECTED - Connection to $bssid0" >/dev/null ||
	vm_fail "station did not associate with wlan0"
ap_start wlan1 44 bss_transition=1
ap_wait_event 30 wlan1 0 'AP-ENABLED' >/dev/null || vm_fail "AP wlan1 not enabled on 44"
bssid1=$(ap_status wlan1 'bssid\[0\]')
[ "$bssid0" != "$bssid1" ] || vm_fail "both APs report BSSID $bssid0"

evld_conf wlan0 hw_backoff_s=8 hw_recover_s=10 interface=wlan1 actuator=hostapd
evld_start
log=$(evld_log)
evld_wait_log 60 0 'restart_hw .*attached' >/dev/null || vm_fail "restart_hw hook not attached"
sleep 2

# --- 1. one restart: recorded, recovered, nothing else --------------------------------------
el=$(vm_lines "$log") sl=$(vm_lines "$(sta_log wlan2)") al=$(vm_lines "$(ap_events wlan0)")
t0=$(vm_now)
hw_restart wlan0
evld_wait_log 20 "$el" 'wlan0: hw_restart watching' >/dev/null || vm_fail "evld did not record the restart"
l=$(evld_wait_log 20 "$el" 'wlan0: hw_restart recovered') || vm_fail "restart not seen as recovered"
vm_log "evld: $l"
sleep 5 # the station and hostapd have time to show any harm
vm_log_after "$log" "$el" 'failover for' && vm_fail "evld failed over after one restart"
vm_log_after "$(ap_events wlan0)" "$al" 'AP-DISABLED' && vm_fail "wlan0 was disabled"
[ "$(ap_status wlan0 state)" = ENABLED ] || vm_fail "wlan0 not ENABLED after the restart"
vm_result restart_recovered yes
fate=$(sta_fate wlan2 "$sl" "$t0")
[ "$fate" = "stayed associated" ] || vm_fail "station after one restart: $fate"
vm_result restart_sta_stayed yes

# --- 2. crash loop: two more restarts -> failover to wlan1 ------------------------------------
el=$(vm_lines "$log") sl=$(vm_lines "$(sta_log wlan2)") al=$(vm_lines "$(ap_events wlan0)")
hw_restart wlan0
evld_wait_log 20 "$el" 'wlan0: hw_restart recovered' >/dev/null || vm_fail "second restart not recovered"
t0=$(vm_now)
hw_restart wlan0
evld_wait_log 20 "$el" 'wlan0: hw_failure failover: crash_loop' >/dev/null || vm_fail "no crash-loop failover"
evld_wait_log 10 "$el" 'wlan0: bss_transition success' >/dev/null ||
	vm_fail "no BTM request: $(vm_log_after "$log" "$el" 'bss_transition')"
l=$(sta_wait_event 60 wlan2 "$sl" "CTRL-EVENT-CONNECTED - Connection to $bssid1") ||
	vm_fail "station did not move to wlan1"
# it moved because of the request: accepted towards wlan1 (hostapd's BSS-TM-RESP), and
# before wlan0 stopped
vm_log_after "$(ap_events wlan0)" "$al" "BSS-TM-RESP .*status_code=0 .*target_bssid=$bssid1" >/dev/null ||
	vm_fail "station did not accept the BTM request: $(vm_log_after "$(ap_events wlan0)" "$al" 'BSS-TM-RESP')"
vm_result sta_moved_s "$(vm_sub "$t0" "$(vm_ts "$l")")"
d=$(vm_wait_log 20 "$(ap_events wlan0)" "$al" 'AP-DISABLED') || vm_fail "wlan0 not disabled by the failover"
[ "$(vm_sub "$(vm_ts "$l")" "$(vm_ts "$d")" | cut -c1)" != - ] || vm_fail "station moved only after wlan0 stopped"
l=$(vm_wait_log 40 "$(ap_events wlan0)" "$al" 'AP-ENABLED') || vm_fail "wlan0 not re-enabled by the back-off"
evld_wait_log 20 "$el" 'wlan0: hw_failure ended: back' >/dev/null || vm_fail "failover did not end"
vm_result crashloop_failover yes

# --- 3. wlan1's radio disappears: the station ends up on wlan0 ------------------------------
sleep 2
el=$(vm_lines "$log") sl=$(vm_lines "$(sta_log wlan2)")
t0=$(vm_now)
hwsim_del wlan1
evld_wait_log 20 "$el" 'wlan1: hw_failure failover: radio_gone' >/dev/null || vm_fail "no failover for the removed radio"
l=$(sta_wait_event 90 wlan2 "$sl" "CTRL-EVENT-CONNECTED - Connection to $bssid0") ||
	vm_fail "station did not come back to wlan0"
vm_result radio_gone_sta_back_s "$(vm_sub "$t0" "$(vm_ts "$l")")"
evld_wait_log 30 "$el" 'wlan1: failover for hw_failure (success|failed): state 1 -> 0' >/dev/null ||
	vm_fail "no back-off attempt for the removed radio"
vm_result radio_gone_failover yes

evld_alive || vm_fail "evld died"
grep -h 'evl_interface_hw_restarts_total{interface="wlan0"}' "$EVLD_DIR/evl.prom" | vm_capture metrics-hw.txt
grep -q 'evl_interface_hw_restarts_total{interface="wlan0"} 3' "$EVLD_DIR/evl.prom" ||
	vm_fail "metric: $(grep hw_restarts "$EVLD_DIR/evl.prom")"
evld_stop
audit_verify >"$VM_WORK/audit-verify.txt" 2>&1 || { cat "$VM_WORK/audit-verify.txt"; vm_fail "evl-audit verify failed"; }
