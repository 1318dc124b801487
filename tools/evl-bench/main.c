// SPDX-License-Identifier: GPL-2.0
/*
 * evl-bench: what the eBPF data plane costs and how fast its records reach user space.
 *
 *   evl-bench [--events N] [--rate R] [--json]     on any BPF kernel (no wireless needed)
 *   evl-bench --radar [--trials N] [--json]        in the VM: eBPF vs nl80211 radar path
 *
 * Host figures: the TX detector (bpf/txstat.h, the code the fentry hook runs) is attached to
 * raw_syscalls:sys_enter through tools/evl-bench/bench.bpf.c and fired by getppid() from one thread
 * with synthetic frames. The kernel's own BPF run-time statistics give its cost per frame minus an
 * empty program on the same trigger; spike records are timed from bpf_ktime_get_ns() in the
 * program to the user-space callback, through the ring buffer (evld's path, the loader's
 * consumer) and through a perf buffer, in the same run.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <evl/bpf_loader.h>
#include "evl-bench.skel.h"
#include "bench.h"

#define DET_ROUNDS 5
#define DET_NSTA   16	/* stations the normal-path frames rotate through (power of two) */
#define SPIKE_IF   7	/* ifindex of the spike phases (the normal path uses 1) */
#define STEP_SEC   0.25 /* length of one throughput step */
#define TARGET_DET 100	/* ns per frame, issue 7 */
#define TARGET_P99 50000

enum transport { RB, PB };
static const char *const tname[] = {"ringbuf", "perfbuf"};

struct sink {
	uint64_t *lat; /* latencies, ns (when cap > 0) */
	size_t cap;
	atomic_size_t n;
	uint64_t hist[EVL_BPF_HIST_SLOTS];
	atomic_ullong lost; /* perf buffer: lost samples reported by the kernel */
	atomic_bool stop;
	uint64_t cpu_ns; /* consumer thread CPU time (getrusage RUSAGE_THREAD) */
	int err;
};

struct phase {
	size_t sent, recv, drops;
	double offered, achieved; /* records/s */
	uint64_t p50, p99, p999, max;
	uint64_t hist[EVL_BPF_HIST_SLOTS];
	double cpu_user_ns, cpu_bpf_ns; /* per record: consumer thread, producer program */
};

struct bench {
	struct evl_bpf *b;
	struct evl_bench_skel *skel;
	struct perf_buffer *pb;
	struct sink sink;
	size_t perf_pages;
	bool spin;    /* consumers busy-poll instead of sleeping in epoll */
	bool rt;      /* the consumer got SCHED_FIFO like evld */
	int cons_cpu; /* CPU the consumer is pinned to (the producer runs on CPU 0) */
};

static unsigned int log2_slot(uint64_t v)
{
	unsigned int s = 0;

	while (v >>= 1)
		s++;
	return s < EVL_BPF_HIST_SLOTS ? s : EVL_BPF_HIST_SLOTS - 1;
}

static void sink_add(struct sink *s, uint64_t ts_ns)
{
	uint64_t now = bench_mono_ns(), d = now > ts_ns ? now - ts_ns : 0;
	size_t i = atomic_fetch_add(&s->n, 1);

	if (i < s->cap)
		s->lat[i] = d;
	s->hist[log2_slot(d)]++;
}

static int on_rb(void *ctx, const struct evl_bpf_event *ev)
{
	if (ev->type == EVL_BPF_EV_TX_SPIKE)
		sink_add(ctx, ev->ts_ns);
	return 0;
}

static void on_pb(void *ctx, int cpu, void *data, __u32 size)
{
	struct evl_bpf_event ev;

	(void)cpu;
	if (size < sizeof(ev))
		return;
	memcpy(&ev, data, sizeof(ev)); /* perf samples are only 4-byte aligned */
	if (ev.type == EVL_BPF_EV_TX_SPIKE)
		sink_add(ctx, ev.ts_ns);
}

static void on_pb_lost(void *ctx, int cpu, __u64 cnt)
{
	struct sink *s = ctx;

	(void)cpu;
	atomic_fetch_add(&s->lost, cnt);
}

