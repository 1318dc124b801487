# Helper library for VM scenarios (sourced inside the guest by tests/vm/scenarios/*.sh).
# Scenarios run as root in the guest with: the host's / read-only, /tmp and /run on tmpfs,
# cwd /tmp/evl-vm (logs, configs), $VM_RESULTS writable and copied out by the host.
# Conventions: vm_result KEY VALUE records a figure (printed by `make vmtest`), vm_fail fails
# the scenario with a reason, vm_capture NAME saves stdin under $VM_RESULTS/captures/.
# Times are CLOCK_REALTIME seconds (hostapd -t / wpa_supplicant -t stamp logs the same way).
# shellcheck shell=sh

VM_WORK=${VM_WORK:-/tmp/evl-vm}
HOSTAPD_CTRL=/run/hostapd
WPAS_CTRL=/run/wpa_supplicant
HWSIM_DEBUG=/sys/kernel/debug/ieee80211
TRACEFS=/sys/kernel/tracing
mkdir -p "$VM_WORK" "$VM_RESULTS/captures"

vm_now() { date +%s.%N | cut -c1-17; }
vm_log() { echo "[$(vm_now)] $*"; }
vm_fail() {
	vm_log "FAIL: $*"
	echo "FAIL: $*" >>"$VM_RESULTS/result.txt"
	exit 1
}
vm_result() {
	vm_log "result: $1=$2"
	echo "$1=$2" >>"$VM_RESULTS/result.txt"
}
vm_capture() { cat >"$VM_RESULTS/captures/$1"; }
# vm_sub A B: B - A in seconds, 3 decimals.
vm_sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# vm_ms A B: B - A in milliseconds, 3 decimals (for kernel/trace-level gaps).
vm_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) * 1000 }'; }

# vm_wait SECS CMD...: poll CMD (quietly) every 0.2 s until it succeeds; 1 on timeout.
vm_wait() {
	_end=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.2
	done
}

# vm_log_after FILE LINE PATTERN: first line after line LINE matching PATTERN (grep -E).
vm_log_after() { tail -n "+$(($2 + 1))" "$1" 2>/dev/null | grep -m1 -E "$3"; }
# vm_wait_log SECS FILE LINE PATTERN: wait for that line, print it; 1 on timeout.
vm_wait_log() {
	vm_wait "$1" vm_log_after "$2" "$3" "$4" || return 1
	vm_log_after "$2" "$3" "$4"
}
vm_lines() { wc -l <"$1" 2>/dev/null || echo 0; }
# vm_ts LINE: the leading "SEC.USEC:" or "SEC.USEC " timestamp of a log/monitor line.
vm_ts() { echo "$1" | sed -n 's/^\([0-9]*\.[0-9]*\)[: ].*/\1/p'; }
# vm_field LINE KEY: value of KEY=VALUE in an event line.
vm_field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1; }

