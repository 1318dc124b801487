/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few wireless kernel types the hooks read, as minimal CO-RE flavours. They live in the
 * cfg80211/mac80211 module BTF on a Wi-Fi kernel (not in a vmlinux.h without those modules);
 * libbpf relocates every access by field name, so no offsets are hard-coded here.
 */
#ifndef EVL_BPF_KERN_H
#define EVL_BPF_KERN_H

#define __evl_core __attribute__((preserve_access_index))

struct kobject___evl {
	const char *name;
} __evl_core;

struct device___evl {
	struct kobject___evl kobj;
} __evl_core;

struct net_device___evl {
	int ifindex;
} __evl_core;

struct wiphy___evl {
	struct device___evl dev; /* dev_name() is the wiphy name ("phy0") */
} __evl_core;

struct ieee80211_hw___evl {
	struct wiphy___evl *wiphy;
} __evl_core;

struct ieee80211_local___evl {
	struct ieee80211_hw___evl hw;
} __evl_core;

struct ieee80211_channel___evl {
	__u32 center_freq;
} __evl_core;

enum nl80211_chan_width___evl {
	EVL_NL80211_CHAN_WIDTH_20_NOHT___evl = 0,
};

struct cfg80211_chan_def___evl {
	struct ieee80211_channel___evl *chan;
	enum nl80211_chan_width___evl width;
	__u32 center_freq1;
	__u32 center_freq2;
} __evl_core;

struct ieee80211_sta___evl {
	__u8 addr[6];
} __evl_core;

struct ieee80211_sub_if_data___evl {
	struct net_device___evl *dev;
} __evl_core;

/* mac80211's private station: struct ieee80211_sta is embedded in it (container_of). */
struct sta_info___evl {
	struct ieee80211_sub_if_data___evl *sdata;
	struct ieee80211_sta___evl sta;
} __evl_core;

struct ieee80211_tx_rate___evl {
	__s8 idx; /* < 0 ends the list */
	__u16 count : 5, flags : 11;
} __attribute__((packed)) __evl_core;

/* In the kernel `status` sits in an anonymous union; CO-RE finds it by name. */
struct ieee80211_tx_info___evl {
	__u32 flags;
	struct {
		struct ieee80211_tx_rate___evl rates[4];
		__s32 ack_signal;
		__u8 ampdu_ack_len;
		__u8 ampdu_len;
	} status;
} __evl_core;

struct ieee80211_tx_status___evl {
	struct ieee80211_sta___evl *sta;
	struct ieee80211_tx_info___evl *info;
} __evl_core;

/* enum mac80211_tx_info_flags: bits unchanged since they were introduced. */
#define EVL_TX_CTL_NO_ACK (1u << 2)
#define EVL_TX_STAT_ACK	  (1u << 9)
#define EVL_TX_STAT_AMPDU (1u << 10)

#endif /* EVL_BPF_KERN_H */
