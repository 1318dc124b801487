# make demo, inside the VM: hostapd on DFS channel 52 (DE) at its default priority with a
# station, evld running, one radar. Writes a readable timeline to $VM_RESULTS/timeline.txt (scripts/demo.sh prints it).
. "$VM_DIR/lib.sh"
trap vm_collect EXIT
T=$VM_RESULTS/timeline.txt
say() { echo "$*" | tee -a "$T"; }
# at REALTIME TEXT: one timeline line, milliseconds after the radar.
at() { printf '  %+10.3f ms  %s\n' "$(awk -v a="$t_radar" -v b="$1" 'BEGIN { print (b - a) * 1000 }')" "$2" |
	tee -a "$T"; }

hwsim_load 2
reg_set DE
trace_on mac80211:api_radar_detected cfg80211:cfg80211_radar_event \
	cfg80211:cfg80211_ch_switch_notify
say "kernel $(uname -r), mac80211_hwsim: wlan0 = AP radio (phy0), wlan1 = station (phy1)"
say "hostapd on channel 52 (5260 MHz, DFS, DE): 60 s channel availability check first ..."
ap_start wlan0 52
log=$(ap_log wlan0)
ap_wait_event 120 wlan0 0 'AP-ENABLED' >/dev/null || vm_fail "AP not enabled after the CAC on 52"
sta_start wlan1
sta_wait_event 60 wlan1 0 'CTRL-EVENT-CONNECTED' >/dev/null || vm_fail "station did not associate"
say "AP on air on 52, station $(cat /sys/class/net/wlan1/address) associated"
evld_conf wlan0
evld_start
evld_wait_log 10 0 'radar hooks attached' >/dev/null || vm_fail "evld: radar hooks not attached"
evld_wait_log 10 0 'radar fallback armed' >/dev/null || vm_fail "evld: no radar fallback armed"
armed=$(evlctl status | sed -n 's/.*radar fallback armed: *//p' | head -n1)
say "evld running: BPF radar hooks attached, SCHED_FIFO 50, maps pinned at /sys/fs/bpf/evl"
say "hostapd (default priority) armed by evld: its own radar fallback may pick only $armed"
say "  (the channels evld's selector would choose: no CAC, not in non-occupancy)"
say ""
say "radar injected on phy0 (mac80211_hwsim dfs_simulate_radar)"
n=$(vm_lines "$log")
ns=$(vm_lines "$(sta_log wlan1)")
el=$(vm_lines "$(evld_log)")
trace_mark radar
radar wlan0
l=$(ap_wait_event 10 wlan0 "$n" 'DFS-RADAR-DETECTED') || vm_fail "hostapd saw no radar"
t_hapd_radar=$(vm_ts "$l")
l=$(ap_wait_event 30 wlan0 "$n" 'AP-CSA-FINISHED|AP-ENABLED') || vm_fail "AP not back on air"
t_air=$(vm_ts "$l")
freq=$(ap_status wlan0 freq)
vm_wait 10 sh -c "cat $EVLD_DIR/audit/*.jsonl | grep -q '\"event_type\":\"dfs_radar\"'" ||
	vm_fail "no audit record of the radar move"
sleep 1
rec=$(audit_records | jq -c 'select(.event_type == "dfs_radar" and .kind == "action")' | tail -n1)
t_radar=$(trace_realtime radar api_radar_detected)
t_nl=$(trace_realtime radar cfg80211_radar_event)
us() { echo "$rec" | jq -r "$1 // empty"; }
d2a=$(us .detect_to_action_us)
issued=$(us .regulatory.radar_to_switch_issued_us)
confirmed=$(us .regulatory.radar_to_switch_confirmed_us)
from=$(echo "$rec" | jq -r '.configuration_changes[] | select(.param == "channel") | .old_value')
to=$(echo "$rec" | jq -r '.configuration_changes[] | select(.param == "channel") | .new_value')
status=$(us .execution_status)

say ""
say "timeline (kernel clock for the radar, hostapd's own log stamps, evld's audit record):"
at "$t_radar" "radar: mac80211 api_radar_detected (eBPF tp_btf hook -> ring buffer, wake-up)"
[ -n "$issued" ] && at "$(awk -v a="$t_radar" -v u="$issued" 'BEGIN { printf "%.6f", a + u / 1e6 }')" \
	"evld: CHAN_SWITCH $from -> $to sent to hostapd (blocktx, 5 beacons)"
at "$t_nl" "kernel: cfg80211 radar event (what hostapd itself reacts to)"
at "$t_hapd_radar" "hostapd: DFS-RADAR-DETECTED"
l=$(vm_log_after "$log" "$n" 'DFS-NEW-CHANNEL') &&
	at "$(vm_ts "$l")" "hostapd: its own move first, to channel $(vm_field "$l" chan) (from the armed list)"
[ -n "$confirmed" ] && at "$(awk -v a="$t_radar" -v u="$confirmed" 'BEGIN { printf "%.6f", a + u / 1e6 }')" \
	"evld: switch confirmed (AP-CSA-FINISHED / CH_SWITCH_NOTIFY)"
at "$t_air" "hostapd: AP beaconing again on $freq MHz"
say ""
say "channel chosen: $to, because the selector takes, in order: the country's channel plan, no"
say "  block holding the radar channel, nothing in non-occupancy, no CAC while a CAC-free"
say "  channel exists (so the AP never goes off the air), then the best score, randomised among"
say "  near-equal ones (ETSI uniform spreading)."
grep "^dfs: wlan0: channel_change\|^dfs: wlan0: detect" "$(evld_log)" | tail -n 2 | sed 's/^/  evld log: /' | tee -a "$T"
say "non-occupancy (30 min): $(evlctl nop | tr '\n' ' ')"
own=no
vm_log_after "$log" "$n" 'DFS-NEW-CHANNEL' >/dev/null && own=yes
cac=no
vm_log_after "$log" "$n" 'DFS-CAC-START' >/dev/null && cac=yes
chan=$(ap_status wlan0 channel)
say "hostapd made its own switch: $own; new CAC: $cac; station: $(sta_fate wlan1 "$ns" "$t_radar")"
[ "$own" = no ] || say "  (hostapd reacted before evld's request arrived; evld's request was refused as busy)"
say ""
say "latencies: radar -> evld switch request $(awk -v u="${d2a:-0}" 'BEGIN { printf "%.3f", u / 1000 }') ms;" \
	"radar -> AP on air on $freq MHz $(vm_sub "$t_radar" "$t_air") s (evld's action: $status)"
say "           hostapd alone (make vmtest, 30-evld-radar): a random channel; when that is a DFS"
say "           channel, a fallback restart and a new 60 s CAC: about a minute off the air"
evld_stop
if audit_verify >"$VM_WORK/verify.txt" 2>&1; then
	say "audit: $(cat "$VM_WORK/verify.txt")"
else
	say "audit: VERIFY FAILED: $(cat "$VM_WORK/verify.txt")"
	exit 1
fi
# Whoever moved first, the AP must be on air without a CAC on a channel evld armed.
[ "$cac" = no ] || vm_fail "a new CAC after the radar"
case " $armed " in *" $chan "*) ;; *) vm_fail "AP on channel $chan, not one evld armed ($armed)" ;; esac
