/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel <-> user contract of the eBPF data plane: ring-buffer records, the config map,
 * map keys and values. Fixed-width types only; included by the bpf/ programs (after vmlinux.h) and
 * by user space. Times are CLOCK_MONOTONIC nanoseconds (bpf_ktime_get_ns()).
 */
#ifndef EVL_BPF_EVENTS_H
#define EVL_BPF_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define EVL_BPF_WIN_MAX	   16 /* most buckets a TX window can have */
#define EVL_BPF_HIST_SLOTS 32 /* log2 histogram slots: slot i counts [2^i, 2^(i+1)) ns */
#define EVL_BPF_NAME_LEN   16 /* wiphy name ("phy0") */

/* Record types crossing the ring buffer (also the feed types of the test entry point). */
enum evl_bpf_ev {
	EVL_BPF_EV_RADAR = 1,	      /* mac80211:api_radar_detected: earliest, wiphy only */
	EVL_BPF_EV_RADAR_CHANDEF,     /* cfg80211:cfg80211_radar_event: full chandef */
	EVL_BPF_EV_CAC,		      /* cfg80211:cfg80211_cac_event; chan.cac_event says which */
	EVL_BPF_EV_TX_SPIKE,	      /* PER and/or retry-rate spike of a station or interface */
	EVL_BPF_EV_CH_SWITCH_STARTED, /* cfg80211_ch_switch_started_notify (CSA announced) */
	EVL_BPF_EV_CH_SWITCH_DONE,    /* cfg80211_ch_switch_notify (now on the new channel) */
	EVL_BPF_EV_STA_NEW,	      /* cfg80211_new_sta */
	EVL_BPF_EV_STA_DEL,	      /* cfg80211_del_sta */
	EVL_BPF_EV_HW_RESTART,	      /* mac80211:api_restart_hw -> hw_failure */
	EVL_BPF_EV_MAX,
	/* Feed-only: one TX status report (never a ring-buffer record). */
	EVL_BPF_FEED_TX_STATUS = 64,
};

/* enum nl80211_radar_event values carried in chan.cac_event (uapi nl80211.h). */
#define EVL_BPF_CAC_FINISHED 1
#define EVL_BPF_CAC_ABORTED  2
#define EVL_BPF_CAC_STARTED  5

/* A channel definition as cfg80211 has it; MHz, width = enum nl80211_chan_width. */
struct evl_bpf_chandef {
	__u32 control_freq;
	__u32 width;
	__u32 center_freq1;
	__u32 center_freq2;
	__u32 offchan;	 /* radar seen by the background (off-channel) chain */
	__u32 cac_event; /* CAC records only: EVL_BPF_CAC_* */
};

/* Why a TX spike fired (bits of tx.reasons). */
#define EVL_BPF_SPIKE_PER   (1u << 0)
#define EVL_BPF_SPIKE_RETRY (1u << 1)

/* tx.scope */
#define EVL_BPF_SCOPE_STA   0
#define EVL_BPF_SCOPE_IFACE 1

struct evl_bpf_tx_spike {
	__u8 addr[6]; /* station; zero for interface scope */
	__u8 scope;   /* EVL_BPF_SCOPE_* */
	__u8 reasons; /* EVL_BPF_SPIKE_* */
	__u32 frames; /* window totals the verdict was made on */
	__u32 acked;
	__u32 retries;
	__u32 per_ppm;	    /* (frames - acked) / frames, parts per million */
	__u32 retry_ppm;    /* retries / (frames + retries), parts per million */
	__u32 base_per_ppm; /* EWMA baseline at the time; 0 with base_buckets 0 */
	__u32 base_retry_ppm;
	__u32 base_buckets; /* buckets folded into the baseline so far (0 = no baseline) */
};

struct evl_bpf_sta_ev {
	__u8 addr[6];
	__u16 pad;
	__u32 new_in_window; /* associations on this interface in the current sta window */
	__u32 del_in_window; /* disconnections on this interface in the current sta window */
};

/* One ring-buffer record. */
struct evl_bpf_event {
	__u64 ts_ns;		      /* bpf_ktime_get_ns() when the hook ran: detection time */
	__u32 type;		      /* enum evl_bpf_ev */
	__u32 ifindex;		      /* 0 when the hook knows only the wiphy */
	char wiphy[EVL_BPF_NAME_LEN]; /* "phy0"; empty when the hook knows only the netdev */
	union {
		struct evl_bpf_chandef chan; /* RADAR_CHANDEF, CAC, CH_SWITCH_* */
		struct evl_bpf_tx_spike tx;  /* TX_SPIKE */
		struct evl_bpf_sta_ev sta;   /* STA_NEW, STA_DEL */
	};
};