# --- radios ------------------------------------------------------------------------------
# hwsim_load N: N mac80211_hwsim radios (default channels=1: the radar knob exists only then).
hwsim_load() {
	modprobe -d "$VM_KROOT" mac80211_hwsim radios="$1" || vm_fail "modprobe mac80211_hwsim failed"
	vm_wait 10 test -e "/sys/class/net/wlan$(($1 - 1))" || vm_fail "hwsim: wlan$(($1 - 1)) did not appear"
}
# phy_of IFACE: the wiphy name behind a netdev.
phy_of() { cat "/sys/class/net/$1/phy80211/name"; }
# reg_set CC: set the regulatory domain and wait until cfg80211 applied it.
reg_set() {
	iw reg set "$1" || vm_fail "iw reg set $1 failed"
	vm_wait 10 sh -c "iw reg get | grep -q 'country $1'" || vm_fail "regulatory domain $1 not applied"
}
# radar IFACE: simulate a radar pulse on the radio behind IFACE.
radar() { echo 1 >"$HWSIM_DEBUG/$(phy_of "$1")/hwsim/dfs_simulate_radar"; }
# dfs_state IFACE MHZ: usable | available | unavailable (NOP), from `iw phy channels`.
dfs_state() {
	iw phy "$(phy_of "$1")" channels | awk -v f="$2" '
		$0 ~ "^[ \t]*\\* " f " MHz" { hit = 1; next }
		hit && /^[ \t]*\*/ { exit }
		hit && /DFS state:/ { print $3; exit }'
}
# hw_restart IFACE: the driver's own recovery, ieee80211_restart_hw(), on the hwsim radio behind
# IFACE (test-only module tests/vm/kmod, built by kmod.sh into the kernel's cache).
hw_restart() {
	[ -d /sys/module/evl_restart_hw ] || insmod "${VM_KROOT%/root}/kmod/evl_restart_hw.ko" ||
		vm_fail "insmod evl_restart_hw.ko failed"
	echo "$1" >/sys/module/evl_restart_hw/parameters/restart || vm_fail "restart of $1 refused"
}
# hwsim_del IFACE: remove the hwsim radio behind IFACE at run time (HWSIM_CMD_DEL_RADIO).
hwsim_del() { vm-ctrl hwsim-del "$(phy_of "$1")" || vm_fail "HWSIM_CMD_DEL_RADIO for $1 failed"; }
# hwsim_group IFACE MASK: radios only hear radios sharing a bit (isolate a station -> PER spike).
hwsim_group() { echo "$2" >"$HWSIM_DEBUG/$(phy_of "$1")/hwsim/group"; }

# --- tracing -----------------------------------------------------------------------------
# trace_on SYSTEM:EVENT...: enable tracepoints into the global buffer (mono clock).
trace_on() {
	echo mono >"$TRACEFS/trace_clock"
	for e in "$@"; do
		echo 1 >"$TRACEFS/events/${e%%:*}/${e#*:}/enable" || vm_fail "tracepoint $e missing"
	done
	echo 1 >"$TRACEFS/tracing_on"
}
# trace_instance NAME SYSTEM:EVENT...: a private trace buffer (its trace_pipe can be consumed
# without emptying the global one); prints the trace_pipe path.
trace_instance() {
	_d=$TRACEFS/instances/$1
	shift
	mkdir -p "$_d" || vm_fail "cannot create trace instance $_d"
	for e in "$@"; do
		echo 1 >"$_d/events/${e%%:*}/${e#*:}/enable" || vm_fail "tracepoint $e missing"
	done
	echo "$_d/trace_pipe"
}
# trace_mark TEXT: a marker in the trace, stamped with CLOCK_REALTIME to align the clocks.
trace_mark() { vm-ctrl mark "$TRACEFS/trace_marker" "evl-vm: $*"; }
# trace_realtime MARK EVENT [TEXT]: CLOCK_REALTIME of the first EVENT (whose line holds TEXT)
# after marker MARK, from the trace (marker realtime + trace-clock distance).
trace_realtime() {
	awk -v mark="evl-vm: $1 realtime=" -v ev=" $2: " -v txt="${3:-}" '
		function ts(  i) { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) return $i + 0 }
		!m && index($0, mark) { m = ts(); split($0, a, "realtime="); rt = a[2] + 0; next }
		m && index($0, ev) && index($0, txt) { printf "%.6f\n", rt + ts() - m; exit }' "$TRACEFS/trace"
}

