# Radar on DFS channels with hostapd at its default priority, evld running vs hostapd alone.
# Radios wlan0..wlan11 (each its own wiphy, so each its own DFS state), station wlan12 on wlan0.
#  evld (DE):    wlan0-7 on 52 56 60 64 100 104 108 112 after one parallel CAC; a radar on each
#                in turn. Asserted per trial: back on air with no new CAC and no AP-DISABLED,
#                on a channel evld had armed as hostapd's radar fallback, radar -> on air at
#                most 0.6 s (DE only), the station (on wlan0) associated throughout. Reported: whether
#                evld's CHAN_SWITCH was first or hostapd's own (armed) reaction.
#  alone (DE):   wlan8-11 on 52 56 60 64 (same CAC), no evld: hostapd's own random pick;
#                reported: how many trials went off the air for more than 10 s, and how long.
#  openwrt (DE): wlan0-3 again, hostapd.conf with chanlist=<its own DFS channel> (OpenWrt's
#                fixed-channel setting, which leaves hostapd's own reaction no channel).
#  us (US):      wlan4-5 on 52 56, country US.
. "$VM_DIR/lib.sh"
trap vm_collect EXIT

MAX_ON_AIR=0.6
hwsim_load 13
# Each AP radio hears only itself (and wlan0 the station): 12 APs beaconing into one shared
# medium would keep the one TCG vCPU busy delivering frames nobody needs.
for k in 0 1 2 3 4 5 6 7 8 9 10 11; do
	hwsim_group "wlan$k" $((1 << k))
done
hwsim_group wlan12 1
reg_set DE
trace_on mac80211:api_radar_detected cfg80211:cfg80211_radar_event cfg80211:cfg80211_cac_event \
	cfg80211:cfg80211_ch_switch_started_notify cfg80211:cfg80211_ch_switch_notify
vm_result kernel "$(uname -r)"