static uint64_t thread_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

struct consumer {
	struct bench *bn;
	enum transport t;
};

/* Pin the calling thread: the layout decides whether a wake-up needs a cross-CPU IPI. */
static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Consumer thread: block in epoll like evld does, until told to stop and drained. */
static void *consume(void *arg)
{
	struct consumer *c = arg;
	struct sink *s = &c->bn->sink;
	struct sched_param sp = {.sched_priority = EVLD_RT_PRIORITY};
	uint64_t c0;
	int r;

	/* evld's event loop runs SCHED_FIFO (rt_priority=50): measure the consumer the same way */
	c->bn->rt = !pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	pin_cpu(c->bn->cons_cpu);
	c0 = thread_cpu_ns();

	for (;;) {
		bool stop = atomic_load(&s->stop);

		if (c->bn->spin) /* busy-poll: no wake-up, the transport alone */
			r = c->t == RB ? evl_bpf_consume(c->bn->b)
				       : perf_buffer__consume(c->bn->pb);
		else
			r = c->t == RB ? evl_bpf_poll(c->bn->b, 20)
				       : perf_buffer__poll(c->bn->pb, 20);
		if (r < 0 && r != -EINTR) {
			s->err = r;
			break;
		}
		if (stop && r == 0)
			break;
	}
	s->cpu_ns = thread_cpu_ns() - c0;
	return NULL;
}

/* run_time_ns and run_cnt of a program since BPF_ENABLE_STATS was switched on. */
static void prog_stats(const struct bpf_program *p, uint64_t *ns, uint64_t *cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	*ns = *cnt = 0;
	if (!bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len)) {
		*ns = info.run_time_ns;
		*cnt = info.run_cnt;
	}
}

static uint64_t rb_drops(struct bench *bn)
{
	struct evl_bpf_counters c;

	return evl_bpf_counters_get(bn->b, &c) ? 0 : c.rb_drops;
}

static void trigger(void)
{
	syscall(SYS_getppid);
}

/* Fire n triggers at rate/s (0: as fast as possible); returns the achieved rate. */
static double fire(size_t n, double rate)
{
	double period = rate > 0 ? 1e9 / rate : 0;
	uint64_t t0 = bench_mono_ns(), due, now;
	size_t i;

	for (i = 0; i < n; i++) {
		if (period > 0) {
			due = t0 + (uint64_t)(i * period);
			now = bench_mono_ns();
			if (due > now + 40000) { /* sleep most of a long gap, spin the rest */
				struct timespec ts = {.tv_sec = (due - 30000) / 1000000000ull,
						      .tv_nsec = (due - 30000) % 1000000000ull};

				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
			}
			while (bench_mono_ns() < due)
				;
		}
		trigger();
	}
	now = bench_mono_ns();
	return now > t0 ? n * 1e9 / (now - t0) : 0;
}

static void set_frame(struct bench *bn, __u32 ifindex, __u32 acked, __u32 sta_mask)
{
	struct evl_bpf_feed *f = &bn->skel->bss->bench_frame;

	memset(f, 0, sizeof(*f));
	f->type = EVL_BPF_FEED_TX_STATUS;
	f->ifindex = ifindex;
	f->addr[0] = 0x02; /* locally administered 02:00:5e:10:00:xx */
	f->addr[2] = 0x5e;
	f->addr[3] = 0x10;
	f->frames = 1;
	f->acked = acked;
	bn->skel->bss->bench_sta_mask = sta_mask;
}

/*
 * Detector cost on the normal path: bench_empty and bench_tx on the same trigger at once; the
 * difference of their run time over our triggers (other threads' syscalls cost both programs
 * the same filter and cancel out).
 */
