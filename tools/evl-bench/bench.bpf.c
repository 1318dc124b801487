// SPDX-License-Identifier: GPL-2.0
/*
 * evl-bench's own programs (build/include/evl-bench.skel.h, never in evld's skeleton), with the
 * data plane's maps and detector code from bpf/evl.h and bpf/txstat.h.
 * Trigger: raw_syscalls:sys_enter as tp_btf, kept to one thread calling one syscall, so user
 * space fires the detector at the rate it wants. The frame comes from bench_frame (.bss,
 * written by evl-bench through the mmap), the time from bpf_ktime_get_ns() like the real hook.
 *
 *   bench_empty    the trigger filter alone: the baseline subtracted from the detector's cost
 *   bench_clock    the filter + one bpf_ktime_get_ns(): the price of a clock read
 *   bench_tx       the filter + evl_txstat_feed(), the TX detector the fentry hook runs; spike
 *                  records go through the ring buffer (`events`) exactly as in evld
 *   bench_tx_perf  the same detector with the record sent through a perf buffer instead
 */
#include "evl.h"

__u32 bench_tid;		      /* the one thread whose syscalls trigger */
__u32 bench_nr;			      /* ... and the one syscall number */
__u32 bench_sta_mask;		      /* stations rotated through: addr[5] = seq & mask */
__u32 bench_seq;		      /* rotation counter */
__u64 bench_perf_err;		      /* bpf_perf_event_output() failures (buffer full) */
struct evl_bpf_feed bench_frame = {}; /* template of every synthetic TX status report */

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} bench_perf SEC(".maps");

static __always_inline bool bench_mine(long id)
{
	return id == bench_nr && (__u32)bpf_get_current_pid_tgid() == bench_tid;
}

static __always_inline void bench_feed(struct evl_bpf_feed *f)
{
	__builtin_memcpy(f, &bench_frame, sizeof(*f));
	f->now_ns = bpf_ktime_get_ns();
	f->addr[5] = bench_seq++ & bench_sta_mask;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(bench_empty, struct pt_regs *regs, long id)
{
	return bench_mine(id) ? 1 : 0;
}

/* One clock read on top of the filter: what each bpf_ktime_get_ns() costs here. */
SEC("tp_btf/sys_enter")
int BPF_PROG(bench_clock, struct pt_regs *regs, long id)
{
	return bench_mine(id) ? (int)(bpf_ktime_get_ns() & 1) : 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(bench_tx, struct pt_regs *regs, long id)
{
	struct evl_bpf_feed f;

	if (!bench_mine(id))
		return 0;
	bench_feed(&f);
	return evl_txstat_feed(&f);
}

/* evl_tx_verdict() with the record sent through the perf buffer. */
static __always_inline int bench_perf_verdict(void *ctx, struct evl_bpf_txstat *st,
					      const struct evl_bpf_cfg *cfg,
					      const struct evl_bpf_feed *f, __u8 scope, bool detect)
{
	struct evl_bpf_tx_spike s = {};
	struct evl_bpf_event ev = {};

	if (!evl_txstat_update(st, cfg, f, &s) || !detect || evl_tx_rate_limited(st, cfg, f))
		return 0;
	ev.ts_ns = f->now_ns;
	ev.type = EVL_BPF_EV_TX_SPIKE;
	ev.ifindex = f->ifindex;
	__builtin_memcpy(ev.wiphy, f->wiphy, sizeof(ev.wiphy));
	s.scope = scope;
	if (scope == EVL_BPF_SCOPE_STA)
		__builtin_memcpy(s.addr, f->addr, sizeof(s.addr));
	ev.tx = s;
	if (bpf_perf_event_output(ctx, &bench_perf, BPF_F_CURRENT_CPU, &ev, sizeof(ev))) {
		__sync_fetch_and_add(&bench_perf_err, 1);
		return 0;
	}
	st->spikes++;
	st->last_spike_ns = f->now_ns;
	EVL_COUNT(tx_spikes);
	return 1;
}

/* evl_txstat_feed() with the perf-buffer verdict: same map work, other transport. */
SEC("tp_btf/sys_enter")
int BPF_PROG(bench_tx_perf, struct pt_regs *regs, long id)
{
	const struct evl_bpf_cfg *cfg = evl_cfg();
	struct evl_bpf_sta_key key = {};
	struct evl_bpf_txstat *st;
	struct evl_bpf_iface *it;
	struct evl_bpf_feed f;
	__u64 t0;
	int sent = 0;

	if (!bench_mine(id))
		return 0;
	bench_feed(&f);
	t0 = bpf_ktime_get_ns();
	EVL_COUNT(tx_reports);
	if (!cfg || !f.ifindex)
		return 0;
	key.ifindex = f.ifindex;
	__builtin_memcpy(key.addr, f.addr, sizeof(key.addr));
	st = bpf_map_lookup_elem(&stations, &key);
	if (!st) {
		bpf_map_update_elem(&stations, &key, &evl_zero_txstat, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&stations, &key);
	}
	if (st)
		sent += bench_perf_verdict(ctx, st, cfg, &f, EVL_BPF_SCOPE_STA, true);
	it = evl_iface(f.ifindex);
	if (it)
		sent += bench_perf_verdict(ctx, &it->tx, cfg, &f, EVL_BPF_SCOPE_IFACE,
					   cfg->iface_detect);
	evl_hook_time(t0);
	return sent;
}