# --- hostapd -----------------------------------------------------------------------------
# ap_start IFACE CHANNEL [EXTRA_CONF_LINE...]: hostapd, 5 GHz, DE, 802.11h, 20 MHz, open.
# Log: $VM_WORK/hostapd-IFACE.log (-t), events: $VM_WORK/hostapd-IFACE.events (vm-ctrl monitor).
ap_start() {
	_if=$1 _ch=$2
	shift 2
	{
		cat <<-CONF
		interface=$_if
		driver=nl80211
		ctrl_interface=$HOSTAPD_CTRL
		ssid=evl-vm
		country_code=DE
		ieee80211d=1
		ieee80211h=1
		hw_mode=a
		channel=$_ch
		ieee80211n=1
		wmm_enabled=1
		CONF
		for l in "$@"; do echo "$l"; done
	} >"$VM_WORK/hostapd-$_if.conf"
	hostapd -t "$VM_WORK/hostapd-$_if.conf" >"$VM_WORK/hostapd-$_if.log" 2>&1 &
	echo $! >"$VM_WORK/hostapd-$_if.pid"
	vm_wait 10 test -S "$HOSTAPD_CTRL/$_if" ||
		{ cat "$VM_WORK/hostapd-$_if.log"; vm_fail "hostapd on $_if did not open its control socket"; }
	vm-ctrl "$HOSTAPD_CTRL/$_if" monitor >"$VM_WORK/hostapd-$_if.events" 2>&1 &
	echo $! >"$VM_WORK/hostapd-$_if.mon.pid"
	vm_wait 5 ap_cmd "$_if" PING
}
# ap_cmd IFACE CMD...: one control-socket request, raw reply on stdout.
ap_cmd() { vm-ctrl "$HOSTAPD_CTRL/$1" request "$(shift; echo "$*")"; }
# ap_status IFACE KEY: a field of STATUS (state, freq, channel, cac_time_left_seconds ...).
ap_status() { ap_cmd "$1" STATUS | sed -n "s/^$2=//p"; }
ap_alive() { kill -0 "$(cat "$VM_WORK/hostapd-$1.pid")" 2>/dev/null; }
ap_stop() {
	for p in "$VM_WORK/hostapd-$1.mon.pid" "$VM_WORK/hostapd-$1.pid"; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
		rm -f "$p"
	done
}
# ap_wait_event SECS IFACE FROMLINE PATTERN: first line after FROMLINE of hostapd's log
# (complete from start-up, stamped by hostapd itself) matching PATTERN.
ap_wait_event() { vm_wait_log "$1" "$VM_WORK/hostapd-$2.log" "$3" "$4"; }
ap_log() { echo "$VM_WORK/hostapd-$1.log"; }
# Raw control-socket events as hostapd sends them ("<3>AP-CSA-FINISHED ..."), since attach.
ap_events() { echo "$VM_WORK/hostapd-$1.events"; }

# --- stations ----------------------------------------------------------------------------
# sta_start IFACE: wpa_supplicant for the open network evl-vm (any 5 GHz channel).
sta_start() {
	cat >"$VM_WORK/wpas-$1.conf" <<-CONF
	ctrl_interface=$WPAS_CTRL
	country=DE
	network={
		ssid="evl-vm"
		key_mgmt=NONE
		scan_ssid=1
	}
	CONF
	wpa_supplicant -t -i "$1" -D nl80211 -c "$VM_WORK/wpas-$1.conf" >"$VM_WORK/wpas-$1.log" 2>&1 &
	echo $! >"$VM_WORK/wpas-$1.pid"
	vm_wait 10 test -S "$WPAS_CTRL/$1" || vm_fail "wpa_supplicant on $1 did not start"
	vm-ctrl "$WPAS_CTRL/$1" monitor >"$VM_WORK/wpas-$1.events" 2>&1 &
	echo $! >"$VM_WORK/wpas-$1.mon.pid"
}
sta_cmd() { vm-ctrl "$WPAS_CTRL/$1" request "$(shift; echo "$*")"; }
sta_stop() {
	for p in "$VM_WORK/wpas-$1.mon.pid" "$VM_WORK/wpas-$1.pid"; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
		rm -f "$p"
	done
}
sta_wait_event() { vm_wait_log "$1" "$VM_WORK/wpas-$2.log" "$3" "$4"; }
sta_log() { echo "$VM_WORK/wpas-$1.log"; }
sta_events() { echo "$VM_WORK/wpas-$1.events"; }
# sta_fate IFACE FROMLINE T0: what the station went through since FROMLINE of its log:
# "stayed associated", "reconnected after S s" (from T0), or "disconnected ...".
sta_fate() {
	if ! vm_log_after "$(sta_log "$1")" "$2" 'CTRL-EVENT-DISCONNECTED' >/dev/null; then
		echo "stayed associated"
	elif _l=$(sta_wait_event 90 "$1" "$2" 'CTRL-EVENT-CONNECTED'); then
		echo "reconnected after $(vm_sub "$3" "$(vm_ts "$_l")") s"
	else
		echo "disconnected, not back within 90 s"
	fi
}

