// SPDX-License-Identifier: GPL-2.0
/* Stations: association and disconnection per interface (density spikes, rollback trigger). */
#include "evl.h"
#include "kern.h"

static __always_inline int evl_sta(struct net_device___evl *netdev, const __u8 *mac, __u32 type)
{
	struct evl_bpf_feed f = {.now_ns = bpf_ktime_get_ns(), .type = type};

	if (!netdev || !mac)
		return 0;
	f.ifindex = BPF_CORE_READ(netdev, ifindex);
	bpf_probe_read_kernel(f.addr, sizeof(f.addr), mac);
	return evl_feed_sta(&f);
}

/* (netdev, mac_addr, sinfo) */
SEC("tp_btf/cfg80211_new_sta")
int BPF_PROG(new_sta, struct net_device___evl *netdev, const __u8 *mac_addr)
{
	evl_sta(netdev, mac_addr, EVL_BPF_EV_STA_NEW);
	return 0;
}

/* (netdev, mac_addr): no reason code in this tracepoint */
SEC("tp_btf/cfg80211_del_sta")
int BPF_PROG(del_sta, struct net_device___evl *netdev, const __u8 *mac_addr)
{
	evl_sta(netdev, mac_addr, EVL_BPF_EV_STA_DEL);
	return 0;
}
