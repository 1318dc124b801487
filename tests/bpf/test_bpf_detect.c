// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel detectors, run through BPF_PROG_TEST_RUN with synthetic records: the very
 * same evl_feed() code the real hooks run. Needs root and BPF; says SKIP otherwise.
 */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <evl/bpf_loader.h>

#define SEC_NS 1000000000ull
#define MAX_EV 256

static struct evl_bpf *b;
static struct evl_bpf_event evs[MAX_EV];
static int n_ev;

static const __u8 sta_a[6] = {0x02, 0, 0, 0, 0, 0xa};
static const __u8 sta_b[6] = {0x02, 0, 0, 0, 0, 0xb};

static int collect(void *ctx, const struct evl_bpf_event *ev)
{
	(void)ctx;
	if (n_ev < MAX_EV)
		evs[n_ev++] = *ev;
	return 0;
}

static void open_with(__u32 ringbuf_bytes)
{
	struct evl_bpf_opts o = {
		.flags = EVL_BPF_F_TEST | EVL_BPF_F_NO_HOOKS | EVL_BPF_F_NO_PIN,
		.ringbuf_bytes = ringbuf_bytes,
		.on_event = collect,
	};
	b = evl_bpf_open(&o);
	ck_assert_msg(b, "evl_bpf_open: %s", strerror(errno));
	ck_assert_int_eq(evl_bpf_load(b), 0);
	ck_assert_int_eq(evl_bpf_attach(b), 0);
	n_ev = 0;
}

static void setup(void)
{
	open_with(0);
}

static void teardown(void)
{
	evl_bpf_close(b);
	b = NULL;
}

/* Detector config for the tests: 1 s buckets, station scope only, no rate limit. */
static void set_cfg(void (*tweak)(struct evl_bpf_cfg *))
{
	struct evl_bpf_cfg c;

	evl_bpf_config_default(&c);
	c.iface_detect = 0;
	c.rate_limit_ns = 0;
	if (tweak)
		tweak(&c);
	ck_assert_int_eq(evl_bpf_config_set(b, &c), 0);
}

static int tx(__u64 now, __u32 ifindex, const __u8 *addr, __u32 frames, __u32 acked, __u32 retries)
{
	struct evl_bpf_feed f = {
		.now_ns = now,
		.type = EVL_BPF_FEED_TX_STATUS,
		.ifindex = ifindex,
		.frames = frames,
		.acked = acked,
		.retries = retries,
	};
	int r;

	memcpy(f.addr, addr, 6);
	r = evl_bpf_feed(b, &f);
	ck_assert_msg(r >= 0, "feed: %s", strerror(-r));
	return r;
}

static int drain(void)
{
	int before = n_ev;

	ck_assert_int_ge(evl_bpf_consume(b), 0);
	return n_ev - before;
}

static struct evl_bpf_counters counters(void)
{
	struct evl_bpf_counters c;

	ck_assert_int_eq(evl_bpf_counters_get(b, &c), 0);
	return c;
}

START_TEST(per_spike_at_threshold_not_below)
{
	set_cfg(NULL);						   /* PER >= 10 %, >= 50 frames */
	ck_assert_int_eq(tx(5 * SEC_NS, 3, sta_a, 100, 91, 0), 0); /* 9 % */
	ck_assert_int_eq(drain(), 0);
	ck_assert_int_eq(tx(5 * SEC_NS, 3, sta_b, 100, 90, 0), 1); /* 10 % */
	ck_assert_int_eq(drain(), 1);
	ck_assert_uint_eq(evs[0].type, EVL_BPF_EV_TX_SPIKE);
	ck_assert_uint_eq(evs[0].ts_ns, 5 * SEC_NS);
	ck_assert_uint_eq(evs[0].ifindex, 3);
	ck_assert_uint_eq(evs[0].tx.scope, EVL_BPF_SCOPE_STA);
	ck_assert_mem_eq(evs[0].tx.addr, sta_b, 6);
	ck_assert_uint_eq(evs[0].tx.reasons, EVL_BPF_SPIKE_PER);
	ck_assert_uint_eq(evs[0].tx.frames, 100);
	ck_assert_uint_eq(evs[0].tx.per_ppm, 100000);
	ck_assert_uint_eq(evs[0].tx.base_buckets, 0);
	ck_assert_uint_eq(counters().tx_spikes, 1);
	ck_assert_uint_eq(counters().tx_reports, 2);
}
END_TEST

