# Faults, with evld deployed as the README says: started as root, running as an unprivileged
# user (nobody) keeping only CAP_NET_ADMIN, hostapd's control socket group-accessible.
#  privileges: /proc/PID/status after start-up: every uid/gid nobody, CapEff = CAP_NET_ADMIN
#   only, NoNewPrivs 1, SCHED_FIFO kept.
#  hostapd dies during an action: the action is `failed` in the audit, evld keeps running and
#   re-attaches to the new hostapd.
#  evld SIGKILLed inside a monitoring window and restarted: the token survives, and a later
#   degradation (station isolated -> PER rise) still rolls the AP back.
. "$VM_DIR/lib.sh"
trap vm_collect EXIT
NOBODY=$(id -u nobody) NOGROUP=$(id -g nobody)

hwsim_load 2
reg_set DE
AP_EXTRA="ctrl_interface_group=$NOGROUP"
ap_start wlan0 36 "$AP_EXTRA"
ap_wait_event 30 wlan0 0 'AP-ENABLED' >/dev/null || vm_fail "AP not enabled on 36"
chmod 0770 "$HOSTAPD_CTRL"
sta_start wlan1
sta_wait_event 60 wlan1 0 'CTRL-EVENT-CONNECTED' >/dev/null || vm_fail "station did not associate"
sta_mac=$(cat /sys/class/net/wlan1/address)

evld_conf wlan0 user=nobody station_interval_ms=500 rollback_samples=2 cooldown_s=0 tput_drop_rel=1 \
	confirm_timeout_ms=3000
chown "$NOBODY:$NOGROUP" "$EVLD_DIR/audit.key" "$EVLD_DIR/site.secret"
evld_start
log=$(evld_log)

# --- privileges after start-up -----------------------------------------------------------
st=/proc/$(evld_pid)/status
cp "$st" "$VM_RESULTS/captures/evld-proc-status.txt"
uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")
gids=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$st")
capeff=$(awk '/^CapEff:/ { print $2 }' "$st")
capprm=$(awk '/^CapPrm:/ { print $2 }' "$st")
capbnd=$(awk '/^CapBnd:/ { print $2 }' "$st")
vm_result uid "$uids"
vm_result cap_eff "$capeff ($(capsh --decode="$capeff" 2>/dev/null | sed 's/.*=//'))"
vm_result cap_bnd "$capbnd"
vm_result no_new_privs "$(awk '/^NoNewPrivs:/ { print $2 }' "$st")"
vm_result sched "$(chrt -p "$(evld_pid)" | tr '\n' ' ')"
[ "$uids" = "$NOBODY $NOBODY $NOBODY $NOBODY" ] || vm_fail "evld uids: $uids"
[ "$gids" = "$NOGROUP $NOGROUP $NOGROUP $NOGROUP" ] || vm_fail "evld gids: $gids"
# CAP_NET_ADMIN is bit 12.
[ "$capeff" = 0000000000001000 ] || vm_fail "CapEff $capeff, want CAP_NET_ADMIN only"
[ "$capprm" = 0000000000001000 ] || vm_fail "CapPrm $capprm, want CAP_NET_ADMIN only"
[ "$(awk '/^NoNewPrivs:/ { print $2 }' "$st")" = 1 ] || vm_fail "no_new_privs not set"
chrt -p "$(evld_pid)" | grep -q SCHED_FIFO || vm_fail "evld lost SCHED_FIFO after the drop"

# --- hostapd dies during an action -----------------------------------------------------------
na=$(audit_records | wc -l)
hp=$(cat "$VM_WORK/hostapd-wlan0.pid")
kill -STOP "$hp" # hung: evld's CHAN_SWITCH gets no reply ...
evlctl inject --type non_wifi_burst --ap wlan0 --channel 36 --severity high --confidence 0.95 \
	>/dev/null || vm_fail "inject refused"
sleep 0.5
kill -KILL "$hp" # ... and then it is gone
vm_wait 15 sh -c "cat $EVLD_DIR/audit/*.jsonl | tail -n +$((na + 1)) | grep -q '\"event_type\":\"non_wifi_burst\"'" ||
	vm_fail "no audit record of the action hostapd died in"