# aps_up "IFACE:CHANNEL ..." [CONF_LINE...]: one hostapd each, all CACs in parallel; the first
# one keeps SSID evl-vm (the station's), the others get their own.
aps_up() {
	_list=$1
	shift
	for _p in $_list; do
		_if=${_p%:*}
		_ssid=evl-vm
		[ "$_if" = wlan0 ] || _ssid=evl-vm-$_if
		ap_start "$_if" "${_p#*:}" "ssid=$_ssid" "$@"
	done
	for _p in $_list; do
		_if=${_p%:*}
		ap_wait_event 150 "$_if" 0 'AP-ENABLED' >/dev/null ||
			vm_fail "$_if: not enabled after the CAC on ${_p#*:}"
	done
}
aps_down() {
	for _p in $1; do ap_stop "${_p%:*}"; done
	sleep 1
}
# evld_up "IFACE..." [CONF_LINE...]: evld managing these hostapd interfaces; with OPENWRT set,
# each interface's evld.conf names its hostapd.conf chanlist (its channel) for the restore.
evld_up() {
	_ifs=$1
	shift
	for _if in ${_ifs#* }; do
		set -- "$@" "interface=$_if" "actuator=hostapd"
		[ -z "${OPENWRT:-}" ] || set -- "$@" "chanlist=$(ap_status "$_if" channel)"
	done
	evld_conf "${_ifs%% *}" "$@"
	[ -z "${OPENWRT:-}" ] || echo "chanlist=$(ap_status "${_ifs%% *}" channel)" >>"$EVLD_DIR/evld.conf"
	el=$(vm_lines "$(evld_log)")
	evld_start
	evld_wait_log 10 "$el" 'radar hooks attached' >/dev/null ||
		vm_fail "evld's BPF radar hooks not attached (see evld.log)"
	for _if in $_ifs; do
		evld_wait_log 10 "$el" "dfs: $_if: radar fallback armed" >/dev/null ||
			vm_fail "$_if: evld armed no radar fallback"
	done
}
# armed IFACE: the channels evld armed in hostapd for IFACE (evlctl status).
armed() {
	evlctl status | awk -v ap="$1:" '$1 == ap { hit = 1; next }
		hit && /radar fallback armed:/ { sub(/.*armed: */, ""); print; exit }
		hit { exit }'
}

# trial NAME IFACE EVLD(yes|no) [STATION_IFACE]: one radar on IFACE; waits for the outcome,
# records NAME_* results and sets: air (s, or "none"), cac, disabled, first, chan.
trial() {
	_n=$1 _if=$2 _evld=$3 _sta=${4:-}
	_log=$(ap_log "$_if")
	_l0=$(vm_lines "$_log")
	[ -n "$_sta" ] && _s0=$(vm_lines "$(sta_log "$_sta")")
	_arm=""
	[ "$_evld" = yes ] && _arm=$(armed "$_if")
	_from=$(ap_status "$_if" channel)
	trace_mark "radar-$_n"
	radar "$_if"
	ap_wait_event 10 "$_if" "$_l0" 'DFS-RADAR-DETECTED' >/dev/null || vm_fail "$_n: hostapd saw no radar"
	_tr=$(trace_realtime "radar-$_n" api_radar_detected)
	[ -n "$_tr" ] || vm_fail "$_n: api_radar_detected not in the trace"
	air=none cac=no disabled=no first=none
	# On air: the kernel's switch to the new channel (beacons resume there), or after a new
	# CAC hostapd's AP-ENABLED.
	if _l=$(ap_wait_event "${TRIAL_WAIT:-10}" "$_if" "$_l0" 'AP-CSA-FINISHED|AP-ENABLED'); then
		_ta=$(vm_ts "$_l")
		case $_l in *AP-CSA-FINISHED*)
			_tk=$(trace_realtime "radar-$_n" cfg80211_ch_switch_notify "netdev:$_if(")
			[ -n "$_tk" ] && _ta=$_tk ;;
		esac
		air=$(vm_sub "$_tr" "$_ta")
	fi
	vm_log_after "$_log" "$_l0" 'DFS-CAC-START' >/dev/null && cac=yes
	vm_log_after "$_log" "$_l0" 'AP-DISABLED' >/dev/null && disabled=yes
	chan=$(ap_status "$_if" channel)
	if vm_log_after "$_log" "$_l0" 'DFS-NEW-CHANNEL' >/dev/null; then
		first=hostapd
	elif [ "$air" != none ]; then
		first=evld
	fi
	vm_result "${_n}_radar" "$_if ch$_from -> ch$chan, on air after ${air} s, cac=$cac disabled=$disabled, first=$first${_arm:+, armed: $_arm}"
	if [ -n "$_sta" ]; then
		sta=$(sta_fate "$_sta" "$_s0" "$_tr")
		vm_result "${_n}_sta" "$sta"
	fi
	if [ "$_evld" = yes ]; then
		[ "$cac" = no ] && [ "$disabled" = no ] || vm_fail "$_n: a new CAC or AP-DISABLED after the radar"
		[ "$air" != none ] || vm_fail "$_n: not back on air"
		case " $_arm " in *" $chan "*) ;; *) vm_fail "$_n: on channel $chan, not one evld armed ($_arm)" ;; esac
		[ -z "${BOUND:-}" ] || awk -v a="$air" -v m="$MAX_ON_AIR" 'BEGIN { exit !(a <= m) }' ||
			vm_fail "$_n: radar -> on air $air s, above $MAX_ON_AIR s"
		[ -z "$_sta" ] || [ "$sta" = "stayed associated" ] || vm_fail "$_n: station: $sta"
	fi
}
# tally PREFIX: PREFIX_trials, PREFIX_cac_free, PREFIX_on_air_max_s from the trial loop.
n_tr=0 n_free=0 air_max=0 n_evld=0 n_armed=0
count() {
	n_tr=$((n_tr + 1))
	[ "$cac" = no ] && [ "$disabled" = no ] && [ "$air" != none ] && n_free=$((n_free + 1))
	[ "$air" != none ] && air_max=$(awk -v a="$air" -v m="$air_max" 'BEGIN { print (a > m) ? a : m }')
	[ "$first" = evld ] && n_evld=$((n_evld + 1))
	[ "$first" = hostapd ] && n_armed=$((n_armed + 1))
}