START_TEST(retry_spike_at_threshold_not_below)
{
	set_cfg(NULL); /* retries / (frames + retries) >= 20 % */
	ck_assert_int_eq(tx(SEC_NS, 3, sta_a, 100, 100, 24), 0); /* 19.4 % */
	ck_assert_int_eq(tx(SEC_NS, 3, sta_b, 100, 100, 25), 1); /* 20 % */
	ck_assert_int_eq(drain(), 1);
	ck_assert_uint_eq(evs[0].tx.reasons, EVL_BPF_SPIKE_RETRY);
	ck_assert_uint_eq(evs[0].tx.retry_ppm, 200000);
	ck_assert_uint_eq(evs[0].tx.per_ppm, 0);
}
END_TEST

START_TEST(minimum_frames_rule)
{
	set_cfg(NULL);
	ck_assert_int_eq(tx(SEC_NS, 3, sta_a, 49, 0, 0), 0); /* 100 % PER, too few frames */
	ck_assert_int_eq(drain(), 0);
	ck_assert_int_eq(tx(SEC_NS, 3, sta_a, 1, 0, 0), 1); /* the 50th frame */
	ck_assert_int_eq(drain(), 1);
	ck_assert_uint_eq(evs[0].tx.frames, 50);
	ck_assert_uint_eq(evs[0].tx.per_ppm, 1000000);
}
END_TEST

static void limit_5s(struct evl_bpf_cfg *c)
{
	c->rate_limit_ns = 5 * SEC_NS;
	c->per_rise_pct = 0; /* a steady 50 % stays a spike: only the rate limit holds it */
}

START_TEST(rate_limit_per_station)
{
	struct evl_bpf_txstat st;

	set_cfg(limit_5s);
	ck_assert_int_eq(tx(10 * SEC_NS, 3, sta_a, 100, 50, 0), 1);
	ck_assert_int_eq(tx(11 * SEC_NS, 3, sta_a, 100, 50, 0), 0); /* within 5 s: swallowed */
	ck_assert_int_eq(tx(11 * SEC_NS, 3, sta_b, 100, 50, 0), 1); /* other station: its own */
	ck_assert_int_eq(tx(15 * SEC_NS - 1, 3, sta_a, 10, 5, 0), 0);
	ck_assert_int_eq(tx(15 * SEC_NS, 3, sta_a, 10, 5, 0), 1); /* 5 s later: again */
	ck_assert_int_eq(drain(), 3);
	ck_assert_uint_eq(counters().rate_limited, 2);
	ck_assert_int_eq(evl_bpf_station_get(b, 3, sta_a, &st), 0);
	ck_assert_uint_eq(st.spikes, 2);
	ck_assert_uint_eq(st.suppressed, 2);
	ck_assert_uint_eq(st.frames, 220);
	ck_assert_uint_eq(st.acked, 110);
}
END_TEST

static void window_3s_no_rise(struct evl_bpf_cfg *c)
{
	c->window_buckets = 3;
	c->per_rise_pct = 0;
}

START_TEST(window_expiry)
{
	set_cfg(window_3s_no_rise);
	/* station A: 40 lost frames fall out of the 3 s window before 20 more arrive */
	ck_assert_int_eq(tx(0, 3, sta_a, 40, 0, 0), 0);
	ck_assert_int_eq(tx(5 * SEC_NS, 3, sta_a, 20, 0, 0), 0);
	ck_assert_int_eq(tx(5 * SEC_NS, 3, sta_a, 30, 0, 0), 1);
	/* station B: the same 40 are still in the window 2 s later */
	ck_assert_int_eq(tx(0, 3, sta_b, 40, 0, 0), 0);
	ck_assert_int_eq(tx(2 * SEC_NS, 3, sta_b, 20, 0, 0), 1);
	ck_assert_int_eq(drain(), 2);
	ck_assert_mem_eq(evs[0].tx.addr, sta_a, 6);
	ck_assert_uint_eq(evs[0].tx.frames, 50); /* not 90 */
	ck_assert_mem_eq(evs[1].tx.addr, sta_b, 6);
	ck_assert_uint_eq(evs[1].tx.frames, 60);
}
END_TEST

static void one_bucket_ewma50(struct evl_bpf_cfg *c)
{
	c->window_buckets = 1;
	c->ewma_weight_pct = 50;
}

