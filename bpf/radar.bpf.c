// SPDX-License-Identifier: GPL-2.0
/* Radar: the earliest mac80211 signal, the cfg80211 chandef that follows, and CAC events. */
#include "evl.h"
#include "kern.h"

static __always_inline void evl_wiphy_name(struct wiphy___evl *wiphy, char *buf)
{
	const char *name;

	if (!wiphy)
		return;
	name = BPF_CORE_READ(wiphy, dev.kobj.name);
	if (name)
		bpf_probe_read_kernel_str(buf, EVL_BPF_NAME_LEN, name);
}

static __always_inline void evl_read_chandef(struct cfg80211_chan_def___evl *c,
					     struct evl_bpf_chandef *out)
{
	if (!c)
		return;
	out->control_freq = BPF_CORE_READ(c, chan, center_freq);
	out->width = BPF_CORE_READ(c, width);
	out->center_freq1 = BPF_CORE_READ(c, center_freq1);
	out->center_freq2 = BPF_CORE_READ(c, center_freq2);
}

/* Driver context, wiphy only: wake user space now, the chandef follows ~1 ms later. */
SEC("tp_btf/api_radar_detected")
int BPF_PROG(radar_detected, struct ieee80211_local___evl *local)
{
	struct evl_bpf_feed f = {.now_ns = bpf_ktime_get_ns(), .type = EVL_BPF_EV_RADAR};

	if (local)
		evl_wiphy_name(BPF_CORE_READ(local, hw.wiphy), f.wiphy);
	evl_feed_chan(&f);
	return 0;
}

/* Kernels >= 5.17: (wiphy, chandef, offchan). */
SEC("tp_btf/cfg80211_radar_event")
int BPF_PROG(radar_event, struct wiphy___evl *wiphy, struct cfg80211_chan_def___evl *chandef,
	     bool offchan)
{
	struct evl_bpf_feed f = {.now_ns = bpf_ktime_get_ns(), .type = EVL_BPF_EV_RADAR_CHANDEF};

	evl_wiphy_name(wiphy, f.wiphy);
	evl_read_chandef(chandef, &f.chan);
	f.chan.offchan = offchan;
	evl_feed_chan(&f);
	return 0;
}

/* Older kernels: (wiphy, chandef). The loader loads exactly one of the two. */
SEC("tp_btf/cfg80211_radar_event")
int BPF_PROG(radar_event_2, struct wiphy___evl *wiphy, struct cfg80211_chan_def___evl *chandef)
{
	struct evl_bpf_feed f = {.now_ns = bpf_ktime_get_ns(), .type = EVL_BPF_EV_RADAR_CHANDEF};

	evl_wiphy_name(wiphy, f.wiphy);
	evl_read_chandef(chandef, &f.chan);
	evl_feed_chan(&f);
	return 0;
}

/* (netdev, enum nl80211_radar_event[, link_id]) */
SEC("tp_btf/cfg80211_cac_event")
int BPF_PROG(cac_event, struct net_device___evl *netdev, int evt)
{
	struct evl_bpf_feed f = {.now_ns = bpf_ktime_get_ns(), .type = EVL_BPF_EV_CAC};

	if (netdev)
		f.ifindex = BPF_CORE_READ(netdev, ifindex);
	f.chan.cac_event = evt;
	evl_feed_chan(&f);
	return 0;
}