static int bench_detector(struct bench *bn, size_t n, double *empty_ns, double *tx_ns,
			  double *det_ns, double *clock_ns, uint64_t *foreign)
{
	struct bpf_link *le = NULL, *lt = NULL, *lc = NULL;
	double det[DET_ROUNDS], e = 0, t = 0, ck = 0;
	struct evl_bpf_counters c0, c1;
	uint64_t en0, ec0, tn0, tc0, en1, ec1, tn1, tc1, cn0, cc0, cn1, cc1;
	size_t per = n / DET_ROUNDS ? n / DET_ROUNDS : 1;
	int r, i, j, err = 0;
	struct evl_bpf_cfg cfg;

	evl_bpf_config_default(&cfg);
	err = evl_bpf_config_set(bn->b, &cfg);
	if (err)
		return err;
	set_frame(bn, 1, 1, DET_NSTA - 1);
	le = bpf_program__attach(bn->skel->progs.bench_empty);
	lt = le ? bpf_program__attach(bn->skel->progs.bench_tx) : NULL;
	lc = lt ? bpf_program__attach(bn->skel->progs.bench_clock) : NULL;
	if (!lc) {
		err = -errno;
		goto out_detach;
	}
	fire(1000, 0); /* warm-up: stations and interface entries exist from here on */
	*foreign = 0;
	for (r = 0; r < DET_ROUNDS; r++) {
		evl_bpf_counters_get(bn->b, &c0);
		prog_stats(bn->skel->progs.bench_empty, &en0, &ec0);
		prog_stats(bn->skel->progs.bench_tx, &tn0, &tc0);
		prog_stats(bn->skel->progs.bench_clock, &cn0, &cc0);
		fire(per, 0);
		prog_stats(bn->skel->progs.bench_empty, &en1, &ec1);
		prog_stats(bn->skel->progs.bench_tx, &tn1, &tc1);
		prog_stats(bn->skel->progs.bench_clock, &cn1, &cc1);
		evl_bpf_counters_get(bn->b, &c1);
		if (c1.tx_reports - c0.tx_reports != per || c1.tx_spikes != c0.tx_spikes) {
			err = -EPROTO; /* the detector did not see every frame, or judged a spike */
			goto out_detach;
		}
		if (ec1 - ec0 < per) {
			err = -ENODATA; /* no statistics: BPF_ENABLE_STATS not in effect */
			goto out_detach;
		}
		*foreign += (ec1 - ec0) - per;
		e += (double)(en1 - en0) / (ec1 - ec0);
		t += (double)(tn1 - tn0) / (tc1 - tc0);
		det[r] = ((double)(tn1 - tn0) - (double)(en1 - en0)) / per;
		ck += ((double)(cn1 - cn0) - (double)(en1 - en0)) / per;
	}
	for (i = 1; i < DET_ROUNDS; i++) /* median of the rounds */
		for (j = i; j > 0 && det[j - 1] > det[j]; j--) {
			double x = det[j];

			det[j] = det[j - 1];
			det[j - 1] = x;
		}
	*empty_ns = e / DET_ROUNDS;
	*tx_ns = t / DET_ROUNDS;
	*det_ns = det[DET_ROUNDS / 2];
	*clock_ns = ck / DET_ROUNDS;
out_detach:
	bpf_link__destroy(lc);
	bpf_link__destroy(lt);
	bpf_link__destroy(le);
	return err;
}

/* Every frame a spike, every spike a record: loss frames, no baseline rise, no rate limit. */
static int spike_config(struct bench *bn)
{
	struct evl_bpf_cfg cfg;

	evl_bpf_config_default(&cfg);
	cfg.min_frames = 1;
	cfg.per_thresh_ppm = 1;
	cfg.per_rise_pct = 0;
	cfg.rate_limit_ns = 0;
	cfg.iface_detect = 0;
	set_frame(bn, SPIKE_IF, 0, 0);
	return evl_bpf_config_set(bn->b, &cfg);
}

/* n spike records at rate/s through transport t; lat_cap > 0 keeps latencies for quantiles. */
static int run_phase(struct bench *bn, enum transport t, size_t n, double rate, bool lat,
		     struct phase *ph)
{
	struct bpf_program *p = t == RB ? bn->skel->progs.bench_tx : bn->skel->progs.bench_tx_perf;
	struct consumer c = {.bn = bn, .t = t};
	struct sink *s = &bn->sink;
	struct bpf_program *pe = bn->skel->progs.bench_empty;
	uint64_t d0, bns0, bcnt0, bns1, bcnt1, ens0, ecnt0, ens1, ecnt1, end;
	struct bpf_link *l, *le;
	pthread_t th;
	size_t got;
	int err;