START_TEST(baseline_adaptation)
{
	struct evl_bpf_txstat st;
	__u64 t;

	set_cfg(one_bucket_ewma50);			  /* PER >= 10 % and >= 1.3 x baseline */
	ck_assert_int_eq(tx(0, 3, sta_a, 100, 80, 0), 1); /* 20 %, no baseline yet: spike */
	/* the same 20 % for 5 more seconds becomes the normal: no further spikes */
	for (t = 1; t <= 5; t++)
		ck_assert_int_eq(tx(t * SEC_NS, 3, sta_a, 100, 80, 0), 0);
	ck_assert_int_eq(evl_bpf_station_get(b, 3, sta_a, &st), 0);
	ck_assert_uint_eq(st.base_per_ppm, 200000);
	ck_assert_uint_eq(st.base_buckets, 5);
	/* 25 % is below 1.3 x 20 %: no spike, but it moves the baseline to 22.5 % */
	ck_assert_int_eq(tx(6 * SEC_NS, 3, sta_a, 100, 75, 0), 0);
	ck_assert_int_eq(tx(7 * SEC_NS, 3, sta_a, 100, 70, 0), 1); /* 30 % >= 1.3 x 22.5 % */
	ck_assert_int_eq(drain(), 2);
	ck_assert_uint_eq(evs[1].tx.base_per_ppm, 225000);
	ck_assert_uint_eq(evs[1].tx.per_ppm, 300000);
	/* a sustained 30 % pulls the baseline up: spikes stop again */
	for (t = 8; t <= 13; t++)
		ck_assert_int_eq(tx(t * SEC_NS, 3, sta_a, 100, 70, 0), 0);
	ck_assert_int_eq(evl_bpf_station_get(b, 3, sta_a, &st), 0);
	ck_assert_uint_gt(st.base_per_ppm, 250000);
}
END_TEST

START_TEST(baseline_ignores_thin_buckets)
{
	struct evl_bpf_txstat st;

	set_cfg(NULL); /* base_min_frames 10 */
	tx(0, 3, sta_a, 9, 0, 0);
	tx(SEC_NS, 3, sta_a, 10, 10, 0);
	tx(2 * SEC_NS, 3, sta_a, 10, 10, 0);
	ck_assert_int_eq(evl_bpf_station_get(b, 3, sta_a, &st), 0);
	ck_assert_uint_eq(st.base_buckets, 1); /* the 9-frame bucket did not count */
	ck_assert_uint_eq(st.base_per_ppm, 0);
}
END_TEST

static void per_30(struct evl_bpf_cfg *c)
{
	c->per_thresh_ppm = 300000;
}

static void per_15(struct evl_bpf_cfg *c)
{
	c->per_thresh_ppm = 150000;
}

START_TEST(config_update_through_map)
{
	struct evl_bpf_cfg c, bad;

	set_cfg(per_30);
	ck_assert_int_eq(tx(SEC_NS, 3, sta_a, 100, 80, 0), 0); /* 20 % < 30 % */
	set_cfg(per_15);
	ck_assert_int_eq(tx(SEC_NS, 3, sta_b, 100, 80, 0), 1); /* live: 20 % >= 15 % */

	/* a bad config is refused whole, naming the field; the map keeps the old one */
	ck_assert_int_eq(evl_bpf_config_get(b, &c), 0);
	bad = c;
	bad.window_buckets = 0;
	ck_assert_ptr_nonnull(strstr(evl_bpf_config_check(&bad), "window_buckets"));
	ck_assert_int_eq(evl_bpf_config_set(b, &bad), -EINVAL);
	bad = c;
	bad.ewma_weight_pct = 101;
	ck_assert_ptr_nonnull(strstr(evl_bpf_config_check(&bad), "ewma_weight_pct"));
	bad = c;
	bad.per_thresh_ppm = 1000001;
	ck_assert_ptr_nonnull(strstr(evl_bpf_config_check(&bad), "per_thresh_ppm"));
	ck_assert_int_eq(evl_bpf_config_get(b, &bad), 0);
	ck_assert_mem_eq(&bad, &c, sizeof(c));
	ck_assert_uint_eq(c.per_thresh_ppm, 150000);
}
END_TEST

static void iface_on(struct evl_bpf_cfg *c)
{
	c->iface_detect = 1;
}

START_TEST(interface_scope)
{
	struct evl_bpf_iface it;

	set_cfg(iface_on);
	ck_assert_int_eq(tx(SEC_NS, 4, sta_a, 100, 100, 0), 0);
	/* B: 25 % alone, and the interface 12.5 % over both stations */
	ck_assert_int_eq(tx(SEC_NS, 4, sta_b, 100, 75, 0), 2);
	ck_assert_int_eq(drain(), 2);
	ck_assert_uint_eq(evs[0].tx.scope, EVL_BPF_SCOPE_STA);
	ck_assert_uint_eq(evs[1].tx.scope, EVL_BPF_SCOPE_IFACE);
	ck_assert_uint_eq(evs[1].ifindex, 4);
	ck_assert_uint_eq(evs[1].tx.frames, 200);
	ck_assert_uint_eq(evs[1].tx.per_ppm, 125000);
	ck_assert_int_eq(evl_bpf_iface_get(b, 4, &it), 0);
	ck_assert_uint_eq(it.tx.frames, 200);
	ck_assert_uint_eq(it.tx.spikes, 1);
}
END_TEST