# --- DE: evld on wlan0-7 -------------------------------------------------------------------
EVLD_APS="wlan0:52 wlan1:56 wlan2:60 wlan3:64 wlan4:100 wlan5:104 wlan6:108 wlan7:112"
ALONE_APS="wlan8:52 wlan9:56 wlan10:60 wlan11:64"
OW_APS="wlan0:116 wlan1:132 wlan2:136 wlan3:140"
aps_up "$EVLD_APS"
sta_start wlan12
sta_wait_event 60 wlan12 0 'CTRL-EVENT-CONNECTED' >/dev/null || vm_fail "station did not associate"
evld_up "wlan0 wlan1 wlan2 wlan3 wlan4 wlan5 wlan6 wlan7"
evlctl status | vm_capture evlctl-status-armed.txt
for p in $EVLD_APS; do
	i=${p%:*}
	st=""
	[ "$i" = wlan0 ] && st=wlan12
	BOUND=1 trial "evld_$i" "$i" yes $st
	count
	sleep 2
done
evld_alive || vm_fail "evld died"
vm_result evld_trials "$n_tr"
vm_result evld_cac_free "$n_free"
vm_result evld_on_air_max_s "$air_max"
vm_result evld_first "$n_evld"
vm_result armed_first "$n_armed"
evlctl nop | vm_capture evlctl-nop.txt
evld_stop
sta_stop wlan12
aps_down "$EVLD_APS"

# --- OpenWrt-style hostapd.conf (chanlist=<its own channel>) on wlan0-3 with evld, and
# hostapd alone on wlan8-11, after one CAC -------------------------------------------------
for p in $OW_APS; do
	ap_start "${p%:*}" "${p#*:}" "ssid=evl-vm-${p%:*}" "chanlist=${p#*:}"
done
aps_up "$ALONE_APS"
for p in $OW_APS; do
	ap_wait_event 150 "${p%:*}" 0 'AP-ENABLED' >/dev/null || vm_fail "${p%:*}: not enabled on ${p#*:}"
done

# hostapd alone: radars in quick succession, then the outcomes (a CAC takes 60 s).
a_tr=0 a_off=0 a_offs="" pids=""
for p in $ALONE_APS; do
	i=${p%:*}
	TRIAL_WAIT=90 trial "alone_$i" "$i" no &
	pids="$pids $!"
	sleep 3
done
# shellcheck disable=SC2086 # (not plain `wait`: hostapd runs in the background too)
wait $pids
for p in $ALONE_APS; do
	i=${p%:*}
	r=$(sed -n "s/^alone_${i}_radar=//p" "$VM_RESULTS/result.txt")
	a=$(echo "$r" | sed -n 's/.*on air after \([^ ]*\) s.*/\1/p')
	a_tr=$((a_tr + 1))
	case $r in *cac=yes* | *disabled=yes* | *"after none"*)
		a_off=$((a_off + 1))
		a_offs="$a_offs ${a:-none}" ;;
	*)
		awk -v a="$a" 'BEGIN { exit !(a > 10) }' && { a_off=$((a_off + 1)); a_offs="$a_offs $a"; } ;;
	esac
done
vm_result alone_trials "$a_tr"
vm_result alone_off_air_over_10s "$a_off${a_offs:+ (off air:$a_offs s)}"
aps_down "$ALONE_APS"

n_tr=0 n_free=0 air_max=0 n_evld=0 n_armed=0
OPENWRT=1 evld_up "wlan0 wlan1 wlan2 wlan3"
for p in $OW_APS; do
	trial "openwrt_${p%:*}" "${p%:*}" yes
	count
	sleep 2
done
vm_result openwrt_trials "$n_tr"
vm_result openwrt_on_air "$n_free"
el=$(vm_lines "$(evld_log)")
evld_stop
evld_wait_log 5 "$el" 'dfs: wlan0: chanlist restored: 116' >/dev/null ||
	vm_fail "evld did not restore wlan0's chanlist 116 on stop"
aps_down "$OW_APS"

# --- US ------------------------------------------------------------------------------------
US_APS="wlan4:52 wlan5:56"
n_tr=0 n_free=0 air_max=0 n_evld=0 n_armed=0
reg_set US
aps_up "$US_APS" country_code=US
evld_up "wlan4 wlan5" country=US
for p in $US_APS; do
	trial "us_${p%:*}" "${p%:*}" yes
	count
	sleep 2
done
vm_result us_trials "$n_tr"
vm_result us_cac_free "$n_free"
evld_stop
aps_down "$US_APS"

audit_verify >"$VM_WORK/audit-verify.txt" 2>&1 || {
	cat "$VM_WORK/audit-verify.txt"
	vm_fail "evl-audit verify failed"
}
vm_result audit_verify "$(head -n1 "$VM_WORK/audit-verify.txt")"
audit_records | vm_capture audit-trail.jsonl