	memset(ph, 0, sizeof(*ph));
	free(s->lat);
	memset(s, 0, sizeof(*s));
	if (lat) {
		s->lat = calloc(n, sizeof(*s->lat));
		if (!s->lat)
			return -ENOMEM;
		s->cap = n;
	}
	d0 = t == RB ? rb_drops(bn) : 0;
	bn->skel->bss->bench_perf_err = 0;
	/* the empty program rides along: its run time is the trigger's share, subtracted */
	le = bpf_program__attach(pe);
	l = le ? bpf_program__attach(p) : NULL;
	if (!l) {
		err = -errno;
		bpf_link__destroy(le);
		return err;
	}
	prog_stats(p, &bns0, &bcnt0);
	prog_stats(pe, &ens0, &ecnt0);
	err = pthread_create(&th, NULL, consume, &c);
	if (err) {
		bpf_link__destroy(l);
		bpf_link__destroy(le);
		return -err;
	}
	ph->offered = rate;
	ph->achieved = fire(n, rate);
	ph->sent = n;
	prog_stats(p, &bns1, &bcnt1);
	prog_stats(pe, &ens1, &ecnt1);
	bpf_link__destroy(l);
	bpf_link__destroy(le);
	end = bench_mono_ns() + 2000000000ull; /* wait for the tail: records or drops */
	do {
		got = atomic_load(&s->n);
		ph->drops = t == RB ? rb_drops(bn) - d0 : bn->skel->bss->bench_perf_err;
		if (got + ph->drops >= n)
			break;
		usleep(1000);
	} while (bench_mono_ns() < end);
	atomic_store(&s->stop, true);
	pthread_join(th, NULL);
	if (s->err)
		return s->err;
	ph->recv = atomic_load(&s->n);
	ph->drops = t == RB ? rb_drops(bn) - d0 : bn->skel->bss->bench_perf_err;
	if (t == PB && atomic_load(&s->lost) > ph->drops)
		ph->drops = atomic_load(&s->lost);
	memcpy(ph->hist, s->hist, sizeof(ph->hist));
	if (ph->recv) {
		ph->cpu_user_ns = (double)s->cpu_ns / ph->recv;
		ph->cpu_bpf_ns = ((double)(bns1 - bns0) - (double)(ens1 - ens0)) / ph->recv;
	}
	if (lat) {
		got = ph->recv < s->cap ? ph->recv : s->cap;
		bench_sort(s->lat, got);
		ph->p50 = bench_quantile(s->lat, got, 0.50);
		ph->p99 = bench_quantile(s->lat, got, 0.99);
		ph->p999 = bench_quantile(s->lat, got, 0.999);
		ph->max = got ? s->lat[got - 1] : 0;
	}
	return 0;
}

/* Throughput steps, fastest last; stops at the first step that dropped. */
static const double steps[] = {10e3, 20e3, 50e3, 100e3, 200e3, 500e3, 1e6, 2e6, 0};
#define N_STEPS (sizeof(steps) / sizeof(steps[0]))

struct sweep {
	struct phase ph[N_STEPS];
	size_t n;
	double zero_drop; /* highest achieved rate without drops */
	int first_drop;	  /* index of the first step with drops, -1 when none */
};

static int run_sweep(struct bench *bn, enum transport t, size_t events, struct sweep *sw)
{
	size_t i, n;
	int err;

	memset(sw, 0, sizeof(*sw));
	sw->first_drop = -1;
	for (i = 0; i < N_STEPS; i++) {
		n = steps[i] > 0 ? (size_t)(steps[i] * STEP_SEC) : events;
		if (n < 1000)
			n = 1000;
		if (n > events && steps[i] > 0)
			n = events;
		err = run_phase(bn, t, n, steps[i], false, &sw->ph[i]);
		if (err)
			return err;
		sw->n = i + 1;
		if (sw->ph[i].drops) {
			sw->first_drop = (int)i;
			break;
		}
		if (sw->ph[i].achieved > sw->zero_drop)
			sw->zero_drop = sw->ph[i].achieved;
	}
	return 0;
}

