# What the eBPF side needs from the guest kernel: module BTF, the cfg80211/mac80211
# tracepoints, an fentry target for TX status, hwsim's radar knob. Fails on anything missing.
. "$VM_DIR/lib.sh"
trap vm_collect EXIT

hwsim_load 2
missing=""
for f in /sys/kernel/btf/vmlinux /sys/kernel/btf/cfg80211 /sys/kernel/btf/mac80211 \
	/sys/kernel/btf/mac80211_hwsim; do
	[ -r "$f" ] || missing="$missing $f"
done

EVENTS="mac80211:api_radar_detected cfg80211:cfg80211_radar_event cfg80211:cfg80211_cac_event
cfg80211:cfg80211_ch_switch_started_notify cfg80211:cfg80211_ch_switch_notify
cfg80211:cfg80211_new_sta cfg80211:cfg80211_del_sta mac80211:api_restart_hw
mac80211:drv_sta_state mac80211:api_sta_block_awake"
for e in $EVENTS; do
	d=$TRACEFS/events/${e%%:*}/${e#*:}
	if [ -r "$d/format" ]; then
		echo "== $e"
		cat "$d/format"
	else
		missing="$missing $e"
	fi
done | vm_capture tracepoint-formats.txt
for e in $EVENTS; do
	[ -r "$TRACEFS/events/${e%%:*}/${e#*:}/format" ] || missing="$missing $e"
done
vm_result tracepoints "$(echo $EVENTS | wc -w) checked"

# fentry needs the function traceable (BTF + ftrace); kallsyms alone is not enough for it.
fn=ieee80211_tx_status_ext
if grep -qw "^$fn" "$TRACEFS/available_filter_functions"; then
	vm_result fentry_$fn "traceable (available_filter_functions)"
elif grep -qw "$fn" /proc/kallsyms; then
	vm_result fentry_$fn "kallsyms only (not traceable)"
	missing="$missing $fn(ftrace)"
else
	missing="$missing $fn"
fi

# The BTF a CO-RE program attaches to: tp_btf typedefs and fentry targets live in module BTF
# (bpftool splits /sys/kernel/btf/MODULE on vmlinux by itself).
for m in mac80211 cfg80211; do
	bpftool btf dump file "/sys/kernel/btf/$m" format raw >"$VM_WORK/btf-$m.txt" 2>&1 ||
		missing="$missing btf-dump:$m"
done
for t in "mac80211 TYPEDEF btf_trace_api_radar_detected" "mac80211 TYPEDEF btf_trace_api_restart_hw" \
	"cfg80211 TYPEDEF btf_trace_cfg80211_radar_event" "cfg80211 TYPEDEF btf_trace_cfg80211_del_sta" \
	"cfg80211 TYPEDEF btf_trace_cfg80211_ch_switch_notify" "mac80211 FUNC ieee80211_tx_status_ext" \
	"mac80211 STRUCT ieee80211_tx_status" "mac80211 STRUCT ieee80211_tx_info"; do
	set -- $t
	grep -q "] $2 '$3'" "$VM_WORK/btf-$1.txt" || missing="$missing btf:$1:$3"
done
vm_result btf_types "checked in mac80211/cfg80211 module BTF"
bpftool btf dump file /sys/kernel/btf/mac80211 format c 2>/dev/null |
	awk '/^typedef .*\(\*btf_trace_(api_radar_detected|api_restart_hw)\)/' |
	vm_capture btf-trace-typedefs.txt
bpftool btf dump file /sys/kernel/btf/cfg80211 format c 2>/dev/null |
	awk '/^typedef .*\(\*btf_trace_cfg80211_(radar_event|cac_event|ch_switch_notify|ch_switch_started_notify|new_sta|del_sta)\)/' |
	vm_capture btf-trace-typedefs-cfg80211.txt

phy=$(phy_of wlan0)
[ -w "$HWSIM_DEBUG/$phy/hwsim/dfs_simulate_radar" ] || missing="$missing hwsim:dfs_simulate_radar"
[ -w "$HWSIM_DEBUG/$phy/hwsim/group" ] || missing="$missing hwsim:group"
vm_result kernel "$(uname -r)"
vm_result module_btf "$(ls /sys/kernel/btf | grep -E '^(cfg80211|mac80211|mac80211_hwsim)$' | tr '\n' ' ')"
[ -z "$missing" ] || vm_fail "missing in the guest kernel:$missing"
vm_result features "all present"
