/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared part of every evl BPF program: the maps (weak, so each bpf/NAME.bpf.c can declare them
 * and `bpftool gen object` merges them into one set) and the handlers the hooks feed. A hook
 * only reduces its kernel objects to a struct evl_bpf_feed and calls its handler
 * (evl_feed_chan, evl_feed_sta, evl_txstat_feed); the test entry point reaches the very same
 * handlers through evl_feed() with synthetic records.
 */
#ifndef EVL_BPF_EVL_H
#define EVL_BPF_EVL_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <evl/bpf_events.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct evl_bpf_cfg);
} evl_config SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096); /* the loader may resize */
	__type(key, struct evl_bpf_sta_key);
	__type(value, struct evl_bpf_txstat);
} stations SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32); /* ifindex */
	__type(value, struct evl_bpf_iface);
} ifaces SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct evl_bpf_counters);
} counters SEC(".maps") __weak;

/* log2 histogram of the time the TX-status path spends per report, ns. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EVL_BPF_HIST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} tx_hook_ns SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024); /* the loader may resize */
} events SEC(".maps") __weak;

#define EVL_COUNT(field)                                                             \
	({                                                                           \
		__u32 __k = 0;                                                       \
		struct evl_bpf_counters *__c = bpf_map_lookup_elem(&counters, &__k); \
		if (__c)                                                             \
			__sync_fetch_and_add(&__c->field, 1);                        \
	})

static __always_inline const struct evl_bpf_cfg *evl_cfg(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&evl_config, &k);
}

/* Reserve a record stamped from the feed; counts the drop when the ring buffer is full. */
static __always_inline struct evl_bpf_event *evl_ev_new(const struct evl_bpf_feed *f, __u32 type)
{
	struct evl_bpf_event *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);

	if (!ev) {
		EVL_COUNT(rb_drops);
		return NULL;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts_ns = f->now_ns;
	ev->type = type;
	ev->ifindex = f->ifindex;
	__builtin_memcpy(ev->wiphy, f->wiphy, sizeof(ev->wiphy));
	return ev;
}

static const struct evl_bpf_iface evl_zero_iface;

/* The interface's entry, created on first use; NULL for ifindex 0 or a full map. */
static __always_inline struct evl_bpf_iface *evl_iface(__u32 ifindex)
{
	struct evl_bpf_iface *it;

	if (!ifindex)
		return NULL;
	it = bpf_map_lookup_elem(&ifaces, &ifindex);
	if (it)
		return it;
	if (bpf_map_update_elem(&ifaces, &ifindex, &evl_zero_iface, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&ifaces, &ifindex)) {
		EVL_COUNT(iface_full);
		return NULL;
	}
	return bpf_map_lookup_elem(&ifaces, &ifindex);
}

#include "txstat.h"

/* Radar, CAC and channel-switch records: wake the consumer at once, they are urgent. */
static __always_inline int evl_feed_chan(const struct evl_bpf_feed *f)
{
	struct evl_bpf_iface *it = NULL;
	struct evl_bpf_event *ev;

	switch (f->type) {
	case EVL_BPF_EV_RADAR:
		EVL_COUNT(radar);
		break;
	case EVL_BPF_EV_RADAR_CHANDEF:
		EVL_COUNT(radar_chandef);
		break;
	case EVL_BPF_EV_CAC:
		EVL_COUNT(cac);
		it = evl_iface(f->ifindex);
		if (it)
			__sync_fetch_and_add(&it->cac, 1);
		break;
	case EVL_BPF_EV_CH_SWITCH_STARTED:
		EVL_COUNT(ch_switch_started);
		it = evl_iface(f->ifindex);
		if (it)
			__sync_fetch_and_add(&it->ch_switch_started, 1);
		break;
	case EVL_BPF_EV_CH_SWITCH_DONE:
		EVL_COUNT(ch_switch_done);
		it = evl_iface(f->ifindex);
		if (it)
			__sync_fetch_and_add(&it->ch_switch_done, 1);
		break;
	case EVL_BPF_EV_HW_RESTART:
		EVL_COUNT(hw_restart);
		break;
	default:
		return 0;
	}
	ev = evl_ev_new(f, f->type);
	if (!ev)
		return 0;
	if (f->type != EVL_BPF_EV_RADAR && f->type != EVL_BPF_EV_HW_RESTART)
		ev->chan = f->chan;
	bpf_ringbuf_submit(ev, BPF_RB_FORCE_WAKEUP);
	return 1;
}

/* Station churn: per-interface totals and counts in the current sta window. */
static __always_inline int evl_feed_sta(const struct evl_bpf_feed *f)
{
	const struct evl_bpf_cfg *cfg = evl_cfg();
	struct evl_bpf_iface *it = evl_iface(f->ifindex);
	bool is_new = f->type == EVL_BPF_EV_STA_NEW;
	struct evl_bpf_event *ev;
	__u32 nw = 0, dw = 0;

	if (is_new)
		EVL_COUNT(sta_new);
	else
		EVL_COUNT(sta_del);
	if (it) {
		__u64 win = cfg && cfg->sta_window_ns ? cfg->sta_window_ns : 60000000000ull;
		__u64 e = f->now_ns / win;

		if (it->sta_epoch != e) {
			it->sta_epoch = e;
			it->sta_new_win = 0;
			it->sta_del_win = 0;
		}
		if (is_new) {
			it->sta_new++;
			it->sta_new_win++;
		} else {
			it->sta_del++;
			it->sta_del_win++;
		}
		nw = it->sta_new_win;
		dw = it->sta_del_win;
	}
	ev = evl_ev_new(f, f->type);
	if (!ev)
		return 0;
	__builtin_memcpy(ev->sta.addr, f->addr, sizeof(ev->sta.addr));
	ev->sta.new_in_window = nw;
	ev->sta.del_in_window = dw;
	bpf_ringbuf_submit(ev, 0);
	return 1;
}

/* Every hook ends here. Returns the number of records sent. */
static __always_inline int evl_feed(const struct evl_bpf_feed *f)
{
	switch (f->type) {
	case EVL_BPF_FEED_TX_STATUS:
		return evl_txstat_feed(f);
	case EVL_BPF_EV_STA_NEW:
	case EVL_BPF_EV_STA_DEL:
		return evl_feed_sta(f);
	default:
		return evl_feed_chan(f);
	}
}

#endif /* EVL_BPF_EVL_H */