START_TEST(no_station_is_counted_not_judged)
{
	static const __u8 zero[6];

	set_cfg(NULL);
	ck_assert_int_eq(tx(SEC_NS, 3, zero, 100, 0, 0), 0);
	ck_assert_uint_eq(counters().tx_no_sta, 1);
	ck_assert_uint_eq(counters().tx_reports, 1);
}
END_TEST

START_TEST(hook_cost_histogram)
{
	__u64 h[EVL_BPF_HIST_SLOTS], sum = 0;
	int i;

	set_cfg(NULL);
	for (i = 0; i < 20; i++)
		tx(SEC_NS, 3, sta_a, 1, 1, 0);
	ck_assert_int_eq(evl_bpf_hist_get(b, h), 0);
	for (i = 0; i < EVL_BPF_HIST_SLOTS; i++)
		sum += h[i];
	ck_assert_uint_eq(sum, 20);
}
END_TEST

static int feed_chan(__u32 type, __u64 now, __u32 ifindex, const char *wiphy,
		     const struct evl_bpf_chandef *c)
{
	struct evl_bpf_feed f = {.now_ns = now, .type = type, .ifindex = ifindex};

	if (wiphy)
		snprintf(f.wiphy, sizeof(f.wiphy), "%s", wiphy);
	if (c)
		f.chan = *c;
	return evl_bpf_feed(b, &f);
}

START_TEST(radar_then_chandef)
{
	struct evl_bpf_chandef c = {
		.control_freq = 5260, .width = 3, .center_freq1 = 5290, .offchan = 1};
	struct evl_bpf_chandef cac = {.cac_event = EVL_BPF_CAC_STARTED};
	struct evl_bpf_iface it;

	ck_assert_int_eq(feed_chan(EVL_BPF_EV_RADAR, 100, 0, "phy0", NULL), 1);
	ck_assert_int_eq(feed_chan(EVL_BPF_EV_RADAR_CHANDEF, 900100, 0, "phy0", &c), 1);
	ck_assert_int_eq(feed_chan(EVL_BPF_EV_CAC, 900200, 5, NULL, &cac), 1);
	ck_assert_int_eq(feed_chan(EVL_BPF_EV_HW_RESTART, 900300, 0, "phy1", NULL), 1);
	ck_assert_int_eq(drain(), 4);
	ck_assert_uint_eq(evs[0].type, EVL_BPF_EV_RADAR);
	ck_assert_str_eq(evs[0].wiphy, "phy0");
	ck_assert_uint_eq(evs[0].ts_ns, 100);
	ck_assert_uint_eq(evs[0].chan.control_freq, 0);
	ck_assert_uint_eq(evs[1].type, EVL_BPF_EV_RADAR_CHANDEF);
	ck_assert_mem_eq(&evs[1].chan, &c, sizeof(c));
	ck_assert_uint_eq(evs[2].type, EVL_BPF_EV_CAC);
	ck_assert_uint_eq(evs[2].chan.cac_event, EVL_BPF_CAC_STARTED);
	ck_assert_uint_eq(evs[2].ifindex, 5);
	ck_assert_uint_eq(evs[3].type, EVL_BPF_EV_HW_RESTART);
	ck_assert_str_eq(evs[3].wiphy, "phy1");
	ck_assert_uint_eq(counters().radar, 1);
	ck_assert_uint_eq(counters().radar_chandef, 1);
	ck_assert_uint_eq(counters().hw_restart, 1);
	ck_assert_int_eq(evl_bpf_iface_get(b, 5, &it), 0);
	ck_assert_uint_eq(it.cac, 1);
}
END_TEST

START_TEST(channel_switch_confirms)
{
	struct evl_bpf_chandef to = {.control_freq = 5180, .width = 3, .center_freq1 = 5210};
	struct evl_bpf_iface it;

	ck_assert_int_eq(feed_chan(EVL_BPF_EV_CH_SWITCH_STARTED, 10, 6, NULL, &to), 1);
	ck_assert_int_eq(feed_chan(EVL_BPF_EV_CH_SWITCH_DONE, 850000010, 6, NULL, &to), 1);
	ck_assert_int_eq(drain(), 2);
	ck_assert_uint_eq(evs[1].type, EVL_BPF_EV_CH_SWITCH_DONE);
	ck_assert_uint_eq(evs[1].ts_ns - evs[0].ts_ns, 850000000);
	ck_assert_uint_eq(evs[1].chan.control_freq, 5180);
	ck_assert_int_eq(evl_bpf_iface_get(b, 6, &it), 0);
	ck_assert_uint_eq(it.ch_switch_started, 1);
	ck_assert_uint_eq(it.ch_switch_done, 1);
}
END_TEST

