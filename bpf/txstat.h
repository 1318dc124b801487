/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TX-status detector, shared by the fentry hook, the test entry point and the latency
 * benchmark. Input: one struct evl_bpf_feed of type EVL_BPF_FEED_TX_STATUS (station key,
 * frames, acked, retries, time). Per station and per interface it keeps buckets of
 * cfg->bucket_ns over a window of cfg->window_buckets, an EWMA baseline over finished buckets,
 * and sends a record only on a spike, at most one per cfg->rate_limit_ns. The normal path
 * touches two map entries and the ring buffer not at all.
 *
 * Updates are not atomic: two CPUs completing frames of one station at the same instant may
 * lose a count. mac80211 completes a hardware's TX status in one tasklet, so this is rare.
 */
#ifndef EVL_BPF_TXSTAT_H
#define EVL_BPF_TXSTAT_H

static const struct evl_bpf_txstat evl_zero_txstat;

static __always_inline __u32 evl_ppm(__u64 num, __u64 den)
{
	return den ? num * 1000000 / den : 0;
}

static __always_inline __u32 evl_log2(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1)
		r += 1;
	return r;
}

/* val is a rise over the baseline (true while there is no baseline yet). */
static __always_inline bool evl_above_base(__u32 val, __u32 base, __u32 rise_pct, __u32 nbase)
{
	return !nbase || (__u64)val * 100 >= (__u64)base * (100 + rise_pct);
}

/* Fold a finished bucket into the EWMA baselines. */
static __always_inline void evl_base_fold(struct evl_bpf_txstat *st, const struct evl_bpf_cfg *cfg,
					  const struct evl_bpf_bucket *b)
{
	__u32 acked = b->acked < b->frames ? b->acked : b->frames;
	__u32 per = evl_ppm(b->frames - acked, b->frames);
	__u32 retry = evl_ppm(b->retries, (__u64)b->frames + b->retries);
	__u64 w = cfg->ewma_weight_pct;

	if (w < 1 || w > 100)
		w = 20;
	if (!st->base_buckets) {
		st->base_per_ppm = per;
		st->base_retry_ppm = retry;
	} else {
		st->base_per_ppm = (st->base_per_ppm * (100 - w) + per * w) / 100;
		st->base_retry_ppm = (st->base_retry_ppm * (100 - w) + retry * w) / 100;
	}
	st->base_buckets++;
}

/*
 * Account one report in st and judge its window. Returns EVL_BPF_SPIKE_* bits, and fills
 * out when a spike fired.
 */
static __always_inline __u32 evl_txstat_update(struct evl_bpf_txstat *st,
					       const struct evl_bpf_cfg *cfg,
					       const struct evl_bpf_feed *f,
					       struct evl_bpf_tx_spike *out)
{
	__u64 n = cfg->window_buckets, epoch, fr = 0, ack = 0, rt = 0;
	__u32 per, retry, reasons = 0, i, idx;
	struct evl_bpf_bucket *b;

	st->frames += f->frames;
	st->acked += f->acked;
	st->retries += f->retries;
	if (!n || n > EVL_BPF_WIN_MAX || !cfg->bucket_ns)
		goto out_last; /* detector not configured: count only */

	epoch = f->now_ns / cfg->bucket_ns;
	if (epoch != st->epoch) {
		/* the bucket of the previous report is finished: it feeds the baseline */
		idx = st->epoch % n;
		if (idx < EVL_BPF_WIN_MAX) {
			b = &st->win[idx];
			if (st->last_ns && b->epoch == st->epoch && b->frames &&
			    b->frames >= cfg->base_min_frames)
				evl_base_fold(st, cfg, b);
		}
		st->epoch = epoch;
	}
	idx = epoch % n;
	if (idx >= EVL_BPF_WIN_MAX)
		goto out_last;
	b = &st->win[idx];
	if (b->epoch != epoch || !st->last_ns) {
		b->epoch = epoch;
		b->frames = 0;
		b->acked = 0;
		b->retries = 0;
	}
	b->frames += f->frames;
	b->acked += f->acked;
	b->retries += f->retries;

