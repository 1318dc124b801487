# The channel plan from the kernel, for any country (issue 12). 30-evld-radar's radar trial
# with the regulatory domain set to DE, FR and JP: evld reads each radio's channel list
# (disabled, no-IR, radar, max power) from the kernel and hands the core that plan.
#  DE: wlan0-3 on 52 56 60 64 after one parallel CAC, station wlan4 on wlan0, a radar on each:
#      asserted no new CAC, no AP-DISABLED, the station stays, and the move never lands on
#      149-165 (DE allows them at 25 mW only, below the AP's TX power).
#  FR, JP: wlan0-1 on 100 104 / 108 112 (evld.conf country=FR / JP, which has no built-in plan): evld
#      starts, and every move lands on a channel the kernel's plan allows, without a CAC.
# Results per country: CC_trials, CC_cac_free, CC_on_air_max_s, CC_channels, CC_plan (evld's
# log line), de_srd_moves (moves to 149-165), de_clients (client support evld read from
# hostapd's STA list). Captures: the split wiphy dump per country
# (nl80211-wiphy-CC.txt) for the parsers' unit tests.
. "$VM_DIR/lib.sh"
trap vm_collect EXIT

hwsim_load 5
for k in 0 1 2 3; do
	hwsim_group "wlan$k" $((1 << k))
done
hwsim_group wlan4 1
trace_on mac80211:api_radar_detected cfg80211:cfg80211_ch_switch_notify
vm_result kernel "$(uname -r)"

