// SPDX-License-Identifier: GPL-2.0
/* Survey classifier on synthetic survey sequences; station-dump link metrics; channel maths. */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evl/sense.h"

#define ALL (EVL_SURVEY_TIME | EVL_SURVEY_BUSY | EVL_SURVEY_RX | EVL_SURVEY_TX | EVL_SURVEY_NOISE)

/* A cumulative survey source: each step adds one window of the given shares (per mille). */
struct gen {
	struct evl_survey s;
};

static const struct evl_survey *step(struct gen *g, unsigned int ms, unsigned int busy,
				     unsigned int rx, unsigned int tx, int noise)
{
	g->s.time_ms += ms;
	g->s.busy_ms += busy;
	g->s.rx_ms += rx;
	g->s.tx_ms += tx;
	g->s.noise_dbm = noise;
	return &g->s;
}

static struct gen gen_new(int freq, unsigned int have)
{
	struct gen g = {.s = {.freq = freq, .in_use = true, .have = have}};

	return g;
}

START_TEST(burst_needs_unexplained_busy_and_noise_rise)
{
	struct evl_survey_cfg cfg;
	struct evl_survey_state st = {0};
	struct evl_survey_class c;
	struct gen g = gen_new(5180, ALL);

	evl_survey_cfg_default(&cfg);
	ck_assert_int_eq(evl_survey_classify(&st, &cfg, step(&g, 1000, 200, 100, 50, -95), &c),
			 -EAGAIN);
	/* quiet window: nothing */
	ck_assert_int_eq(evl_survey_classify(&st, &cfg, step(&g, 1000, 200, 100, 50, -95), &c), 0);
	ck_assert(!c.non_wifi_burst && !c.spectrum_sat);
	ck_assert_double_eq_tol(c.busy_pct, 20.0, 1e-9);
	ck_assert_double_eq_tol(c.unexplained_pct, 5.0, 1e-9);
	/* busy 70 %, rx+tx 15 %: 55 % unexplained, noise floor up 10 dB -> burst */
	ck_assert_int_eq(evl_survey_classify(&st, &cfg, step(&g, 1000, 700, 100, 50, -85), &c), 0);
	ck_assert(c.non_wifi_burst);
	ck_assert_double_eq_tol(c.unexplained_pct, 55.0, 1e-9);
	ck_assert_double_eq_tol(c.noise_rise_db, 10.0, 1e-9);
	/* the baseline did not learn from the burst: a second burst window still fires */
	ck_assert_int_eq(evl_survey_classify(&st, &cfg, step(&g, 1000, 700, 100, 50, -85), &c), 0);
	ck_assert(c.non_wifi_burst);
	/* same unexplained busy but a flat noise floor: not a non-Wi-Fi burst */
	ck_assert_int_eq(evl_survey_classify(&st, &cfg, step(&g, 1000, 700, 100, 50, -95), &c), 0);
	ck_assert(!c.non_wifi_burst);
}
END_TEST

START_TEST(burst_threshold_edges)
{
	struct evl_survey_cfg cfg;
	struct evl_survey_state st = {0};
	struct evl_survey_class c;
	struct gen g = gen_new(2437, ALL & ~EVL_SURVEY_NOISE); /* driver without noise */

	evl_survey_cfg_default(&cfg);
	evl_survey_classify(&st, &cfg, step(&g, 1000, 0, 0, 0, 0), &c);
	/* exactly 30 % unexplained fires, 29 % does not */
	ck_assert_int_eq(evl_survey_classify(&st, &cfg, step(&g, 1000, 400, 50, 50, 0), &c), 0);
	ck_assert(c.non_wifi_burst);
	ck_assert_int_eq(evl_survey_classify(&st, &cfg, step(&g, 1000, 390, 50, 50, 0), &c), 0);
	ck_assert(!c.non_wifi_burst);
	cfg.burst_unexplained_pct = 25;
	ck_assert_int_eq(evl_survey_classify(&st, &cfg, step(&g, 1000, 390, 50, 50, 0), &c), 0);
	ck_assert(c.non_wifi_burst);
}
END_TEST