rec=$(audit_records | tail -n "+$((na + 1))" | jq -c 'select(.event_type == "non_wifi_burst")' | tail -n1)
vm_log "audit: $rec"
vm_result hostapd_killed_action "$(echo "$rec" | jq -r '"\(.execution_status) (\(.reason))"')"
[ "$(echo "$rec" | jq -r .execution_status)" = failed ] || vm_fail "action not failed: $rec"
evld_alive || vm_fail "evld died with hostapd"
evlctl status >/dev/null || vm_fail "evld does not answer after hostapd died"
el=$(vm_lines "$log")
ap_stop wlan0
ap_start wlan0 36 "$AP_EXTRA"
ap_wait_event 30 wlan0 0 'AP-ENABLED' >/dev/null || vm_fail "restarted hostapd not enabled"
evld_wait_log 20 "$el" 'hostapd: wlan0: attached' >/dev/null || vm_fail "evld did not re-attach to hostapd"
vm_result hostapd_restart "evld re-attached"
vm_wait 60 sh -c "vm-ctrl $WPAS_CTRL/wlan1 request STATUS | grep -q wpa_state=COMPLETED" ||
	vm_fail "station not back"

# --- evld SIGKILLed in a monitoring window ---------------------------------------------------
( while :; do vm-ctrl "$HOSTAPD_CTRL/wlan0" request "POLL_STA $sta_mac" >/dev/null 2>&1; sleep 0.05; done ) &
poller=$!
trap 'kill $poller 2>/dev/null; vm_collect' EXIT
sleep 3 # healthy baseline samples
n=$(vm_lines "$(ap_log wlan0)")
evlctl inject --type non_wifi_burst --ap wlan0 --channel 36 --severity high --confidence 0.95 \
	>/dev/null || vm_fail "second inject refused"
l=$(ap_wait_event 20 wlan0 "$n" 'AP-CSA-FINISHED') || vm_fail "no channel switch after the inject"
to=$(vm_field "$l" freq)
vm_wait 10 sh -c "evlctl tokens | grep -q monitoring" || vm_fail "no token: $(evlctl tokens)"
tok=$(evlctl tokens --json | jq -r '.. | objects | select(has("token")) | .token' | head -n1)
vm_log "token $tok, AP on $to"
vm_wait 20 sh -c "vm-ctrl $WPAS_CTRL/wlan1 request STATUS | grep -q wpa_state=COMPLETED" || true
sleep 2
kill -KILL "$(evld_pid)"
wait "$(evld_pid)" 2>/dev/null
evld_start
evlctl tokens | vm_capture evlctl-tokens-after-kill9.txt
grep -q monitoring "$VM_RESULTS/captures/evlctl-tokens-after-kill9.txt" ||
	vm_fail "token lost across kill -9: $(evlctl tokens)"
[ -z "$tok" ] || grep -q "$tok" "$VM_RESULTS/captures/evlctl-tokens-after-kill9.txt" ||
	vm_fail "token $tok not restored"
vm_result token_after_kill9 "restored"
na=$(audit_records | wc -l)
n=$(vm_lines "$(ap_log wlan0)")
t_iso=$(vm_now)
hwsim_group wlan1 2
l=$(ap_wait_event 60 wlan0 "$n" 'AP-CSA-FINISHED') || vm_fail "no rollback after the restart"
[ "$(vm_field "$l" freq)" = 5180 ] || vm_fail "rolled back to $(vm_field "$l" freq), not 5180"
vm_result restart_then_rollback_s "$(vm_sub "$t_iso" "$(vm_ts "$l")")"
rec=$(audit_records | tail -n "+$((na + 1))" | jq -c 'select(.kind == "rollback")' | tail -n1)
vm_result rollback_after_restart "$(echo "$rec" | jq -r '"\(.execution_status) \(.reason)"')"
echo "$rec" | jq -e '.execution_status == "rolled_back"' >/dev/null || vm_fail "no rolled_back record: $rec"
evld_stop
audit_verify >"$VM_WORK/audit-verify.txt" 2>&1 || { cat "$VM_WORK/audit-verify.txt"; vm_fail "evl-audit verify failed"; }
vm_result audit_verify "$(head -n1 "$VM_WORK/audit-verify.txt")"