# aps_up CC "IFACE:CHANNEL ...": one hostapd each in country CC, all CACs in parallel.
aps_up() {
	_cc=$1
	for _p in $2; do
		_if=${_p%:*}
		_ssid=evl-vm
		[ "$_if" = wlan0 ] || _ssid=evl-vm-$_if
		ap_start "$_if" "${_p#*:}" "ssid=$_ssid" "country_code=$_cc"
	done
	for _p in $2; do
		ap_wait_event 150 "${_p%:*}" 0 'AP-ENABLED' >/dev/null ||
			vm_fail "$_cc: ${_p%:*} not enabled after the CAC on ${_p#*:}"
	done
}
# trial CC IFACE [STATION]: one radar; sets air (s or none), cac, disabled, chan.
trial() {
	_cc=$1 _if=$2 _sta=${3:-}
	_log=$(ap_log "$_if")
	_l0=$(vm_lines "$_log")
	[ -n "$_sta" ] && _s0=$(vm_lines "$(sta_log "$_sta")")
	_from=$(ap_status "$_if" channel)
	trace_mark "radar-$_cc-$_if"
	radar "$_if"
	ap_wait_event 10 "$_if" "$_l0" 'DFS-RADAR-DETECTED' >/dev/null || vm_fail "$_cc $_if: no radar"
	_tr=$(trace_realtime "radar-$_cc-$_if" api_radar_detected)
	air=none cac=no disabled=no
	if _l=$(ap_wait_event 10 "$_if" "$_l0" 'AP-CSA-FINISHED|AP-ENABLED'); then
		_ta=$(vm_ts "$_l")
		_tk=$(trace_realtime "radar-$_cc-$_if" cfg80211_ch_switch_notify "netdev:$_if(")
		[ -n "$_tk" ] && _ta=$_tk
		air=$(vm_sub "$_tr" "$_ta")
	fi
	vm_log_after "$_log" "$_l0" 'DFS-CAC-START' >/dev/null && cac=yes
	vm_log_after "$_log" "$_l0" 'AP-DISABLED' >/dev/null && disabled=yes
	chan=$(ap_status "$_if" channel)
	_sf=""
	[ -n "$_sta" ] && _sf=", station: $(sta_fate "$_sta" "$_s0" "$_tr")"
	vm_result "${_cc}_${_if}_radar" "ch$_from -> ch$chan, on air after $air s, cac=$cac disabled=$disabled$_sf"
	[ "$cac" = no ] && [ "$disabled" = no ] && [ "$air" != none ] ||
		vm_fail "$_cc $_if: not back on air without a CAC"
	# the kernel's own verdict on the new channel: enabled, and no CAC pending
	_mhz=$(ap_status "$_if" freq)
	_ks=$(iw phy "$(phy_of "$_if")" channels | awk -v f="$_mhz" '
		$0 ~ "^[ \t]*\\* " f " MHz" { hit = 1; print; next }
		hit && /^[ \t]*\*/ { exit }
		hit { print }')
	case $_ks in *disabled* | *"No IR"* | *"DFS state: usable"*)
		vm_fail "$_cc $_if: on channel $chan, which the kernel's plan does not allow now: $_ks" ;;
	esac
	[ -z "$_sta" ] || case $_sf in *"stayed associated"*) ;; *) vm_fail "$_cc $_if$_sf" ;; esac
}
# country CC "IFACE:CHANNEL ..." [STATION]: plan, evld, a radar on each AP, results.
country() {
	_c=$1 _aps=$2 _st=${3:-}
	_lc=$(echo "$_c" | tr 'A-Z' 'a-z')
	reg_set "$_c"
	iw reg get | vm_capture "iw-reg-$_c.txt"
	nl-capture wiphy "$(phy_of wlan0 | sed 's/^phy//')" | vm_capture "nl80211-wiphy-$_c.txt"
	aps_up "$_c" "$_aps"
	if [ -n "$_st" ]; then
		sta_start "$_st"
		sta_wait_event 60 "$_st" 0 'CTRL-EVENT-CONNECTED' >/dev/null || vm_fail "station did not associate"
	fi
	_ifs="" _conf=""
	for _p in $_aps; do _ifs="$_ifs ${_p%:*}"; done
	for _i in ${_ifs# wlan0}; do _conf="$_conf interface=$_i actuator=hostapd"; done
	# shellcheck disable=SC2086 # one word per config line
	evld_conf wlan0 "country=$_c" $_conf
	_el=$(vm_lines "$(evld_log)")
	evld_start
	evld_wait_log 20 "$_el" 'plan: wlan0: kernel plan' >/dev/null || vm_fail "$_c: evld logged no kernel plan"
	vm_result "${_lc}_plan" "$(vm_log_after "$(evld_log)" "$_el" 'plan: wlan0: kernel plan' | sed 's/.*kernel plan, //')"
	for _i in $_ifs; do
		evld_wait_log 20 "$_el" "dfs: $_i: radar fallback armed" >/dev/null || vm_fail "$_c $_i: nothing armed"
	done
	if [ -n "$_st" ]; then
		evld_wait_log 70 "$_el" 'clients: wlan0: 1 station' >/dev/null ||
			vm_fail "$_c: evld did not list wlan0's station (STA-FIRST)"
		vm_result "${_lc}_clients" "$(vm_log_after "$(evld_log)" "$_el" 'clients: wlan0: 1 station' | sed 's/.*clients: wlan0: //')"
	fi
	sleep 2 # the armed list after the kernel plan (the first arming may use the built-in one)
	_n=0 _free=0 _max=0 _chans="" srd=0
	for _i in $_ifs; do
		_s=""
		[ "$_i" = wlan0 ] && _s=$_st
		trial "$_lc" "$_i" $_s
		_n=$((_n + 1))
		_free=$((_free + 1))
		_max=$(awk -v a="$air" -v m="$_max" 'BEGIN { print (a > m) ? a : m }')
		_chans="$_chans $chan"
		[ "$chan" -ge 149 ] && srd=$((srd + 1))
		sleep 2
	done
	evld_alive || vm_fail "$_c: evld died"
	vm_result "${_lc}_trials" "$_n"
	vm_result "${_lc}_cac_free" "$_free"
	vm_result "${_lc}_on_air_max_s" "$_max"
	vm_result "${_lc}_channels" "${_chans# }"
	evld_stop
	[ -z "$_st" ] || sta_stop "$_st"
	for _p in $_aps; do ap_stop "${_p%:*}"; done
	sleep 1
}

country DE "wlan0:52 wlan1:56 wlan2:60 wlan3:64" wlan4
# the assertion below means something only while the kernel allows 149-165 in DE
grep -q '^de_plan=.* 149/' "$VM_RESULTS/result.txt" || vm_fail "DE: the kernel's plan has no 149"
vm_result de_srd_moves "$srd"
[ "$srd" = 0 ] || vm_fail "DE: $srd moves to 149-165 (25 mW only)"
# other DFS channels: 52-64 of these radios are in the non-occupancy period now
country FR "wlan0:100 wlan1:104"
country JP "wlan0:108 wlan1:112"
