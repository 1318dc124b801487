# evld's off-channel scans steer the radar move (issue 12). DE, 20 MHz, hostapd at its default
# priority, one hwsim radio per AP. Trial APs wlan0-3 (52 56 60 64) and wlan4-7 (100 104 108
# 112) after one parallel CAC; neighbour APs on wlan8-10; station wlan11 on wlan0.
#  round A: neighbours on 36 40 44, heard by wlan0-3 only (hwsim groups). evld's first scan
#           must list them on those channels (evlctl channels --json), a radar on each of
#           wlan0-3 must move it to 48, the one free CAC-free channel.
#  round B: neighbours on 36 44 48, heard by wlan4-7; `evlctl scan` of wlan4-7 (and wlan0, with
#           its station); a radar on each of wlan4-7 must move it to 40, the last one while a
#           new scan of wlan7 is off-channel (the scan is aborted, the move goes ahead).
# The station stays associated through every scan. Results: scan_neighbours_seen,
# select_trials, select_best (trials that landed on the free channel), scan_offchannel_ms.
. "$VM_DIR/lib.sh"
trap vm_collect EXIT

hwsim_load 12
for k in 0 1 2 3 4 5 6 7; do hwsim_group "wlan$k" $((1 << k)); done
hwsim_group wlan11 1
reg_set DE
trace_on mac80211:api_radar_detected cfg80211:cfg80211_ch_switch_notify
vm_result kernel "$(uname -r)"

TRIAL_A="wlan0:52 wlan1:56 wlan2:60 wlan3:64"
TRIAL_B="wlan4:100 wlan5:104 wlan6:108 wlan7:112"
for p in $TRIAL_A $TRIAL_B; do
	_if=${p%:*} _ssid=evl-vm
	[ "$_if" = wlan0 ] || _ssid=evl-vm-$_if
	ap_start "$_if" "${p#*:}" "ssid=$_ssid"
done
for p in $TRIAL_A $TRIAL_B; do
	ap_wait_event 150 "${p%:*}" 0 'AP-ENABLED' >/dev/null || vm_fail "${p%:*}: not enabled after the CAC"
done

# neighbours MASK CH CH CH: the three neighbour APs on these channels, heard by group MASK.
neighbours() {
	_m=$1
	shift
	for k in 8 9 10; do
		ap_stop "wlan$k"
		hwsim_group "wlan$k" "$_m"
	done
	sleep 1
	k=8
	for c in "$@"; do
		ap_start "wlan$k" "$c" "ssid=nb-$c"
		k=$((k + 1))
	done
	for k in 8 9 10; do
		ap_wait_event 20 "wlan$k" 0 'AP-ENABLED' >/dev/null || vm_fail "wlan$k: neighbour not up"
	done
}
# listed IFACE CH...: how many of these channels the AP's table shows with a neighbour
# (hwsim delivers every frame at one signal level), and fails when a channel not in the list shows one.
listed() {
	_if=$1
	shift
	evlctl channels "$_if" --json >"$VM_WORK/ch-$_if.json" || vm_fail "$_if: evlctl channels failed"
	_want=" $* "
	_seen=$(jq -r '.channels[] | select(.neighbors > 0) | .channel' "$VM_WORK/ch-$_if.json" | tr '\n' ' ')
	_n=0 _extra=""
	for c in $_seen; do
		case $_want in *" $c "*) _n=$((_n + 1)) ;; *) _extra=extra ;; esac
	done
	echo "$_n $_extra[ $_seen]"
}
# scan_wait IFACE FROMLINE: the end of a scan cycle in evld's log, after FROMLINE.
scan_wait() { evld_wait_log 60 "$2" "scan: $1: .* neighbour BSSs" >/dev/null || vm_fail "$1: no scan result"; }
# trial IFACE WANT: a radar, the channel hostapd ends on; counts select_best.
n_tr=0 n_best=0
trial() {
	_l0=$(vm_lines "$(ap_log "$1")")
	_arm=$(evlctl status | awk -v ap="$1:" '$1 == ap { h = 1; next } h && /armed:/ { sub(/.*armed: */, ""); print; exit } h { exit }')
	radar "$1"
	ap_wait_event 10 "$1" "$_l0" 'AP-CSA-FINISHED|AP-ENABLED' >/dev/null || vm_fail "$1: not back on air"
	vm_log_after "$(ap_log "$1")" "$_l0" 'DFS-CAC-START' >/dev/null && vm_fail "$1: a new CAC"
	_ch=$(ap_status "$1" channel)
	_who=evld
	vm_log_after "$(ap_log "$1")" "$_l0" 'DFS-NEW-CHANNEL' >/dev/null && _who=hostapd
	n_tr=$((n_tr + 1))
	[ "$_ch" = "$2" ] && n_best=$((n_best + 1))
	vm_result "trial_$1" "ch$_ch (free channel $2), moved by $_who, armed: $_arm"
	sleep 2
}
offch() { jq -r .scan.offchannel_ms "$VM_WORK/ch-$1.json"; }