	for (i = 0; i < EVL_BPF_WIN_MAX; i++) {
		if (i >= n)
			break;
		b = &st->win[i];
		if (epoch - b->epoch < n) { /* older buckets (and future ones) are out */
			fr += b->frames;
			ack += b->acked;
			rt += b->retries;
		}
	}
	if (!fr || fr < cfg->min_frames)
		goto out_last;
	if (ack > fr)
		ack = fr;
	per = evl_ppm(fr - ack, fr);
	retry = evl_ppm(rt, fr + rt);
	if (per && per >= cfg->per_thresh_ppm &&
	    evl_above_base(per, st->base_per_ppm, cfg->per_rise_pct, st->base_buckets))
		reasons |= EVL_BPF_SPIKE_PER;
	if (retry && retry >= cfg->retry_thresh_ppm &&
	    evl_above_base(retry, st->base_retry_ppm, cfg->retry_rise_pct, st->base_buckets))
		reasons |= EVL_BPF_SPIKE_RETRY;
	if (reasons) {
		out->reasons = reasons;
		out->frames = fr;
		out->acked = ack;
		out->retries = rt;
		out->per_ppm = per;
		out->retry_ppm = retry;
		out->base_per_ppm = st->base_per_ppm;
		out->base_retry_ppm = st->base_retry_ppm;
		out->base_buckets = st->base_buckets;
	}
out_last:
	st->last_ns = f->now_ns ? f->now_ns : 1;
	return reasons;
}

/* Judge st; on a spike that passes the rate limit send one record. Returns records sent. */
/* A spike this soon after the last one of the same scope is counted, not sent. */
static __always_inline bool evl_tx_rate_limited(struct evl_bpf_txstat *st,
						const struct evl_bpf_cfg *cfg,
						const struct evl_bpf_feed *f)
{
	if (!st->spikes || f->now_ns - st->last_spike_ns >= cfg->rate_limit_ns)
		return false;
	st->suppressed++;
	EVL_COUNT(rate_limited);
	return true;
}

static __always_inline int evl_tx_verdict(struct evl_bpf_txstat *st, const struct evl_bpf_cfg *cfg,
					  const struct evl_bpf_feed *f, __u8 scope, bool detect)
{
	struct evl_bpf_tx_spike s = {};
	struct evl_bpf_event *ev;

	if (!evl_txstat_update(st, cfg, f, &s) || !detect || evl_tx_rate_limited(st, cfg, f))
		return 0;
	ev = evl_ev_new(f, EVL_BPF_EV_TX_SPIKE);
	if (!ev)
		return 0; /* not marked sent: the next report tries again */
	st->spikes++;
	st->last_spike_ns = f->now_ns;
	EVL_COUNT(tx_spikes);
	s.scope = scope;
	if (scope == EVL_BPF_SCOPE_STA)
		__builtin_memcpy(s.addr, f->addr, sizeof(s.addr));
	ev->tx = s;
	bpf_ringbuf_submit(ev, 0);
	return 1;
}

static __always_inline bool evl_addr_zero(const __u8 *a)
{
	return !(a[0] | a[1] | a[2] | a[3] | a[4] | a[5]);
}

/* Count the time since @t0 in the log2 histogram of the TX-status path (tx_hook_ns). */
static __always_inline void evl_hook_time(__u64 t0)
{
	__u32 slot = evl_log2(bpf_ktime_get_ns() - t0);
	__u64 *h;

	if (slot >= EVL_BPF_HIST_SLOTS)
		slot = EVL_BPF_HIST_SLOTS - 1;
	h = bpf_map_lookup_elem(&tx_hook_ns, &slot);
	if (h)
		__sync_fetch_and_add(h, 1);
}

/* One TX status report. Returns the number of spike records sent (0..2). */
static __always_inline int evl_txstat_feed(const struct evl_bpf_feed *f)
{
	/* Self-timing costs two clock reads: only ~1 report in 64 (low timestamp bits) pays. */
	bool timed = !(f->now_ns & 63);
	__u64 t0 = timed ? bpf_ktime_get_ns() : 0;
	const struct evl_bpf_cfg *cfg = evl_cfg();
	struct evl_bpf_sta_key key = {};
	struct evl_bpf_txstat *st;
	struct evl_bpf_iface *it;
	int sent = 0;

	EVL_COUNT(tx_reports);
	if (!cfg)
		return 0;
	if (!f->ifindex || evl_addr_zero(f->addr)) {
		EVL_COUNT(tx_no_sta);
		return 0;
	}
	key.ifindex = f->ifindex;
	__builtin_memcpy(key.addr, f->addr, sizeof(key.addr));
	st = bpf_map_lookup_elem(&stations, &key);
	if (!st) {
		bpf_map_update_elem(&stations, &key, &evl_zero_txstat, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&stations, &key);
	}
	if (st)
		sent += evl_tx_verdict(st, cfg, f, EVL_BPF_SCOPE_STA, true);
	it = evl_iface(f->ifindex);
	if (it)
		sent += evl_tx_verdict(&it->tx, cfg, f, EVL_BPF_SCOPE_IFACE, cfg->iface_detect);

	if (!timed)
		return sent;
	evl_hook_time(t0);
	return sent;
}

#endif /* EVL_BPF_TXSTAT_H */
