// SPDX-License-Identifier: GPL-2.0
/*
 * evl-bench --radar: which path tells user space first that a radar hit the channel? The eBPF
 * path (mac80211:api_radar_detected -> ring buffer -> loader callback, what evld acts on) or
 * the nl80211 event hostapd reacts to (NL80211_CMD_RADAR_DETECT on the "mlme" group, read
 * through evld's own listener, evl_nl80211_mon). Both listeners run in their own thread, blocked in poll, and
 * stamp CLOCK_MONOTONIC when their record arrives; the radar is simulated through
 * mac80211_hwsim's debugfs knob, one radio after the other (the VM scenario gives each radio
 * an AP beaconing on a DFS channel after its CAC). Times count from the kernel's radar time
 * (the record's bpf_ktime_get_ns()). Even trials leave the eBPF consumer thread at
 * SCHED_OTHER like the nl80211 one; odd trials give it SCHED_FIFO, as evld's event thread can
 * have: on a busy or single CPU, which thread the scheduler runs first decides the race.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <evl/bpf_loader.h>
#include <evl/nl80211.h>
#include "bench.h"

#define KNOB_GLOB "/sys/kernel/debug/ieee80211/*/hwsim/dfs_simulate_radar"

struct race {
	atomic_ullong t_ebpf, t_nl, k_ts; /* 0 until seen in this trial */
	atomic_ullong k_chandef;	  /* kernel time of cfg80211_radar_event (before nl80211) */
	atomic_bool armed, stop;
	struct evl_nl80211_mon *mon;
	unsigned long nl_errors; /* failed reads of the mlme socket */
	struct evl_bpf *b;
	int err;
};

static int on_bpf(void *ctx, const struct evl_bpf_event *ev)
{
	struct race *r = ctx;
	unsigned long long zero = 0;
	uint64_t now = bench_mono_ns();

	if (!atomic_load(&r->armed))
		return 0;
	if (ev->type == EVL_BPF_EV_RADAR && atomic_compare_exchange_strong(&r->t_ebpf, &zero, now))
		atomic_store(&r->k_ts, ev->ts_ns);
	else if (ev->type == EVL_BPF_EV_RADAR_CHANDEF)
		atomic_compare_exchange_strong(&r->k_chandef, &zero, ev->ts_ns);
	return 0;
}

/* The nl80211 side: evld's own mlme listener (evl_nl80211_mon), the event hostapd reacts to. */
static void on_nl(const struct evl_nl_event *ev, void *arg)
{
	struct race *r = arg;
	unsigned long long zero = 0;

	if (ev->type == EVL_NL_EV_RADAR && atomic_load(&r->armed))
		atomic_compare_exchange_strong(&r->t_nl, &zero, bench_mono_ns());
}

static void *bpf_thread(void *arg)
{
	struct race *r = arg;
	int n;

	while (!atomic_load(&r->stop)) {
		n = evl_bpf_poll(r->b, 50);
		if (n < 0 && n != -EINTR) {
			r->err = n;
			break;
		}
	}
	return NULL;
}

static void *nl_thread(void *arg)
{
	struct race *r = arg;
	struct pollfd p = {.fd = evl_nl80211_mon_fd(r->mon), .events = POLLIN};
	int n;

	while (!atomic_load(&r->stop)) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		n = evl_nl80211_mon_read(r->mon, on_nl, r);
		if (n < 0)
			r->nl_errors++; /* e.g. ENOBUFS: events lost; the trial times out and says so */
	}
	return NULL;
}

static int write_knob(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		err = -errno;
	close(fd);
	return err;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void bench_sort(uint64_t *v, size_t n)
{
	if (n)
		qsort(v, n, sizeof(*v), cmp_u64);
}

uint64_t bench_quantile(const uint64_t *sorted, size_t n, double q)
{
	size_t i;

	if (!n)
		return 0;
	i = (size_t)(q * n + 0.999999999);
	return sorted[(i ? i : 1) - 1];
}

struct trial {
	char phy[32];
	bool fifo;		 /* the eBPF consumer thread ran SCHED_FIFO (as evld can) */
	uint64_t ebpf_ns, nl_ns; /* radar (kernel time) -> callback */
	uint64_t kgap_ns;	 /* api_radar_detected -> cfg80211_radar_event, kernel time */
	bool ahead;
};

struct group {
	unsigned int n, ahead;
	double ebpf, nl, kgap; /* medians, ns */
};

static void summarize(const struct trial *t, unsigned int n, int fifo, struct group *g)
{
	uint64_t e[n ? n : 1], l[n ? n : 1], k[n ? n : 1];
	unsigned int i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < n; i++) {
		if (fifo >= 0 && t[i].fifo != fifo)
			continue;
		e[g->n] = t[i].ebpf_ns;
		l[g->n] = t[i].nl_ns;
		k[g->n] = t[i].kgap_ns;
		g->ahead += t[i].ahead;
		g->n++;
	}
	bench_sort(e, g->n);
	bench_sort(l, g->n);
	bench_sort(k, g->n);
	g->ebpf = (double)bench_quantile(e, g->n, 0.5);
	g->nl = (double)bench_quantile(l, g->n, 0.5);
	g->kgap = (double)bench_quantile(k, g->n, 0.5);
}