/* --- output ---------------------------------------------------------------------------- */

struct results {
	size_t events;
	double rate;
	double empty_ns, tx_ns, det_ns, clock_ns;
	uint64_t foreign;
	struct phase lat[2];
	struct sweep sw[2];
	size_t perf_pages;
	bool spin;
	bool rt;
	bool split;
};

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static json_object *jd(double v)
{
	return json_object_new_double(v);
}

static json_object *phase_json(const struct phase *p, bool lat)
{
	json_object *o = json_object_new_object(), *h;
	size_t i;

	json_object_object_add(o, "offered_per_s", jd(p->offered));
	json_object_object_add(o, "achieved_per_s", jd(p->achieved));
	json_object_object_add(o, "records", json_object_new_int64(p->recv));
	json_object_object_add(o, "drops", json_object_new_int64(p->drops));
	json_object_object_add(o, "cpu_user_ns_per_record", jd(p->cpu_user_ns));
	json_object_object_add(o, "cpu_bpf_ns_per_record", jd(p->cpu_bpf_ns));
	json_object_object_add(o, "cpu_ns_per_record", jd(p->cpu_user_ns + p->cpu_bpf_ns));
	if (!lat)
		return o;
	json_object_object_add(o, "p50_ns", json_object_new_int64(p->p50));
	json_object_object_add(o, "p99_ns", json_object_new_int64(p->p99));
	json_object_object_add(o, "p999_ns", json_object_new_int64(p->p999));
	json_object_object_add(o, "max_ns", json_object_new_int64(p->max));
	h = json_object_new_array();
	for (i = 0; i < EVL_BPF_HIST_SLOTS; i++)
		json_object_array_add(h, json_object_new_int64(p->hist[i]));
	json_object_object_add(o, "hist_log2_ns", h);
	return o;
}

static void print_json(const struct results *r, const struct utsname *u, long cpus)
{
	json_object *o = json_object_new_object(), *d, *l, *t, *x;
	size_t i, k;

	x = json_object_new_object();
	json_object_object_add(x, "kernel", json_object_new_string(u->release));
	json_object_object_add(x, "arch", json_object_new_string(u->machine));
	json_object_object_add(x, "cpus", json_object_new_int(cpus));
	json_object_object_add(o, "machine", x);
	json_object_object_add(o, "trigger",
			       json_object_new_string("tp_btf/sys_enter: getppid() of one thread"));
	json_object_object_add(o, "events", json_object_new_int64(r->events));
	json_object_object_add(o, "rate_per_s", jd(r->rate));
	json_object_object_add(o, "consumer",
			       json_object_new_string(r->spin ? "busy-poll" : "epoll"));
	json_object_object_add(o, "consumer_sched_fifo", json_object_new_boolean(r->rt));
	json_object_object_add(o, "consumer_cpu",
			       json_object_new_string(r->split ? "other" : "same"));

	d = json_object_new_object();
	json_object_object_add(d, "empty_ns", jd(r->empty_ns));
	json_object_object_add(d, "detector_prog_ns", jd(r->tx_ns));
	json_object_object_add(d, "detector_ns_per_frame", jd(r->det_ns));
	json_object_object_add(d, "clock_read_ns", jd(r->clock_ns));
	json_object_object_add(d, "frames",
			       json_object_new_int64(r->events / DET_ROUNDS * DET_ROUNDS));
	json_object_object_add(d, "foreign_invocations", json_object_new_int64(r->foreign));
	json_object_object_add(d, "target_ns", json_object_new_int(TARGET_DET));
	json_object_object_add(o, "detector", d);

	l = json_object_new_object();
	for (k = 0; k < 2; k++)
		json_object_object_add(l, tname[k], phase_json(&r->lat[k], true));
	json_object_object_add(l, "perfbuf_pages_per_cpu", json_object_new_int64(r->perf_pages));
	json_object_object_add(l, "p99_ratio_perf_over_ring",
			       jd(ratio(r->lat[PB].p99, r->lat[RB].p99)));
	json_object_object_add(l, "cpu_ratio_perf_over_ring",
			       jd(ratio(r->lat[PB].cpu_user_ns + r->lat[PB].cpu_bpf_ns,
					r->lat[RB].cpu_user_ns + r->lat[RB].cpu_bpf_ns)));
	json_object_object_add(o, "latency", l);

	t = json_object_new_object();
	for (k = 0; k < 2; k++) {
		const struct sweep *sw = &r->sw[k];
		json_object *s = json_object_new_object(), *a = json_object_new_array();

		json_object_object_add(s, "zero_drop_per_s", jd(sw->zero_drop));
		json_object_object_add(s, "first_drop_per_s",
				       sw->first_drop < 0 ? NULL
							  : jd(sw->ph[sw->first_drop].achieved));
		for (i = 0; i < sw->n; i++)
			json_object_array_add(a, phase_json(&sw->ph[i], false));
		json_object_object_add(s, "steps", a);
		json_object_object_add(t, tname[k], s);
	}
	json_object_object_add(o, "throughput", t);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
}