/*
 * The plain record every hook reduces its kernel objects to before the shared detector code
 * runs; the test entry point (SEC("syscall") test_feed) takes it as its context.
 */
struct evl_bpf_feed {
	__u64 now_ns; /* the hook's bpf_ktime_get_ns(); tests pass a synthetic clock */
	__u32 type;   /* enum evl_bpf_ev, or EVL_BPF_FEED_TX_STATUS */
	__u32 ifindex;
	char wiphy[EVL_BPF_NAME_LEN];
	__u8 addr[6]; /* station (TX status, STA_*) */
	__u16 pad;
	__u32 frames;  /* TX status: MPDUs this report covers (1, or the A-MPDU length) */
	__u32 acked;   /* ... of which acknowledged */
	__u32 retries; /* retransmissions (sum of per-rate try counts minus one per frame) */
	struct evl_bpf_chandef chan;
};

/* Config map (array, one entry, key 0): live-updatable from user space. */
struct evl_bpf_cfg {
	__u32 per_thresh_ppm;	/* spike needs window PER >= this (ppm); default 100000 = 10 % */
	__u32 per_rise_pct;	/* ... and PER >= baseline * (100 + this) / 100; default 30 */
	__u32 retry_thresh_ppm; /* spike needs retry rate >= this (ppm); default 200000 */
	__u32 retry_rise_pct;	/* ... and >= baseline * (100 + this) / 100; default 30 */
	__u32 min_frames;	/* no verdict below this many frames in the window; default 50 */
	__u32 window_buckets;	/* window length in buckets, 1..EVL_BPF_WIN_MAX; default 10 */
	__u64 bucket_ns;	/* bucket length, ns; default 1 s (window = 10 s) */
	__u32 ewma_weight_pct; /* weight of a finished bucket in the baseline, 1..100; default 20 */
	__u32 base_min_frames; /* a bucket feeds the baseline only with >= this many frames; 10 */
	__u64 rate_limit_ns;   /* at most one spike record per station/interface per this; 5 s */
	__u64 sta_window_ns;   /* station churn counting window, ns; default 60 s */
	__u32 iface_detect;    /* 1: run the detector per interface too (scope IFACE); default 1 */
	__u32 pad;
};

/* Key of the per-station statistics map (LRU hash). Zero the pad. */
struct evl_bpf_sta_key {
	__u32 ifindex;
	__u8 addr[6];
	__u16 pad;
};

struct evl_bpf_bucket {
	__u64 epoch; /* now / bucket_ns of the second this bucket covers */
	__u32 frames;
	__u32 acked;
	__u32 retries;
	__u32 pad;
};

/* TX statistics of one station or interface (value of the sta map, part of the iface value). */
struct evl_bpf_txstat {
	__u64 frames; /* totals since first seen */
	__u64 acked;
	__u64 retries;
	__u64 last_ns;	     /* last report */
	__u64 last_spike_ns; /* last spike record sent (rate limit) */
	__u64 epoch;	     /* bucket number of the latest report */
	__u32 base_per_ppm;  /* EWMA baselines over finished buckets */
	__u32 base_retry_ppm;
	__u32 base_buckets; /* buckets folded in; 0 = no baseline yet */
	__u32 spikes;	    /* spike records sent */
	__u32 suppressed;   /* spikes swallowed by the rate limit */
	__u32 pad;
	struct evl_bpf_bucket win[EVL_BPF_WIN_MAX];
};

/* Value of the per-interface map (hash, key __u32 ifindex). */
struct evl_bpf_iface {
	__u64 sta_new; /* totals */
	__u64 sta_del;
	__u64 sta_epoch; /* now / sta_window_ns of the counts below */
	__u32 sta_new_win;
	__u32 sta_del_win;
	__u64 ch_switch_started;
	__u64 ch_switch_done;
	__u64 cac;
	struct evl_bpf_txstat tx;
};

/* Counters map (array, one entry): how often each hook fired, and what was lost. */
struct evl_bpf_counters {
	__u64 radar;
	__u64 radar_chandef;
	__u64 cac;
	__u64 ch_switch_started;
	__u64 ch_switch_done;
	__u64 sta_new;
	__u64 sta_del;
	__u64 hw_restart;
	__u64 tx_reports;   /* TX status reports seen */
	__u64 tx_no_sta;    /* ... without a station (not counted per station) */
	__u64 tx_spikes;    /* spike records produced */
	__u64 rate_limited; /* spikes swallowed by the per-station rate limit */
	__u64 rb_drops;	    /* records lost because the ring buffer was full */
	__u64 iface_full;   /* interface map full: interface not tracked */
};

#endif /* EVL_BPF_EVENTS_H */