static json_object *group_json(const struct group *g)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "trials", json_object_new_int(g->n));
	json_object_object_add(o, "ebpf_median_ns", json_object_new_double(g->ebpf));
	json_object_object_add(o, "nl80211_median_ns", json_object_new_double(g->nl));
	json_object_object_add(o, "ratio_nl80211_over_ebpf",
			       json_object_new_double(g->ebpf > 0 ? g->nl / g->ebpf : 0));
	json_object_object_add(o, "ebpf_first_trials", json_object_new_int(g->ahead));
	return o;
}

static void report(const struct trial *t, unsigned int n, bool json)
{
	struct group all, g[2];
	unsigned int i;
	int k;

	summarize(t, n, -1, &all);
	summarize(t, n, 0, &g[0]);
	summarize(t, n, 1, &g[1]);
	if (json) {
		json_object *o = json_object_new_object(), *a = json_object_new_array();

		for (i = 0; i < n; i++) {
			json_object *x = json_object_new_object();

			json_object_object_add(x, "phy", json_object_new_string(t[i].phy));
			json_object_object_add(
				x, "consumer",
				json_object_new_string(t[i].fifo ? "fifo" : "other"));
			json_object_object_add(x, "ebpf_ns", json_object_new_int64(t[i].ebpf_ns));
			json_object_object_add(x, "nl80211_ns", json_object_new_int64(t[i].nl_ns));
			json_object_object_add(x, "kernel_gap_ns",
					       json_object_new_int64(t[i].kgap_ns));
			json_object_object_add(x, "ebpf_first",
					       json_object_new_boolean(t[i].ahead));
			json_object_array_add(a, x);
		}
		json_object_object_add(o, "mode", json_object_new_string("radar"));
		json_object_object_add(o, "trials", a);
		json_object_object_add(o, "kernel_gap_median_ns", json_object_new_double(all.kgap));
		json_object_object_add(o, "consumer_other", group_json(&g[0]));
		json_object_object_add(o, "consumer_fifo", group_json(&g[1]));
		json_object_object_add(o, "all", group_json(&all));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
		return;
	}
	printf("Radar -> user space, from the kernel's radar time (mac80211:api_radar_detected)\n");
	printf("  %-6s %-8s %-9s %14s %14s %8s %14s\n", "trial", "phy", "consumer", "eBPF ringbuf",
	       "nl80211 event", "nl/eBPF", "kernel gap");
	for (i = 0; i < n; i++)
		printf("  %-6u %-8s %-9s %11.1f us %11.1f us %7.2fx %11.1f us%s\n", i + 1, t[i].phy,
		       t[i].fifo ? "FIFO" : "OTHER", t[i].ebpf_ns / 1e3, t[i].nl_ns / 1e3,
		       t[i].ebpf_ns ? (double)t[i].nl_ns / t[i].ebpf_ns : 0, t[i].kgap_ns / 1e3,
		       t[i].ahead ? "" : "  nl80211 first");
	for (k = 0; k < 2; k++)
		if (g[k].n)
			printf("  median, consumer %-5s %11.1f us %11.1f us %7.2fx   eBPF first in "
			       "%u "
			       "of %u\n",
			       k ? "FIFO" : "OTHER", g[k].ebpf / 1e3, g[k].nl / 1e3,
			       g[k].ebpf > 0 ? g[k].nl / g[k].ebpf : 0, g[k].ahead, g[k].n);
	printf("  kernel gap (api_radar_detected -> cfg80211_radar_event, median): %.1f us\n",
	       all.kgap / 1e3);
}