# --- round A ---------------------------------------------------------------------------------
neighbours 15 36 40 44
sta_start wlan11
sta_wait_event 60 wlan11 0 'CTRL-EVENT-CONNECTED' >/dev/null || vm_fail "station did not associate"
s0=$(vm_lines "$(sta_log wlan11)")
set --
for p in $TRIAL_A $TRIAL_B; do set -- "$@" "interface=${p%:*}" "actuator=hostapd"; done
shift 2
evld_conf wlan0 "$@"
el=$(vm_lines "$(evld_log)")
evld_start
seen=0 offs=""
for p in $TRIAL_A; do
	i=${p%:*}
	scan_wait "$i" "$el"
	r=$(listed "$i" 36 40 44)
	vm_result "scan_$i" "neighbours on $r"
	case $r in *extra*) vm_fail "$i: a neighbour listed on a wrong channel: $r" ;; esac
	seen=$((seen + ${r%% *}))
	offs="$offs $(offch "$i")"
done
cp "$VM_WORK/ch-wlan0.json" "$VM_RESULTS/captures/evlctl-channels-wlan0.json"
vm-nldump scan wlan0 | vm_capture nl80211-scan-dump.hex
vm-nldump survey wlan0 | vm_capture nl80211-survey-dump.hex
evlctl channels wlan0 | vm_capture evlctl-channels-wlan0.txt
vm_result scan_neighbours_seen "$seen of 12 (wlan0-3, each 36 40 44)"
[ "$seen" = 12 ] || vm_fail "first scans listed $seen of the 12 neighbours"
vm_wait 10 sh -c "evlctl status | grep -A1 '^wlan3:' | grep -q 'armed: 48$'" ||
	vm_fail "wlan3: radar fallback not narrowed to 48 after the scan"
for p in $TRIAL_A; do trial "${p%:*}" 48; done

# --- round B ---------------------------------------------------------------------------------
neighbours 240 36 44 48
el=$(vm_lines "$(evld_log)")
vm-nldump events 40 >"$VM_WORK/scan-mcast.hex" &
ev=$!
for p in wlan0:0 $TRIAL_B; do evlctl scan "${p%:*}" >/dev/null || vm_fail "evlctl scan ${p%:*} refused"; done
for p in wlan0:0 $TRIAL_B; do scan_wait "${p%:*}" "$el"; done
kill "$ev" 2>/dev/null
vm_capture nl80211-scan-mcast.hex <"$VM_WORK/scan-mcast.hex"
for p in $TRIAL_B; do
	r=$(listed "${p%:*}" 36 44 48)
	vm_result "scan_${p%:*}" "neighbours on $r"
	offs="$offs $(offch "${p%:*}")"
done
for p in wlan4:100 wlan5:104 wlan6:108; do trial "${p%:*}" 40; done
sleep 2
# the last radar comes while wlan7 is off-channel: the scan is aborted, the move goes ahead
el=$(vm_lines "$(evld_log)") l0=$(vm_lines "$(ap_log wlan7)")
evlctl scan wlan7 >"$VM_WORK/scan-wlan7.txt" || vm_fail "evlctl scan wlan7 refused"
radar wlan7
ap_wait_event 10 wlan7 "$l0" 'AP-CSA-FINISHED|AP-ENABLED' >/dev/null || vm_fail "wlan7: not back on air"
vm_log_after "$(ap_log wlan7)" "$l0" 'DFS-CAC-START' >/dev/null && vm_fail "wlan7: a new CAC"
ch=$(ap_status wlan7 channel)
n_tr=$((n_tr + 1))
[ "$ch" = 40 ] && n_best=$((n_best + 1))
vm_result trial_wlan7 "ch$ch (free channel 40), radar during a scan ($(cat "$VM_WORK/scan-wlan7.txt"))"
l=$(evld_wait_log 5 "$el" 'scan: wlan7: scan aborted') ||
	vm_fail "wlan7: the radar did not abort the running scan"
vm_result scan_radar_abort "${l#*scan: }"

evld_alive || vm_fail "evld died"
vm_result select_trials "$n_tr"
vm_result select_best "$n_best"
cyc=$(grep -o 'scan: wlan0: [0-9]* channels, [0-9]* neighbour BSSs; [0-9]* ms off-channel in [0-9]* slices' \
	"$(evld_log)" | tail -1 | sed 's/.*: \([0-9]*\) channels,.* in \([0-9]*\) slices/\1 channels in \2 slices/')
vm_result scan_offchannel_ms "$(echo "$offs" | tr ' ' '\n' | sort -n | sed '/^$/d' | sed -n '1p;$p' | paste -sd- -) (per scan cycle, ${cyc:-?} of the kernel's plan; each AP's last)"
sta=$(sta_fate wlan11 "$s0" 0)
vm_result scan_station "$sta"
[ "$sta" = "stayed associated" ] || vm_fail "station: $sta"
[ "$n_best" = "$n_tr" ] || vm_fail "$n_best of $n_tr trials on the free channel"
audit_records | grep '"selection"' | tail -n 1 | vm_capture audit-selection.json
evld_stop