START_TEST(saturation_needs_sustained_obss_busy)
{
	struct evl_survey_cfg cfg;
	struct evl_survey_state st = {0};
	struct evl_survey_class c;
	struct gen g = gen_new(5180, ALL);

	evl_survey_cfg_default(&cfg);
	evl_survey_classify(&st, &cfg, step(&g, 1000, 100, 50, 50, -95), &c);
	/* busy 90 %, of which rx 80 %: decodable traffic, fires on the 3rd window */
	for (int i = 1; i <= 3; i++) {
		ck_assert_int_eq(
			evl_survey_classify(&st, &cfg, step(&g, 1000, 900, 800, 50, -95), &c), 0);
		ck_assert_uint_eq(c.sat_run, i);
		ck_assert(!c.non_wifi_burst);
		ck_assert(c.spectrum_sat == (i == 3));
	}
	/* one calm window breaks the run */
	evl_survey_classify(&st, &cfg, step(&g, 1000, 300, 200, 50, -95), &c);
	ck_assert_uint_eq(c.sat_run, 0);
	ck_assert(!c.spectrum_sat);
	/* busy 85 % but mostly our own transmissions: not OBSS saturation */
	for (int i = 0; i < 4; i++)
		evl_survey_classify(&st, &cfg, step(&g, 1000, 850, 100, 700, -95), &c);
	ck_assert(!c.spectrum_sat);
}
END_TEST

START_TEST(saturation_subtracts_own_bss_rx)
{
	struct evl_survey_cfg cfg;
	struct evl_survey_state st = {0};
	struct evl_survey_class c;
	struct gen g = gen_new(5180, ALL | EVL_SURVEY_BSS_RX);

	evl_survey_cfg_default(&cfg);
	cfg.sat_windows = 1;
	evl_survey_classify(&st, &cfg, step(&g, 1000, 0, 0, 0, -95), &c);
	/* rx 80 % but 70 % is our own BSS: OBSS only 10 % */
	g.s.bss_rx_ms += 700;
	evl_survey_classify(&st, &cfg, step(&g, 1000, 900, 800, 50, -95), &c);
	ck_assert_double_eq_tol(c.obss_pct, 10.0, 1e-9);
	ck_assert(!c.spectrum_sat);
	g.s.bss_rx_ms += 100;
	evl_survey_classify(&st, &cfg, step(&g, 1000, 900, 800, 50, -95), &c);
	ck_assert(c.spectrum_sat);
}
END_TEST

START_TEST(resets_and_bad_samples)
{
	struct evl_survey_cfg cfg;
	struct evl_survey_state st = {0};
	struct evl_survey_class c;
	struct gen g = gen_new(5180, ALL);
	struct evl_survey bad = {.freq = 5180, .have = EVL_SURVEY_BUSY};

	evl_survey_cfg_default(&cfg);
	ck_assert_int_eq(evl_survey_classify(&st, &cfg, &bad, &c), -EINVAL);
	evl_survey_classify(&st, &cfg, step(&g, 1000, 100, 50, 50, -95), &c);
	/* too short a window: wait, keeping the older sample */
	ck_assert_int_eq(evl_survey_classify(&st, &cfg, step(&g, 100, 10, 5, 5, -95), &c), -EAGAIN);
	ck_assert_int_eq(evl_survey_classify(&st, &cfg, step(&g, 900, 90, 45, 45, -95), &c), 0);
	ck_assert_uint_eq(c.window_ms, 1000);
	/* driver reset: counters back to small values */
	g.s.time_ms = 10;
	g.s.busy_ms = 1;
	ck_assert_int_eq(evl_survey_classify(&st, &cfg, &g.s, &c), -EAGAIN);
	ck_assert_int_eq(evl_survey_classify(&st, &cfg, step(&g, 1000, 100, 50, 50, -95), &c), 0);
	/* channel change */
	g.s.freq = 5500;
	ck_assert_int_eq(evl_survey_classify(&st, &cfg, step(&g, 1000, 100, 50, 50, -95), &c),
			 -EAGAIN);
}
END_TEST

