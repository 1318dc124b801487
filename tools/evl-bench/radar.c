// SPDX-License-Identifier: GPL-2.0
/*
 * evl-bench --radar: which path tells user space first that a radar hit the channel? The eBPF
 * path (mac80211:api_radar_detected -> ring buffer -> loader callback, what evld acts on) or
 * the nl80211 event hostapd reacts to (NL80211_CMD_RADAR_DETECT on the "mlme" group, here a
 * libnl listener of our own). Both listeners run in their own thread, blocked in poll, and
 * stamp CLOCK_MONOTONIC when their record arrives; the radar is simulated through
 * mac80211_hwsim's debugfs knob, one radio after the other (the VM scenario gives each radio
 * an AP beaconing on a DFS channel after its CAC). Times count from the kernel's radar time
 * (the record's bpf_ktime_get_ns()).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <pthread.h>
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
	atomic_bool armed, stop;
	struct evl_bpf *b;
	struct evl_nl80211_mon *m;
	int err;
};

static int on_bpf(void *ctx, const struct evl_bpf_event *ev)
{
	struct race *r = ctx;
	unsigned long long zero = 0;
	uint64_t now = bench_mono_ns();

	if (ev->type == EVL_BPF_EV_RADAR && atomic_load(&r->armed) &&
	    atomic_compare_exchange_strong(&r->t_ebpf, &zero, now))
		atomic_store(&r->k_ts, ev->ts_ns);
	return 0;
}

static void on_nl(const struct evl_nl_event *ev, void *arg)
{
	struct race *r = arg;
	unsigned long long zero = 0;
	uint64_t now = bench_mono_ns();

	if (ev->type == EVL_NL_EV_RADAR && atomic_load(&r->armed))
		atomic_compare_exchange_strong(&r->t_nl, &zero, now);
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
	struct pollfd p = {.fd = evl_nl80211_mon_fd(r->m), .events = POLLIN};
	int n;

	while (!atomic_load(&r->stop)) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		n = evl_nl80211_mon_read(r->m, on_nl, r);
		if (n < 0 && n != -EAGAIN && n != -EINTR) {
			r->err = n;
			break;
		}
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
	uint64_t ebpf_ns, nl_ns; /* radar (kernel time) -> callback */
	bool ahead;
};

static void report(const struct trial *t, unsigned int n, bool json)
{
	uint64_t e[n], l[n];
	unsigned int i, ahead = 0;
	double me, ml;

	for (i = 0; i < n; i++) {
		e[i] = t[i].ebpf_ns;
		l[i] = t[i].nl_ns;
		ahead += t[i].ahead;
	}
	bench_sort(e, n);
	bench_sort(l, n);
	me = (double)bench_quantile(e, n, 0.5);
	ml = (double)bench_quantile(l, n, 0.5);
	if (json) {
		json_object *o = json_object_new_object(), *a = json_object_new_array();

		for (i = 0; i < n; i++) {
			json_object *x = json_object_new_object();

			json_object_object_add(x, "phy", json_object_new_string(t[i].phy));
			json_object_object_add(x, "ebpf_ns", json_object_new_int64(t[i].ebpf_ns));
			json_object_object_add(x, "nl80211_ns", json_object_new_int64(t[i].nl_ns));
			json_object_object_add(x, "ebpf_first", json_object_new_boolean(t[i].ahead));
			json_object_array_add(a, x);
		}
		json_object_object_add(o, "mode", json_object_new_string("radar"));
		json_object_object_add(o, "trials", a);
		json_object_object_add(o, "ebpf_median_ns", json_object_new_double(me));
		json_object_object_add(o, "nl80211_median_ns", json_object_new_double(ml));
		json_object_object_add(o, "ratio_nl80211_over_ebpf",
				       json_object_new_double(me > 0 ? ml / me : 0));
		json_object_object_add(o, "ebpf_first_trials", json_object_new_int(ahead));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
		return;
	}
	printf("Radar -> user space, from the kernel's radar time (mac80211:api_radar_detected)\n");
	printf("  %-6s %-8s %14s %14s %8s\n", "trial", "phy", "eBPF ringbuf", "nl80211 event",
	       "nl/eBPF");
	for (i = 0; i < n; i++)
		printf("  %-6u %-8s %11.1f us %11.1f us %7.1fx%s\n", i + 1, t[i].phy,
		       t[i].ebpf_ns / 1e3, t[i].nl_ns / 1e3,
		       t[i].ebpf_ns ? (double)t[i].nl_ns / t[i].ebpf_ns : 0,
		       t[i].ahead ? "" : "  nl80211 first!");
	printf("  median %17.1f us %11.1f us %7.1fx   eBPF first in %u of %u trials\n", me / 1e3,
	       ml / 1e3, me > 0 ? ml / me : 0, ahead, n);
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
		fprintf(stderr, "evl-bench: radar: no %s (mac80211_hwsim with channels=1 and debugfs "
				"needed: run it in the VM test bed)\n", KNOB_GLOB);
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
	r.m = evl_nl80211_mon_open();
	if (!r.m) {
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
		atomic_store(&r.t_ebpf, 0);
		atomic_store(&r.t_nl, 0);
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
		atomic_store(&r.armed, false);
		te = atomic_load(&r.t_ebpf);
		tl = atomic_load(&r.t_nl);
		kt = atomic_load(&r.k_ts);
		if (r.err || !te || !tl) {
			fprintf(stderr, "evl-bench: radar: trial %u on %s: %s\n", i + 1, t[i].phy,
				r.err ? strerror(-r.err) :
				!te ? "no api_radar_detected record within 3 s" :
				      "no nl80211 radar event within 3 s");
			err = -ETIMEDOUT;
			break;
		}
		t[i].ebpf_ns = te - kt;
		t[i].nl_ns = tl - kt;
		t[i].ahead = te < tl;
		usleep(1500000); /* let hostapd finish its reaction before the next radio */
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
	evl_nl80211_mon_close(r.m);
	evl_bpf_close(r.b);
	globfree(&g);
	return rc;
}