static const char *fmt_ns(char *buf, size_t len, double ns)
{
	if (ns >= 1e6)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else
		snprintf(buf, len, "%.0f ns", ns);
	return buf;
}

static void print_table(const struct results *r, const struct utsname *u, long cpus)
{
	const struct phase *a = &r->lat[RB], *b = &r->lat[PB];
	char x[32], y[32];
	size_t i, k;

	printf("evl-bench: Linux %s %s, %ld CPUs; trigger tp_btf/sys_enter (getppid of one "
	       "thread)\n\n",
	       u->release, u->machine, cpus);
	printf("TX detector, normal path (no spike), %zu frames over %d stations, "
	       "BPF_ENABLE_STATS\n",
	       r->events / DET_ROUNDS * DET_ROUNDS, DET_NSTA);
	printf("  empty program (trigger filter)   %8.1f ns/run\n", r->empty_ns);
	printf("  detector program                 %8.1f ns/run\n", r->tx_ns);
	printf("  detector cost                    %8.1f ns/frame  (median of %d rounds; target <= "
	       "%d)\n",
	       r->det_ns, DET_ROUNDS, TARGET_DET);
	printf("  one bpf_ktime_get_ns()           %8.1f ns  (the hook takes 1; the detector 2 "
	       "more on "
	       "1 report in 64)\n\n",
	       r->clock_ns);

	printf("Spike record -> user-space callback, %zu records at %.0f/s, consumer %s\n",
	       r->events, r->rate, r->spin ? "busy-polling" : "asleep in epoll (as evld)");
	printf("  (consumer thread %s, %s)\n",
	       r->rt ? "SCHED_FIFO 50, as evld runs" : "SCHED_OTHER: could not get SCHED_FIFO",
	       r->split ? "on another CPU than the producer" : "on the producer's CPU");
	printf("  %-28s %12s %12s %10s\n", "", "ring buffer", "perf buffer", "perf/ring");
#define ROW(name, fa, fb)                                                    \
	printf("  %-28s %12s %12s %9.2fx\n", name, fmt_ns(x, sizeof(x), fa), \
	       fmt_ns(y, sizeof(y), fb), ratio(fb, fa))
	ROW("p50", (double)a->p50, (double)b->p50);
	ROW("p99", (double)a->p99, (double)b->p99);
	ROW("p99.9", (double)a->p999, (double)b->p999);
	ROW("max", (double)a->max, (double)b->max);
	ROW("CPU/record, consumer", a->cpu_user_ns, b->cpu_user_ns);
	ROW("CPU/record, BPF (detector+send)", a->cpu_bpf_ns, b->cpu_bpf_ns);
	ROW("CPU/record, total", a->cpu_user_ns + a->cpu_bpf_ns, b->cpu_user_ns + b->cpu_bpf_ns);
#undef ROW
	printf("  %-28s %12zu %12zu\n", "records", a->recv, b->recv);
	printf("  %-28s %12zu %12zu\n", "drops", a->drops, b->drops);
	printf("  (perf buffer: %zu pages per CPU = the ring buffer's 256 KiB in total; p99 target "
	       "<= %s)\n\n",
	       r->perf_pages, fmt_ns(x, sizeof(x), TARGET_P99));

	printf("Latency histogram (log2)\n  %-22s %12s %12s\n", "", "ring buffer", "perf buffer");
	for (i = 0; i < EVL_BPF_HIST_SLOTS; i++) {
		char lo[24], hi[24], range[64];

		if (!a->hist[i] && !b->hist[i])
			continue;
		fmt_ns(lo, sizeof(lo), (double)(1ull << i));
		fmt_ns(hi, sizeof(hi), (double)(2ull << i));
		snprintf(range, sizeof(range), "[%s, %s)", lo, hi);
		printf("  %-22s %12llu %12llu\n", range, (unsigned long long)a->hist[i],
		       (unsigned long long)b->hist[i]);
	}

	printf("\nSustained spike throughput (offered -> achieved records/s, drops)\n");
	for (k = 0; k < 2; k++) {
		const struct sweep *sw = &r->sw[k];

		printf("  %s:", k == RB ? "ring buffer" : "perf buffer");
		for (i = 0; i < sw->n; i++)
			printf(" %s%.0fk->%.0fk%s", i ? "| " : "",
			       sw->ph[i].offered > 0 ? sw->ph[i].offered / 1e3 : 0,
			       sw->ph[i].achieved / 1e3, sw->ph[i].drops ? " DROPS" : "");
		printf("\n    zero drops up to %.0f/s; ", sw->zero_drop);
		if (sw->first_drop < 0)
			printf("no drops even unpaced (the trigger is the limit)\n");
		else
			printf("drops begin at %.0f/s (%zu of %zu lost)\n",
			       sw->ph[sw->first_drop].achieved, sw->ph[sw->first_drop].drops,
			       sw->ph[sw->first_drop].sent);
	}
	printf("  (0k = unpaced, as fast as one thread can fire)\n");
}