# vm_collect: copy daemon logs, configs and the trace buffer into the results (always call).
vm_collect() {
	mkdir -p "$VM_RESULTS/logs"
	cp "$VM_WORK"/*.log "$VM_WORK"/*.events "$VM_WORK"/*.conf "$VM_RESULTS/logs/" 2>/dev/null
	[ -r "$TRACEFS/trace" ] && cat "$TRACEFS/trace" >"$VM_RESULTS/logs/trace.txt" 2>/dev/null
	if [ -d "$EVLD_DIR" ]; then
		mkdir -p "$VM_RESULTS/evl"
		cp -r "$EVLD_DIR/evld.conf" "$EVLD_DIR/audit" "$EVLD_DIR/state.json" "$EVLD_DIR/evl.prom" \
			"$VM_RESULTS/evl/" 2>/dev/null
	fi
	return 0
}

# --- evld --------------------------------------------------------------------------------
# Files: $EVLD_DIR/{evld.conf,audit/,audit.key (sealing),audit.verify,site.secret,state.json,evld.sock},
# log $VM_WORK/evld.log (-v, appended across restarts).
EVLD_DIR=$VM_WORK/evl
EVL_CTL_SOCKET=$EVLD_DIR/evld.sock
export EVL_CTL_SOCKET
# evld_conf IFACE [EXTRA_LINE...]: write evld.conf (hostapd actuator on IFACE, DE) and keys.
evld_conf() {
	_if=$1
	shift
	mkdir -p "$EVLD_DIR"
	touch "$VM_WORK/evld.log"
	[ -f "$EVLD_DIR/audit.key" ] ||
		evl-audit setup --key "$EVLD_DIR/audit.key" --verify-key "$EVLD_DIR/audit.verify" \
			>/dev/null 2>&1 || vm_fail "evl-audit setup failed"
	[ -f "$EVLD_DIR/site.secret" ] || evl-audit keygen "$EVLD_DIR/site.secret" >/dev/null
	{
		cat <<-CONF
		country=DE
		hostapd_ctrl_dir=$HOSTAPD_CTRL
		audit_dir=$EVLD_DIR/audit
		audit_key_file=$EVLD_DIR/audit.key
		site_secret_file=$EVLD_DIR/site.secret
		state_dir=$EVLD_DIR
		ctl_socket=$EVL_CTL_SOCKET
		bpf_pin_dir=/sys/fs/bpf/evl
		metrics_file=$EVLD_DIR/evl.prom
		metrics_interval_s=1
		CONF
		for l in "$@"; do echo "$l"; done
		printf 'interface=%s\nactuator=hostapd\n' "$_if"
	} >"$EVLD_DIR/evld.conf"
}
# evld_start: run evld in the foreground (background job), wait until it answers `status`.
evld_start() {
	evld -c "$EVLD_DIR/evld.conf" -f -v >>"$VM_WORK/evld.log" 2>&1 &
	echo $! >"$VM_WORK/evld.pid"
	vm_wait 30 evlctl status || { cat "$VM_WORK/evld.log"; vm_fail "evld did not come up"; }
}
evld_pid() { cat "$VM_WORK/evld.pid"; }
evld_alive() { kill -0 "$(evld_pid)" 2>/dev/null; }
# evld_stop: SIGTERM, wait for exit status 0.
evld_stop() {
	_p=$(evld_pid)
	kill "$_p" 2>/dev/null
	vm_wait 10 sh -c "! kill -0 $_p" || vm_fail "evld did not stop on SIGTERM"
	wait "$_p" 2>/dev/null
}
evld_log() { echo "$VM_WORK/evld.log"; }
# evld_wait_log SECS FROMLINE PATTERN
evld_wait_log() { vm_wait_log "$1" "$VM_WORK/evld.log" "$2" "$3"; }
# audit_records: every audit record (JSON lines, oldest first) on stdout.
audit_records() { cat "$EVLD_DIR"/audit/*.jsonl 2>/dev/null; }
audit_verify() { evl-audit verify --dir "$EVLD_DIR/audit" --key "$EVLD_DIR/audit.verify"; }
