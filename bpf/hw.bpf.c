// SPDX-License-Identifier: GPL-2.0
/* Hardware restart requested by the driver -> hw_failure. */
#include "evl.h"
#include "kern.h"

SEC("tp_btf/api_restart_hw")
int BPF_PROG(restart_hw, struct ieee80211_local___evl *local)
{
	struct evl_bpf_feed f = {.now_ns = bpf_ktime_get_ns(), .type = EVL_BPF_EV_HW_RESTART};
	const char *name = local ? BPF_CORE_READ(local, hw.wiphy, dev.kobj.name) : NULL;

	if (name)
		bpf_probe_read_kernel_str(f.wiphy, sizeof(f.wiphy), name);
	evl_feed_chan(&f);
	return 0;
}