/* --- main ------------------------------------------------------------------------------ */

static int usage(bool help)
{
	fprintf(help ? stdout : stderr,
		"usage: evl-bench [--events N] [--rate R] [--spin] [--split] [--json]\n"
		"       evl-bench --radar [--trials N] [--json]   (inside the VM test bed)\n"
		"Cost and latency of the eBPF data path (root); see evl-bench(8).\n");
	return help ? 0 : 2;
}

static bool parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int bench_host(size_t events, double rate, bool spin, bool split, bool json)
{
	struct results r = {.events = events, .rate = rate, .spin = spin};
	struct bench bn = {.spin = spin, .cons_cpu = split ? 1 : 0};
	struct evl_bpf_opts o = {.on_event = on_rb, .ctx = &bn.sink};
	struct perf_buffer_opts po = {.sz = sizeof(po)};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), page = sysconf(_SC_PAGESIZE);
	struct utsname u;
	int stats_fd, err, k;
	const char *what = "";

	uname(&u);
	prctl(PR_SET_TIMERSLACK, 1UL); /* paced firing wants its wake-ups on time */
	if (split && sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "evl-bench: --split needs 2 CPUs\n");
		return 2;
	}
	pin_cpu(0); /* producer (the "TX completion" side) */
	bn.skel = evl_bench_skel__open_and_load();
	if (!bn.skel) {
		fprintf(stderr,
			"evl-bench: loading the BPF programs: %s (root or CAP_BPF+CAP_PERFMON "
			"needed, and a kernel with BTF)\n",
			strerror(errno));
		return 1;
	}
	bn.b = evl_bpf_wrap(bn.skel->obj, &o);
	if (!bn.b) {
		err = -errno;
		fprintf(stderr, "evl-bench: the data plane's maps: %s\n", strerror(errno));
		goto out_close;
	}
	bn.skel->bss->bench_tid = (__u32)gettid();
	bn.skel->bss->bench_nr = SYS_getppid;
	/* the perf buffer gets the ring buffer's memory: 256 KiB over all CPUs */
	for (bn.perf_pages = 1; bn.perf_pages * 2 * page * cpus <= 256 * 1024;)
		bn.perf_pages *= 2;
	r.perf_pages = bn.perf_pages;
	bn.pb = perf_buffer__new(bpf_map__fd(bn.skel->maps.bench_perf), bn.perf_pages, on_pb,
				 on_pb_lost, &bn.sink, &po);
	if (!bn.pb) {
		err = -errno;
		fprintf(stderr, "evl-bench: perf buffer: %s\n", strerror(errno));
		goto out_close;
	}
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		err = -errno;
		fprintf(stderr, "evl-bench: BPF_ENABLE_STATS: %s\n", strerror(errno));
		goto out_close;
	}

	what = "detector cost";
	err = bench_detector(&bn, events, &r.empty_ns, &r.tx_ns, &r.det_ns, &r.clock_ns,
			     &r.foreign);
	if (err)
		goto out_stats;
	what = "spike config";
	err = spike_config(&bn);
	for (k = 0; !err && k < 2; k++) {
		what = "latency";
		fire(1000, 0); /* nothing attached: just settles the caches */
		err = run_phase(&bn, k, events, rate, true, &r.lat[k]);
	}
	for (k = 0; !err && k < 2; k++) {
		what = "throughput";
		err = run_sweep(&bn, k, events, &r.sw[k]);
	}