static int feed_sta(__u32 type, __u64 now, __u32 ifindex, __u8 last)
{
	struct evl_bpf_feed f = {.now_ns = now, .type = type, .ifindex = ifindex};

	f.addr[0] = 2;
	f.addr[5] = last;
	return evl_bpf_feed(b, &f);
}

START_TEST(station_churn_window)
{
	struct evl_bpf_iface it;

	set_cfg(NULL); /* 60 s sta window */
	ck_assert_int_eq(feed_sta(EVL_BPF_EV_STA_NEW, 1 * SEC_NS, 7, 1), 1);
	ck_assert_int_eq(feed_sta(EVL_BPF_EV_STA_NEW, 2 * SEC_NS, 7, 2), 1);
	ck_assert_int_eq(feed_sta(EVL_BPF_EV_STA_NEW, 3 * SEC_NS, 7, 3), 1);
	ck_assert_int_eq(feed_sta(EVL_BPF_EV_STA_DEL, 4 * SEC_NS, 7, 1), 1);
	ck_assert_int_eq(feed_sta(EVL_BPF_EV_STA_DEL, 61 * SEC_NS, 7, 2), 1); /* next window */
	ck_assert_int_eq(drain(), 5);
	ck_assert_uint_eq(evs[3].type, EVL_BPF_EV_STA_DEL);
	ck_assert_uint_eq(evs[3].sta.addr[5], 1);
	ck_assert_uint_eq(evs[3].sta.new_in_window, 3);
	ck_assert_uint_eq(evs[3].sta.del_in_window, 1);
	ck_assert_uint_eq(evs[4].sta.new_in_window, 0);
	ck_assert_uint_eq(evs[4].sta.del_in_window, 1);
	ck_assert_int_eq(evl_bpf_iface_get(b, 7, &it), 0);
	ck_assert_uint_eq(it.sta_new, 3);
	ck_assert_uint_eq(it.sta_del, 2);
	ck_assert_uint_eq(counters().sta_new, 3);
}
END_TEST

START_TEST(full_ring_buffer_counts_drops)
{
	int i, sent = 0, r;

	teardown();
	open_with(4096); /* one page: room for a few dozen records */
	for (i = 0; i < 200; i++) {
		r = feed_chan(EVL_BPF_EV_RADAR, i + 1, 0, "phy0", NULL);
		ck_assert_int_ge(r, 0);
		sent += r;
	}
	ck_assert_int_gt(sent, 10);
	ck_assert_int_lt(sent, 200);
	ck_assert_uint_eq(counters().rb_drops, 200 - sent);
	ck_assert_uint_eq(counters().radar, 200);
	ck_assert_int_eq(drain(), sent);
	for (i = 0; i < sent; i++)
		ck_assert_uint_eq(evs[i].ts_ns, i + 1); /* the first ones, in order */
	/* drained: room again */
	ck_assert_int_eq(feed_chan(EVL_BPF_EV_RADAR, 1000, 0, "phy0", NULL), 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bpf_detect");
	TCase *tc = tcase_create("detect");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, per_spike_at_threshold_not_below);
	tcase_add_test(tc, retry_spike_at_threshold_not_below);
	tcase_add_test(tc, minimum_frames_rule);
	tcase_add_test(tc, rate_limit_per_station);
	tcase_add_test(tc, window_expiry);
	tcase_add_test(tc, baseline_adaptation);
	tcase_add_test(tc, baseline_ignores_thin_buckets);
	tcase_add_test(tc, config_update_through_map);
	tcase_add_test(tc, interface_scope);
	tcase_add_test(tc, no_station_is_counted_not_judged);
	tcase_add_test(tc, hook_cost_histogram);
	tcase_add_test(tc, radar_then_chandef);
	tcase_add_test(tc, channel_switch_confirms);
	tcase_add_test(tc, station_churn_window);
	tcase_add_test(tc, full_ring_buffer_counts_drops);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{

	if (geteuid() != 0) {
		printf("SKIP: BPF tests need root (BPF_PROG_TEST_RUN, map creation)\n");
		return 77;
	}
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SYSCALL, NULL) != 1) {
		printf("SKIP: kernel without BPF syscall programs (BPF_PROG_TYPE_SYSCALL, "
		       "5.14+)\n");
		return 77;
	}
	return evl_check_run(suite());
}