static struct evl_sta sta(unsigned char id, uint64_t pkts, uint64_t failed, uint64_t retries,
			  uint64_t bytes)
{
	struct evl_sta s = {.mac = {2, 0, 0, 0, 1, id},
			    .have = EVL_STA_TX_PACKETS | EVL_STA_TX_FAILED | EVL_STA_TX_RETRIES,
			    .tx_packets = pkts,
			    .tx_failed = failed,
			    .tx_retries = retries,
			    .tx_bytes = bytes,
			    .rx_bytes = bytes / 2};
	return s;
}

START_TEST(station_metrics)
{
	struct evl_sta_tracker *t = calloc(1, sizeof(*t));
	struct evl_link_metrics m;
	struct evl_sta s;
	const uint64_t sec = 1000000000ULL;

	evl_sta_tracker_begin(t);
	s = sta(1, 1000, 10, 100, 1000000);
	evl_sta_tracker_add(t, &s);
	s = sta(2, 500, 0, 0, 0);
	evl_sta_tracker_add(t, &s);
	s = sta(3, 9000, 900, 900, 0);
	evl_sta_tracker_add(t, &s);
	ck_assert_int_eq(evl_sta_tracker_end(t, 10 * sec, &m), -EAGAIN);
	ck_assert_uint_eq(m.n_sta, 3);

	/* 1 s later: sta 1 sent 1000 (50 failed, 200 retries, 1 MB out, 0.5 MB in), sta 2 left,
	 * sta 3 re-associated (counters reset), sta 4 is new */
	evl_sta_tracker_begin(t);
	s = sta(1, 2000, 60, 300, 2000000);
	evl_sta_tracker_add(t, &s);
	s = sta(3, 10, 0, 0, 0);
	evl_sta_tracker_add(t, &s);
	s = sta(4, 5000, 5000, 0, 0);
	evl_sta_tracker_add(t, &s);
	ck_assert_int_eq(evl_sta_tracker_end(t, 11 * sec, &m), 0);
	ck_assert_uint_eq(m.n_sta, 3);
	ck_assert_uint_eq(m.window_ns, sec);
	ck_assert_double_eq_tol(m.per, 0.05, 1e-12);
	ck_assert_double_eq_tol(m.retry_rate, 0.2, 1e-12);
	ck_assert_double_eq_tol(m.throughput_bps, 1500000.0 * 8, 1e-6);
	ck_assert_uint_eq(m.disconnections, 1);
	ck_assert_double_eq_tol(m.disc_per_min, 60.0, 1e-9);

	/* nobody sends: rates stay 0, not NaN */
	evl_sta_tracker_begin(t);
	ck_assert_int_eq(evl_sta_tracker_end(t, 12 * sec, &m), 0);
	ck_assert_uint_eq(m.disconnections, 3);
	ck_assert_double_eq(m.per, 0.0);
	/* time not advancing */
	evl_sta_tracker_begin(t);
	ck_assert_int_eq(evl_sta_tracker_end(t, 12 * sec, &m), -EAGAIN);

	evl_sta_tracker_begin(t);
	for (int i = 0; i < EVL_STA_MAX; i++)
		ck_assert_int_eq(evl_sta_tracker_add(t, &s), 0);
	ck_assert_int_eq(evl_sta_tracker_add(t, &s), -ENOSPC);
	free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nl80211_sense");
	TCase *tc = tcase_create("sense");

	tcase_add_test(tc, burst_needs_unexplained_busy_and_noise_rise);
	tcase_add_test(tc, burst_threshold_edges);
	tcase_add_test(tc, saturation_needs_sustained_obss_busy);
	tcase_add_test(tc, saturation_subtracts_own_bss_rx);
	tcase_add_test(tc, resets_and_bad_samples);
	tcase_add_test(tc, station_metrics);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