int bench_radar(unsigned int trials, bool json)
{
	struct race r = {0};
	struct evl_bpf_opts o = {.flags = EVL_BPF_F_NO_PIN, .on_event = on_bpf, .ctx = &r};
	const struct evl_bpf_hook *hooks;
	struct trial *t = NULL;
	pthread_t tb, tn;
	glob_t g = {0};
	unsigned int i;
	size_t k, nh;
	int err, rc = 1;

	if (glob(KNOB_GLOB, 0, NULL, &g) || !g.gl_pathc) {
		fprintf(stderr,
			"evl-bench: radar: no %s (mac80211_hwsim with channels=1 and debugfs "
			"needed: run it in the VM test bed)\n",
			KNOB_GLOB);
		globfree(&g);
		return 1;
	}
	r.b = evl_bpf_open(&o);
	if (!r.b) {
		fprintf(stderr, "evl-bench: radar: BPF open: %s\n", strerror(errno));
		goto out;
	}
	err = evl_bpf_load(r.b);
	if (!err)
		err = evl_bpf_attach(r.b);
	if (err) {
		fprintf(stderr, "evl-bench: radar: BPF load/attach: %s\n", strerror(-err));
		goto out;
	}
	nh = evl_bpf_hooks(r.b, &hooks);
	for (k = 0; k < nh; k++)
		if (!strcmp(hooks[k].prog, "radar_detected") && !hooks[k].active) {
			fprintf(stderr, "evl-bench: radar: hook %s (%s): %s\n", hooks[k].prog,
				hooks[k].target, hooks[k].why);
			goto out;
		}
	r.mon = evl_nl80211_mon_open();
	if (!r.mon) {
		fprintf(stderr, "evl-bench: radar: nl80211 mlme listener: %s\n", strerror(errno));
		goto out;
	}
	t = calloc(trials, sizeof(*t));
	if (!t || pthread_create(&tb, NULL, bpf_thread, &r)) {
		fprintf(stderr, "evl-bench: radar: out of memory or threads\n");
		goto out;
	}
	if (pthread_create(&tn, NULL, nl_thread, &r)) {
		atomic_store(&r.stop, true);
		pthread_join(tb, NULL);
		fprintf(stderr, "evl-bench: radar: cannot start a thread\n");
		goto out;
	}
	for (i = 0; i < trials; i++) {
		const char *knob = g.gl_pathv[i % g.gl_pathc];
		const char *phy = knob + strlen("/sys/kernel/debug/ieee80211/");
		uint64_t end, te, tl, kt;

		snprintf(t[i].phy, sizeof(t[i].phy), "%.*s", (int)(strchr(phy, '/') - phy), phy);
		struct sched_param sp = {.sched_priority = (i & 1) ? EVLD_RT_PRIORITY : 0};

		/* odd trials: the eBPF consumer at SCHED_FIFO 50, as evld's event thread may run */
		t[i].fifo = i & 1;
		if (pthread_setschedparam(tb, t[i].fifo ? SCHED_FIFO : SCHED_OTHER, &sp)) {
			fprintf(stderr, "evl-bench: radar: cannot set SCHED_FIFO\n");
			err = -EPERM;
			break;
		}
		atomic_store(&r.t_ebpf, 0);
		atomic_store(&r.t_nl, 0);
		atomic_store(&r.k_chandef, 0);
		atomic_store(&r.armed, true);
		err = write_knob(knob);
		if (err) {
			fprintf(stderr, "evl-bench: radar: writing %s: %s\n", knob, strerror(-err));
			break;
		}
		end = bench_mono_ns() + 3000000000ull;
		while ((!atomic_load(&r.t_ebpf) || !atomic_load(&r.t_nl)) && !r.err &&
		       bench_mono_ns() < end)
			usleep(1000);
		usleep(200000); /* the chandef record: it precedes the nl80211 event, may trail ours
				 */
		atomic_store(&r.armed, false);
		te = atomic_load(&r.t_ebpf);
		tl = atomic_load(&r.t_nl);
		kt = atomic_load(&r.k_ts);
		if (r.err || !te || !tl) {
			fprintf(stderr, "evl-bench: radar: trial %u on %s: %s\n", i + 1, t[i].phy,
				r.err ? strerror(-r.err)
				: !te ? "no api_radar_detected record within 3 s"
				      : "no nl80211 radar event within 3 s");
			fprintf(stderr, "evl-bench: radar: nl80211 socket: %lu failed reads\n",
				r.nl_errors);
			err = -ETIMEDOUT;
			break;
		}
		t[i].ebpf_ns = te - kt;
		t[i].nl_ns = tl - kt;
		t[i].ahead = te < tl;
		if (atomic_load(&r.k_chandef) > kt)
			t[i].kgap_ns = atomic_load(&r.k_chandef) - kt;
		usleep(1300000); /* let hostapd finish its reaction before the next radio */
	}
	atomic_store(&r.stop, true);
	pthread_join(tb, NULL);
	pthread_join(tn, NULL);
	if (!err) {
		report(t, trials, json);
		rc = 0;
	}
out:
	free(t);
	evl_nl80211_mon_close(r.mon);
	evl_bpf_close(r.b);
	globfree(&g);
	return rc;
}
