// SPDX-License-Identifier: GPL-2.0
/* Channel switch: CSA announced, and the switch done; user space confirms and times actions. */
#include "evl.h"
#include "kern.h"

static __always_inline int evl_chsw(struct net_device___evl *netdev,
				    struct cfg80211_chan_def___evl *c, __u32 type)
{
	struct evl_bpf_feed f = {.now_ns = bpf_ktime_get_ns(), .type = type};

	if (!netdev || !c)
		return 0;
	f.ifindex = BPF_CORE_READ(netdev, ifindex);
	f.chan.control_freq = BPF_CORE_READ(c, chan, center_freq);
	f.chan.width = BPF_CORE_READ(c, width);
	f.chan.center_freq1 = BPF_CORE_READ(c, center_freq1);
	f.chan.center_freq2 = BPF_CORE_READ(c, center_freq2);
	return evl_feed_chan(&f);
}

/* (netdev, chandef[, link_id[, count, quiet / punct_bitmap]]): the first two are stable. */
SEC("tp_btf/cfg80211_ch_switch_started_notify")
int BPF_PROG(ch_switch_started, struct net_device___evl *netdev,
	     struct cfg80211_chan_def___evl *chandef)
{
	evl_chsw(netdev, chandef, EVL_BPF_EV_CH_SWITCH_STARTED);
	return 0;
}

SEC("tp_btf/cfg80211_ch_switch_notify")
int BPF_PROG(ch_switch_done, struct net_device___evl *netdev,
	     struct cfg80211_chan_def___evl *chandef)
{
	evl_chsw(netdev, chandef, EVL_BPF_EV_CH_SWITCH_DONE);
	return 0;
}
