// SPDX-License-Identifier: GPL-2.0
/*
 * TX status: every driver path of mac80211 ends in ieee80211_tx_status_ext(); there is no
 * per-frame tracepoint. Reduce the report to frames/acked/retries and hand it to the detector.
 */
#include "evl.h"
#include "kern.h"

/* Tries at one rate-table stage; stops the sum at the first unused (idx < 0) stage. */
#define EVL_TRIES(info, i, tries, done)                                                \
	do {                                                                           \
		struct ieee80211_tx_rate___evl *__rt = &(info)->status.rates[i];       \
		if (!(done)) {                                                         \
			if (BPF_CORE_READ(__rt, idx) < 0)                              \
				(done) = true;                                         \
			else                                                           \
				(tries) += BPF_CORE_READ_BITFIELD_PROBED(__rt, count); \
		}                                                                      \
	} while (0)

SEC("fentry/ieee80211_tx_status_ext")
int BPF_PROG(tx_status, struct ieee80211_hw___evl *hw, struct ieee80211_tx_status___evl *status)
{
	struct evl_bpf_feed f = {.now_ns = bpf_ktime_get_ns(), .type = EVL_BPF_FEED_TX_STATUS};
	struct ieee80211_tx_info___evl *info;
	struct ieee80211_sta___evl *sta;
	__u32 flags, tries = 0;
	bool done = false;

	if (!hw || !status)
		return 0;
	info = BPF_CORE_READ(status, info);
	sta = BPF_CORE_READ(status, sta);
	if (!info)
		return 0;
	flags = BPF_CORE_READ(info, flags);
	if (flags & EVL_TX_CTL_NO_ACK)
		return 0; /* no ACK expected: says nothing about the link */
	if (flags & EVL_TX_STAT_AMPDU) {
		f.frames = BPF_CORE_READ(info, status.ampdu_len);
		f.acked = BPF_CORE_READ(info, status.ampdu_ack_len);
	} else {
		f.frames = 1;
		f.acked = !!(flags & EVL_TX_STAT_ACK);
	}
	EVL_TRIES(info, 0, tries, done);
	EVL_TRIES(info, 1, tries, done);
	EVL_TRIES(info, 2, tries, done);
	EVL_TRIES(info, 3, tries, done);
	f.retries = tries > 1 ? tries - 1 : 0;
	if (sta) {
		struct sta_info___evl *si =
			(void *)sta - bpf_core_field_offset(struct sta_info___evl, sta);

		f.ifindex = BPF_CORE_READ(si, sdata, dev, ifindex);
		BPF_CORE_READ_INTO(&f.addr, sta, addr);
	}
	evl_txstat_feed(&f);
	return 0;
}