out_stats:
	close(stats_fd);
	if (err) {
		fprintf(stderr, "evl-bench: %s: %s%s\n", what, strerror(-err),
			err == -EPROTO
				? " (the detector did not count every frame, or found a spike "
				  "on the normal path)"
				: "");
		goto out_close;
	}
	r.rt = bn.rt;
	r.split = split;
	if (json)
		print_json(&r, &u, cpus);
	else
		print_table(&r, &u, cpus);
out_close:
	free(bn.sink.lat);
	perf_buffer__free(bn.pb);
	evl_bpf_close(bn.b);
	evl_bench_skel__destroy(bn.skel);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"events", required_argument, NULL, 'n'},
		{"rate", required_argument, NULL, 'r'},
		{"json", no_argument, NULL, 'j'},
		{"radar", no_argument, NULL, 'R'},
		{"trials", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{"spin", no_argument, NULL, 's'},
		{"split", no_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	double events = 50000, rate = 10000, trials = 5;
	bool json = false, radar = false, spin = false, split = false;
	int c;

	while ((c = getopt_long(argc, argv, "n:r:jRt:hsS", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!parse_num(optarg, 1000, 1e8, &events)) {
				fprintf(stderr,
					"evl-bench: --events: '%s' is not a count in 1000..1e8\n",
					optarg);
				return 2;
			}
			break;
		case 'r':
			if (!parse_num(optarg, 1, 1e8, &rate)) {
				fprintf(stderr,
					"evl-bench: --rate: '%s' is not a rate in 1..1e8 "
					"records/s\n",
					optarg);
				return 2;
			}
			break;
		case 't':
			if (!parse_num(optarg, 1, 1000, &trials)) {
				fprintf(stderr,
					"evl-bench: --trials: '%s' is not a count in 1..1000\n",
					optarg);
				return 2;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'R':
			radar = true;
			break;
		case 's':
			spin = true;
			break;
		case 'S':
			split = true;
			break;
		default: /* -h, --help, or a bad option */
			return usage(c == 'h');
		}
	}
	if (optind < argc) {
		fprintf(stderr, "evl-bench: unexpected argument '%s'\n", argv[optind]);
		return usage(false);
	}
	if (radar)
		return bench_radar((unsigned int)trials, json);
	return bench_host((size_t)events, rate, spin, split, json);
}
