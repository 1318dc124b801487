// SPDX-License-Identifier: GPL-2.0
/* Decision core rules, driven through the sim actuator and a recording sink. */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <evl/engine.h>
#include <evl/sim.h>

#define S(x)   ((uint64_t)(x)*1000000000ULL)
#define MAXREC 64

struct rec {
	enum evl_rec_kind kind;
	char event_id[EVL_ID_LEN], token[EVL_TOKEN_LEN], reason[32], status[16], metric[32];
	int64_t d2a_us;
	uint64_t radar_ns, issued_ns, confirmed_ns;
};

static struct rec recs[MAXREC];
static int nrec, sink_rc;
static struct evl_sim *sim;
static struct evl_engine *eng;
static struct evl_core_config cfg;

static int sink(void *ctx, const struct evl_record *r)
{
	struct rec *o = &recs[nrec < MAXREC ? nrec++ : MAXREC - 1];

	(void)ctx;
	memset(o, 0, sizeof(*o));
	o->kind = r->kind;
	snprintf(o->event_id, sizeof(o->event_id), "%s", r->event_id ? r->event_id : "");
	snprintf(o->token, sizeof(o->token), "%s", r->token ? r->token : "");
	snprintf(o->reason, sizeof(o->reason), "%s", r->reason ? r->reason : "");
	snprintf(o->status, sizeof(o->status), "%s", r->status ? r->status : "");
	snprintf(o->metric, sizeof(o->metric), "%s", r->metric ? r->metric : "");
	o->d2a_us = r->detect_to_action_us;
	o->radar_ns = r->radar_ns;
	o->issued_ns = r->switch_issued_ns;
	o->confirmed_ns = r->switch_confirmed_ns;
	return sink_rc;
}

static const struct rec *last(enum evl_rec_kind k)
{
	for (int i = nrec; i-- > 0;)
		if (recs[i].kind == k)
			return &recs[i];
	return NULL;
}

static int count(enum evl_rec_kind k)
{
	int n = 0;

	for (int i = 0; i < nrec; i++)
		n += recs[i].kind == k;
	return n;
}

static void start(const char *country, uint64_t seed)
{
	nrec = 0;
	sink_rc = 0;
	evl_core_config_init(&cfg);
	ck_assert_int_eq(evl_core_config_set(&cfg, "country", country), 0);
	sim = evl_sim_new();
	ck_assert_ptr_nonnull(sim);
	eng = evl_engine_new(&cfg, evl_sim_actuator(sim), (struct evl_record_sink){sink, NULL},
			     seed);
	ck_assert_ptr_nonnull(eng);
}

static void restart(uint64_t seed) /* same config (tests tweak cfg first) */
{
	evl_engine_free(eng);
	evl_sim_free(sim);
	nrec = 0;
	sim = evl_sim_new();
	eng = evl_engine_new(&cfg, evl_sim_actuator(sim), (struct evl_record_sink){sink, NULL},
			     seed);
}

static void stop(void)
{
	evl_engine_free(eng);
	evl_sim_free(sim);
	eng = NULL;
	sim = NULL;
}

static void add_ap(const char *id, enum evl_band band, int ch, int bw)
{
	struct evl_ap_conf c = {.band = band, .channel = ch, .bandwidth = bw, .tx_power = 20};

	ck_assert_int_eq(evl_sim_add_ap(sim, id, &c), 0);
	ck_assert_int_eq(evl_engine_add_ap(eng, id, &c), 0);
}

static struct evl_ap_conf radio(const char *id)
{
	struct evl_ap_conf c;

	ck_assert_int_eq(evl_sim_get(sim, id, &c), 0);
	return c;
}

static int submit(const char *id, enum evl_event_type t, enum evl_severity sev, const char *ap,
		  int ch, double conf, uint64_t now)
{
	struct evl_event ev = {.type = t,
			       .severity = sev,
			       .confidence = conf,
			       .channel = ch,
			       .ts_ns = now,
			       .radio = EVL_BAND_5G,
			       .source = "inject"};

	snprintf(ev.id, sizeof(ev.id), "%s", id);
	snprintf(ev.ap, sizeof(ev.ap), "%s", ap);
	return evl_engine_submit(eng, &ev, now);
}

static void run(uint64_t now)
{
	evl_engine_tick(eng, now);
}

static void sample(const char *ap, double per, double retry, double tput, double disc, uint64_t now)
{
	struct evl_metrics m = {per, retry, tput, disc, 10};

	ck_assert_int_eq(evl_engine_metrics(eng, ap, &m, now), 0);
}

static struct evl_stats stats(void)
{
	struct evl_stats s;

	evl_engine_stats(eng, &s);
	return s;
}

/* The seed's test 1: ap_0 on 52/80 MHz in DE, radar, lands on a non-DFS channel, one token. */
START_TEST(radar_moves_to_non_dfs)
{
	struct evl_nop_info nop[8];
	struct evl_event ev = {.id = "dfs_001",
			       .type = EVL_EV_DFS_RADAR,
			       .ap = "ap_0",
			       .severity = EVL_SEV_CRITICAL,
			       .confidence = 1.0,
			       .channel = 52,
			       .ts_ns = S(100),
			       .detect_ns = S(100) - 900000,
			       .source = "ebpf"};
	const struct rec *r;

	start("DE", 1);
	add_ap("ap_0", EVL_BAND_5G, 52, 80);
	ck_assert_int_eq(evl_engine_submit(eng, &ev, S(100)), 0);
	run(S(100));
	ck_assert_int_ge(radio("ap_0").channel, 36);
	ck_assert_int_le(radio("ap_0").channel, 48);
	ck_assert_int_eq(radio("ap_0").bandwidth, 80);
	ck_assert_uint_eq(stats().tokens_active, 1);
	ck_assert_uint_eq(stats().actions_executed, 1);
	ck_assert_uint_eq(evl_engine_nop(eng, nop, 8), 4); /* 52, 56, 60, 64 */
	ck_assert_uint_eq(nop[0].until_ns, S(100) + S(1800));
	r = last(EVL_REC_ACTION);
	ck_assert_str_eq(r->status, "success");
	ck_assert_int_eq(r->d2a_us, 900);
	ck_assert_uint_eq(r->radar_ns, S(100) - 900000);
	ck_assert_uint_eq(r->issued_ns, S(100));
	ck_assert_uint_eq(r->confirmed_ns, S(100));
	ck_assert_ptr_nonnull(last(EVL_REC_TOKEN_CREATED));
	ck_assert_str_eq(last(EVL_REC_TOKEN_CREATED)->token, r->token);
	ck_assert_ptr_null(strstr(r->token, "ap_0")); /* no raw identifier in tokens */
	stop();
}
END_TEST

START_TEST(confidence_and_unknown_ap)
{
	start("US", 1);
	add_ap("ap_0", EVL_BAND_5G, 36, 20);
	ck_assert_int_eq(submit("e1", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, "ap_0", 36, 0.79, 0),
			 -EACCES);
	ck_assert_str_eq(last(EVL_REC_REJECTED)->reason, "low_confidence");
	ck_assert_int_eq(submit("e2", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, "ap_x", 36, 1, 0),
			 -ENOENT);
	ck_assert_str_eq(last(EVL_REC_REJECTED)->reason, "unknown_ap");
	ck_assert_int_eq(submit("e3", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, "ap_0", 36, 0.80, 0), 0);
	run(0);
	ck_assert_int_ne(radio("ap_0").channel, 36);
	ck_assert_uint_eq(stats().events_rejected, 2);
	ck_assert_uint_eq(stats().events_processed, 3);
	stop();
}
END_TEST

/* Lower severity number first, FIFO within a severity. */
START_TEST(priority_order)
{
	start("US", 1);
	add_ap("a", EVL_BAND_5G, 36, 20);
	add_ap("b", EVL_BAND_5G, 40, 20);
	add_ap("c", EVL_BAND_5G, 44, 20);
	add_ap("d", EVL_BAND_5G, 48, 20);
	submit("medium", EVL_EV_DENSITY_SPIKE, EVL_SEV_MEDIUM, "a", 0, 1, 0);
	submit("high1", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "b", 0, 1, 0);
	submit("critical", EVL_EV_HW_FAILURE, EVL_SEV_CRITICAL, "c", 0, 1, 0);
	submit("high2", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "d", 0, 1, 0);
	ck_assert_uint_eq(stats().pending_events, 4);
	run(0);
	const char *want[] = {"critical", "high1", "high2", "medium"};
	int k = 0;

	for (int i = 0; i < nrec; i++)
		if (recs[i].kind == EVL_REC_ACTION)
			ck_assert_str_eq(recs[i].event_id, want[k++]);
	ck_assert_int_eq(k, 4);
	stop();
}
END_TEST

START_TEST(cooldown_and_radar_exemption)
{
	start("US", 1);
	add_ap("a", EVL_BAND_5G, 100, 20);
	submit("s1", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "a", 0, 1, S(0));
	run(S(0));
	submit("s2", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "a", 0, 1, S(1));
	run(S(1));
	ck_assert_int_eq(radio("a").obss_pd, -78);
	ck_assert_uint_eq(stats().pending_events, 1);
	ck_assert_uint_eq(evl_engine_next_deadline(eng), S(10));
	submit("r1", EVL_EV_DFS_RADAR, EVL_SEV_CRITICAL, "a", 100, 1, S(2));
	run(S(2)); /* regulatory: not held by the cooldown */
	ck_assert_int_ne(radio("a").channel, 100);
	run(S(9) + S(1) - 1);
	ck_assert_int_eq(radio("a").obss_pd, -78);
	run(S(12)); /* the radar move restarted the cooldown at t=2 */
	ck_assert_int_eq(radio("a").obss_pd, -74);
	ck_assert_uint_eq(stats().pending_events, 0);
	stop();
}
END_TEST

START_TEST(stale_event_dropped)
{
	start("US", 1);
	add_ap("a", EVL_BAND_5G, 36, 20);
	submit("b1", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, "a", 36, 1, S(0));
	run(S(0));
	submit("b2", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, "a", 36, 1, S(20));
	run(S(20));
	ck_assert_str_eq(last(EVL_REC_REJECTED)->reason, "stale");
	ck_assert_str_eq(last(EVL_REC_REJECTED)->event_id, "b2");
	ck_assert_uint_eq(stats().actions_executed, 1);
	stop();
}
END_TEST

/* No CAC for a radar move while a CAC-free block exists, DFS state from the driver honoured. */
START_TEST(selector_radar_constraints)
{
	for (uint64_t seed = 1; seed < 30; seed++) {
		start("US", seed);
		add_ap("a", EVL_BAND_5G, 100, 80);
		submit("r", EVL_EV_DFS_RADAR, EVL_SEV_CRITICAL, "a", 104, 1, 0);
		run(0);
		int ch = radio("a").channel;

		ck_assert_msg((ch >= 36 && ch <= 48) || (ch >= 149 && ch <= 161), "ch %d", ch);
		ck_assert_int_eq(radio("a").bandwidth, 80);
		stop();
	}
	/* 36-48 unavailable, 149-161 busy: CAC done on 52-64 wins over a CAC elsewhere */
	start("US", 3);
	add_ap("a", EVL_BAND_5G, 100, 80);
	for (int c = 36; c <= 64; c += 4)
		evl_engine_dfs_state(eng, "a", c, c < 52 ? EVL_DFS_UNAVAILABLE : EVL_DFS_AVAILABLE);
	for (int c = 149; c <= 161; c += 4)
		evl_engine_dfs_state(eng, "a", c, EVL_DFS_UNAVAILABLE);
	submit("r", EVL_EV_DFS_RADAR, EVL_SEV_CRITICAL, "a", 100, 1, 0);
	run(0);
	ck_assert_int_ge(radio("a").channel, 52);
	ck_assert_int_le(radio("a").channel, 64);
	stop();
}
END_TEST

static int armed(const char *ap, int *ch)
{
	struct evl_ap_info info[4];
	int n = evl_sim_radar_fallback(sim, ap, ch, 32);

	ck_assert_int_eq(evl_engine_aps(eng, info, 4), 1);
	ck_assert_int_eq(info[0].n_fallback, n); /* the engine's view is what the radio took */
	return n;
}

/* The radio's own radar reaction is steered to where the selector would move: CAC-free,
 * best within the tie margin, all 20 MHz channels of the block, re-armed on every change. */
START_TEST(radar_fallback_follows_the_selector)
{
	struct evl_chan_report busy = {.interference = 0.9, .client_support = 1};
	int ch[32], n, want[32];

	start("DE", 1);
	add_ap("a", EVL_BAND_5G, 52, 80);
	run(0);
	ck_assert_int_eq(armed("a", ch), 4);
	ck_assert_int_eq(evl_engine_radar_candidates(eng, "a", want, 32), 4);
	ck_assert_mem_eq(ch, ((int[]){36, 40, 44, 48}), 4 * sizeof(int));
	/* CAC done on 100-112: DFS scores a little lower, outside the tie margin */
	for (int c = 100; c <= 112; c += 4)
		evl_engine_dfs_state(eng, "a", c, EVL_DFS_AVAILABLE);
	ck_assert_int_eq(armed("a", ch), 4);
	ck_assert_int_eq(ch[0], 36);
	/* interference on 36-48: the CAC-free DFS block is now the best */
	for (int c = 36; c <= 48; c += 4)
		ck_assert_int_eq(evl_engine_chan_report(eng, "a", c, &busy), 0);
	run(S(1));
	ck_assert_int_eq(armed("a", ch), 4);
	ck_assert_mem_eq(ch, ((int[]){100, 104, 108, 112}), 4 * sizeof(int));
	/* radar: the move goes where hostapd would have gone; then re-armed away from it */
	submit("r", EVL_EV_DFS_RADAR, EVL_SEV_CRITICAL, "a", 52, 1, S(2));
	run(S(2));
	ck_assert_int_ge(radio("a").channel, 100); /* any primary of the block */
	ck_assert_int_le(radio("a").channel, 112);
	n = armed("a", ch);
	ck_assert_int_eq(n, 4);
	ck_assert_mem_eq(ch, ((int[]){36, 40, 44, 48}), 4 * sizeof(int));
	/* no CAC-free block left at 80 MHz: narrower ones without a CAC come first */
	evl_engine_dfs_state(eng, "a", 40, EVL_DFS_UNAVAILABLE);
	n = armed("a", ch);
	ck_assert_int_eq(n, 2);
	ck_assert_mem_eq(ch, ((int[]){44, 48}), 2 * sizeof(int));
	/* 2.4 GHz radios are never armed */
	stop();
	start("DE", 1);
	add_ap("g", EVL_BAND_2G, 6, 20);
	run(0);
	{
		struct evl_ap_info info[1];

		ck_assert_int_eq(evl_sim_radar_fallback(sim, "g", ch, 32), 0);
		ck_assert_int_eq(evl_engine_aps(eng, info, 1), 1);
		ck_assert_int_eq(info[0].n_fallback, -1);
	}
	stop();
}
END_TEST

START_TEST(selector_narrows_width)
{
	/* DE, 160 MHz on 36-64, radar on 52: no CAC-free 160 block, so 80 MHz on 36-48 */
	start("DE", 1);
	add_ap("a", EVL_BAND_5G, 36, 160);
	submit("r", EVL_EV_DFS_RADAR, EVL_SEV_CRITICAL, "a", 52, 1, 0);
	run(0);
	ck_assert_int_eq(radio("a").bandwidth, 80);
	ck_assert_int_le(radio("a").channel, 48);
	stop();
	/* 2.4 GHz: 1/6/11 only, 20 MHz */
	start("US", 1);
	add_ap("g", EVL_BAND_2G, 6, 40);
	submit("b", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, "g", 6, 1, 0);
	run(0);
	ck_assert(radio("g").channel == 1 || radio("g").channel == 11);
	ck_assert_int_eq(radio("g").bandwidth, 20);
	stop();
}
END_TEST

/* Scores decide; near-equal ones (within 0.02) are spread by the seeded RNG. */
START_TEST(selector_score_and_tie_break)
{
	struct evl_chan_report busy = {.interference = 0.5, .neighbors = 2, .client_support = 1};
	struct evl_chan_report near = {.interference = 0.04, .client_support = 1};
	bool seen1 = false, seen11 = false;

	for (uint64_t seed = 1; seed < 40; seed++) {
		start("US", seed);
		add_ap("g", EVL_BAND_2G, 6, 20);
		evl_engine_chan_report(eng, "g", 1, &busy);
		submit("b", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, "g", 6, 1, 0);
		run(0);
		ck_assert_int_eq(radio("g").channel, 11);
		stop();
		/* 0.4 * 0.04 = 0.016 apart: a tie */
		start("US", seed);
		add_ap("g", EVL_BAND_2G, 6, 20);
		evl_engine_chan_report(eng, "g", 1, &near);
		submit("b", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, "g", 6, 1, 0);
		run(0);
		seen1 |= radio("g").channel == 1;
		seen11 |= radio("g").channel == 11;
		stop();
	}
	ck_assert(seen1 && seen11);
	/* same seed, same choice */
	int first = -1;

	for (int i = 0; i < 3; i++) {
		start("US", 7);
		add_ap("a", EVL_BAND_5G, 52, 20);
		submit("r", EVL_EV_DFS_RADAR, EVL_SEV_CRITICAL, "a", 52, 1, 0);
		run(0);
		if (first < 0)
			first = radio("a").channel;
		ck_assert_int_eq(radio("a").channel, first);
		stop();
	}
}
END_TEST

/* A non_wifi_burst move at t=10 with a baseline sample at t=5. */
static void moved(void)
{
	start("US", 1);
	add_ap("a", EVL_BAND_5G, 36, 20);
	sample("a", 0.02, 0.05, 100, 0, S(5));
	submit("b", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, "a", 36, 1, S(10));
	run(S(10));
	ck_assert_int_ne(radio("a").channel, 36);
	ck_assert_uint_eq(stats().active_monitoring, 1);
}

static void expect_rollback(const char *reason)
{
	ck_assert_int_eq(radio("a").channel, 36);
	ck_assert_str_eq(last(EVL_REC_ROLLBACK)->reason, reason);
	ck_assert_uint_eq(stats().rollbacks_automatic, 1);
	ck_assert_uint_eq(stats().rollbacks_triggered, 1);
	ck_assert_uint_eq(stats().tokens_active, 0);
	stop();
}

START_TEST(rollback_per)
{
	moved();
	sample("a", 0.04, 0.05, 100, 0, S(20));
	ck_assert_int_ne(radio("a").channel, 36); /* one sample is not enough */
	sample("a", 0.04, 0.05, 100, 0, S(30));
	expect_rollback("per_rise");
	ck_assert_str_eq(last(EVL_REC_ROLLBACK)->metric, "per");
}
END_TEST

START_TEST(rollback_retry)
{
	moved();
	sample("a", 0.02, 0.15, 100, 0, S(20));
	sample("a", 0.02, 0.15, 100, 0, S(30));
	expect_rollback("retry_rise");
}
END_TEST

START_TEST(rollback_throughput)
{
	moved();
	sample("a", 0.02, 0.05, 59, 0, S(20));
	sample("a", 0.02, 0.05, 59, 0, S(30));
	expect_rollback("throughput_drop");
}
END_TEST

/* An idle link (management frames only) has no throughput worth protecting. */
START_TEST(throughput_needs_a_baseline)
{
	start("US", 1);
	add_ap("a", EVL_BAND_5G, 36, 20);
	sample("a", 0.02, 0.05, 0.5, 0, S(5));
	submit("b", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, "a", 36, 1, S(10));
	run(S(10));
	ck_assert_int_ne(radio("a").channel, 36);
	sample("a", 0.02, 0.05, 0.1, 0, S(20));
	sample("a", 0.02, 0.05, 0.1, 0, S(30));
	ck_assert_int_ne(radio("a").channel,
			 36); /* 0.5 -> 0.1 Mbit/s is not a 40% drop that counts */
	ck_assert_uint_eq(stats().rollbacks_automatic, 0);
	stop();
}
END_TEST

START_TEST(rollback_disconnects)
{
	moved();
	sample("a", 0.02, 0.05, 100, 11, S(20));
	sample("a", 0.02, 0.05, 100, 11, S(30));
	expect_rollback("disconnects");
}
END_TEST

START_TEST(rollback_critical_event)
{
	moved();
	int ch = radio("a").channel;

	submit("hw", EVL_EV_HW_FAILURE, EVL_SEV_CRITICAL, "a", ch, 1, S(30));
	run(S(30));
	ck_assert_int_eq(radio("a").channel, 36);
	ck_assert_str_eq(last(EVL_REC_ROLLBACK)->reason, "critical_event");
	ck_assert_str_eq(last(EVL_REC_REJECTED)->reason, "stale"); /* its channel is gone */
	ck_assert_uint_eq(stats().rollbacks_automatic, 1);
	stop();
}
END_TEST

START_TEST(rollback_needs_consecutive_real_rises)
{
	moved();
	sample("a", 0.04, 0.05, 100, 0, S(20));
	sample("a", 0.02, 0.05, 100, 0, S(30)); /* recovered: counter resets */
	sample("a", 0.04, 0.05, 100, 0, S(40));
	sample("a", 0.025, 0.05, 100, 0, S(50)); /* +25%: below 30% */
	sample("a", 0.02, 0.05, 61, 0, S(60));	 /* -39%: below 40% */
	ck_assert_int_ne(radio("a").channel, 36);
	stop();
	/* a rise of >30% but under 1 percentage point is noise */
	start("US", 1);
	add_ap("a", EVL_BAND_5G, 36, 20);
	sample("a", 0.001, 0.01, 100, 0, S(5));
	submit("b", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, "a", 36, 1, S(10));
	run(S(10));
	for (int i = 2; i < 6; i++)
		sample("a", 0.005, 0.015, 100, 0, S(10 * i));
	ck_assert_int_ne(radio("a").channel, 36);
	/* outside the monitoring window nothing triggers */
	sample("a", 0.5, 0.5, 1, 50, S(311));
	sample("a", 0.5, 0.5, 1, 50, S(312));
	ck_assert_int_ne(radio("a").channel, 36);
	ck_assert_uint_eq(stats().rollbacks_triggered, 0);
	stop();
	/* rollback_samples = 1 */
	evl_core_config_init(&cfg);
	evl_core_config_set(&cfg, "rollback_samples", "1");
	evl_core_config_set(&cfg, "country", "US");
	sim = NULL;
	eng = NULL;
	restart(1);
	add_ap("a", EVL_BAND_5G, 36, 20);
	sample("a", 0.02, 0.05, 100, 0, S(5));
	submit("b", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, "a", 36, 1, S(10));
	run(S(10));
	sample("a", 0.02, 0.15, 100, 0, S(20));
	expect_rollback("retry_rise");
}
END_TEST

START_TEST(manual_rollback_and_nop_refusal)
{
	struct evl_token_info t[2];

	start("DE", 1);
	add_ap("a", EVL_BAND_5G, 52, 80);
	submit("r", EVL_EV_DFS_RADAR, EVL_SEV_CRITICAL, "a", 52, 1, S(100));
	run(S(100));
	ck_assert_uint_eq(evl_engine_tokens(eng, t, 2), 1);
	ck_assert_int_eq(evl_engine_rollback_token(eng, t[0].id, S(200)), -EBUSY);
	ck_assert_str_eq(last(EVL_REC_ROLLBACK_REFUSED)->reason, "nop_active");
	ck_assert_int_ne(radio("a").channel, 52);
	ck_assert_uint_eq(stats().rollbacks_triggered, 0);
	ck_assert_int_eq(evl_engine_rollback_token(eng, "evl-0-nope", S(200)), -ENOENT);
	run(S(1900)); /* NOP over */
	ck_assert_uint_eq(evl_engine_nop(eng, NULL, 0), 0);
	ck_assert_int_eq(evl_engine_rollback_ap(eng, "a", S(2000)), 0);
	ck_assert_int_eq(radio("a").channel, 52);
	ck_assert_uint_eq(stats().rollbacks_manual, 1);
	ck_assert_int_eq(evl_engine_rollback_ap(eng, "a", S(2001)), -ENOENT);
	stop();
}
END_TEST

START_TEST(token_expiry_keeps_config)
{
	start("US", 1);
	add_ap("a", EVL_BAND_5G, 36, 20);
	submit("b", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, "a", 36, 1, S(0));
	run(S(0));
	int ch = radio("a").channel;

	struct evl_ap_info info;

	ck_assert_uint_eq(evl_engine_next_deadline(eng), S(300)); /* monitoring ends with window */
	run(S(299));
	ck_assert_uint_eq(stats().tokens_active, 1);
	/* evld holds its scans while the AP's metrics are watched */
	ck_assert_int_eq(evl_engine_ap(eng, "a", &info), 0);
	ck_assert(info.monitoring && !info.pending);
	run(S(300));
	ck_assert_uint_eq(stats().tokens_active, 0);
	ck_assert_uint_eq(stats().active_monitoring, 0);
	ck_assert_int_eq(evl_engine_ap(eng, "a", &info), 0);
	ck_assert(!info.monitoring);
	ck_assert_str_eq(last(EVL_REC_TOKEN_EXPIRED)->reason, "window_ended");
	ck_assert_int_eq(radio("a").channel, ch);
	ck_assert_int_eq(evl_engine_rollback_ap(eng, "a", S(301)), -ENOENT);
	stop();
}
END_TEST

START_TEST(density_and_failover)
{
	struct evl_event end = {.id = "d_end",
				.type = EVL_EV_DENSITY_SPIKE,
				.ap = "a",
				.severity = EVL_SEV_MEDIUM,
				.confidence = 1,
				.ended = true};

	start("US", 1);
	add_ap("a", EVL_BAND_5G, 36, 20);
	submit("d", EVL_EV_DENSITY_SPIKE, EVL_SEV_MEDIUM, "a", 0, 1, S(0));
	run(S(0));
	ck_assert_int_eq(radio("a").max_sta, 32);
	evl_engine_submit(eng, &end, S(3)); /* not held by the cooldown */
	run(S(3));
	ck_assert_int_eq(radio("a").max_sta, 0);
	ck_assert_str_eq(last(EVL_REC_ROLLBACK)->reason, "spike_ended");
	ck_assert_uint_eq(stats().rollbacks_triggered, 0);
	/* no end: lifted after density_hold_s */
	submit("d2", EVL_EV_DENSITY_SPIKE, EVL_SEV_MEDIUM, "a", 0, 1, S(20));
	run(S(20));
	ck_assert_int_eq(radio("a").max_sta, 32);
	run(S(20 + 3600));
	ck_assert_int_eq(radio("a").max_sta, 0);
	ck_assert_str_eq(last(EVL_REC_ROLLBACK)->reason, "spike_timeout");
	/* failover: no token */
	submit("hw", EVL_EV_HW_FAILURE, EVL_SEV_CRITICAL, "a", 0, 1, S(4000));
	run(S(4000));
	ck_assert_int_eq(radio("a").state, EVL_AP_DISABLED);
	ck_assert_uint_eq(stats().tokens_active, 0);
	stop();
}
END_TEST

START_TEST(pending_confirm_and_timeout)
{
	struct evl_ap_info ai;

	start("US", 1);
	add_ap("a", EVL_BAND_5G, 36, 20);
	evl_sim_set_pending(sim, true);
	submit("s", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "a", 0, 1, S(0));
	run(S(0));
	ck_assert_ptr_null(last(EVL_REC_ACTION));
	evl_engine_aps(eng, &ai, 1);
	ck_assert(ai.pending);
	evl_sim_complete(sim, "a", true);
	ck_assert_int_eq(evl_engine_confirm(eng, "a", true, S(1)), 0);
	ck_assert_str_eq(last(EVL_REC_ACTION)->status, "success");
	ck_assert_uint_eq(stats().tokens_active, 1);
	ck_assert_int_eq(evl_engine_confirm(eng, "a", true, S(1)), -ENOENT);

	/* never confirmed: failed after confirm_timeout_ms, engine believes the radio */
	submit("s2", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "a", 0, 1, S(20));
	run(S(20));
	ck_assert_uint_eq(evl_engine_next_deadline(eng), S(25));
	run(S(25));
	ck_assert_str_eq(last(EVL_REC_ACTION)->status, "failed");
	ck_assert_str_eq(last(EVL_REC_ACTION)->reason, "timeout");
	evl_engine_aps(eng, &ai, 1);
	ck_assert(!ai.pending);
	ck_assert_int_eq(ai.conf.obss_pd, -78);
	ck_assert_uint_eq(stats().actions_failed, 1);

	/* an actuator error */
	evl_sim_set_pending(sim, false);
	evl_sim_fail_next(sim, -EIO);
	submit("s3", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "a", 0, 1, S(40));
	run(S(40));
	ck_assert_str_eq(last(EVL_REC_ACTION)->reason, "actuator_error");
	ck_assert_uint_eq(stats().actions_failed, 2);
	ck_assert_int_eq(radio("a").obss_pd, -78);
	stop();
}
END_TEST

/* hostapd moved the AP itself: the engine takes the radio's channel, not its stale view */
START_TEST(refresh_after_external_move)
{
	struct evl_chandef to = {.band = EVL_BAND_5G,
				 .channel = 149,
				 .width = 20,
				 .freq = 5745,
				 .center_freq1 = 5745};
	struct evl_actuator act;
	struct evl_ap_info ai;

	start("US", 1);
	add_ap("a", EVL_BAND_5G, 36, 20);
	ck_assert_int_eq(evl_engine_refresh(eng, "nope"), -ENOENT);
	act = evl_sim_actuator(sim); /* the radio moves behind the engine's back */
	ck_assert_int_eq(act.ops->switch_channel(act.ctx, "a", &to, false), 0);
	ck_assert_int_eq(radio("a").channel, 149);
	evl_engine_aps(eng, &ai, 1);
	ck_assert_int_eq(ai.conf.channel, 36);
	ck_assert_int_eq(evl_engine_refresh(eng, "a"), 0);
	evl_engine_aps(eng, &ai, 1);
	ck_assert_int_eq(ai.conf.channel, 149);

	/* while our own action is pending, its confirmation decides */
	evl_sim_set_pending(sim, true);
	submit("s", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "a", 0, 1, S(0));
	run(S(0));
	ck_assert_int_eq(evl_engine_refresh(eng, "a"), -EBUSY);
	stop();
}
END_TEST

START_TEST(audit_unavailable)
{
	start("US", 1);
	add_ap("a", EVL_BAND_5G, 52, 20);
	add_ap("b", EVL_BAND_5G, 36, 20);
	sink_rc = -EIO;
	submit("w", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "b", 0, 0.1, 0); /* record fails */
	submit("s", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "b", 0, 1, 0);
	submit("r", EVL_EV_DFS_RADAR, EVL_SEV_CRITICAL, "a", 52, 1, 0);
	run(0);
	ck_assert_int_ne(radio("a").channel, 52); /* regulatory moves still happen */
	ck_assert_int_eq(radio("b").obss_pd, 0);
	ck_assert_str_eq(last(EVL_REC_REJECTED)->reason, "audit_unavailable");
	sink_rc = 0;
	submit("s2", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "b", 0, 0.1, S(1)); /* a record succeeds */
	submit("s3", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "b", 0, 1, S(1));
	run(S(1));
	ck_assert_int_eq(radio("b").obss_pd, -78);
	stop();
}
END_TEST

START_TEST(statistics)
{
	struct evl_stats s;

	start("US", 1);
	add_ap("a", EVL_BAND_5G, 36, 20);
	submit("x", EVL_EV_PER_SPIKE, EVL_SEV_MEDIUM, "a", 36, 1, 0); /* signal: no action */
	submit("l", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "a", 0, 0.2, 0);
	submit("s", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "a", 0, 1, 0);
	submit("q", EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, "a", 0, 1, 0);
	run(0);
	evl_engine_stats(eng, &s);
	ck_assert_uint_eq(s.events_processed, 3);
	ck_assert_uint_eq(s.actions_executed, 1);
	ck_assert_uint_eq(s.events_rejected, 1);
	ck_assert_uint_eq(s.pending_events, 1);
	ck_assert_uint_eq(s.active_monitoring, 1);
	ck_assert_uint_eq(s.tokens_active, 1);
	ck_assert_int_eq(evl_engine_rollback_ap(eng, "a", S(1)), 0);
	evl_engine_stats(eng, &s);
	ck_assert_uint_eq(s.rollbacks_manual, 1);
	ck_assert_uint_eq(s.rollbacks_triggered, 1);
	ck_assert_uint_eq(s.tokens_active, 0);
	ck_assert_int_eq(count(EVL_REC_ROLLBACK), 1);
	stop();
}
END_TEST

START_TEST(state_round_trip)
{
	struct evl_token_info a[2], b[2];
	struct evl_nop_info n[8];
	char *js, *js2;

	start("DE", 1);
	add_ap("a", EVL_BAND_5G, 52, 80);
	sample("a", 0.02, 0.05, 100, 0, S(1));
	submit("r", EVL_EV_DFS_RADAR, EVL_SEV_CRITICAL, "a", 52, 1, S(2));
	run(S(2));
	js = evl_engine_save_state(eng);
	ck_assert_ptr_nonnull(js);
	ck_assert_uint_eq(evl_engine_tokens(eng, a, 2), 1);
	restart(1);
	add_ap("a", EVL_BAND_5G, 52, 80);
	ck_assert_int_eq(evl_engine_load_state(eng, "{\"version\":1,\"tokens\":[{}],\"nop\":[],"
						    "\"baselines\":[]}"),
			 -EINVAL);
	ck_assert_int_eq(evl_engine_load_state(eng, "not json"), -EINVAL);
	ck_assert_uint_eq(evl_engine_tokens(eng, b, 2), 0); /* nothing half-applied */
	ck_assert_int_eq(evl_engine_load_state(eng, js), 0);
	ck_assert_uint_eq(evl_engine_tokens(eng, b, 2), 1);
	ck_assert_str_eq(a[0].id, b[0].id);
	ck_assert_int_eq(a[0].prev.channel, b[0].prev.channel);
	ck_assert_uint_eq(a[0].expires_ns, b[0].expires_ns);
	ck_assert_uint_eq(evl_engine_nop(eng, n, 8), 4);
	js2 = evl_engine_save_state(eng);
	ck_assert_str_eq(js, js2);
	free(js);
	free(js2);
	stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, radar_moves_to_non_dfs);
	tcase_add_test(tc, confidence_and_unknown_ap);
	tcase_add_test(tc, priority_order);
	tcase_add_test(tc, cooldown_and_radar_exemption);
	tcase_add_test(tc, stale_event_dropped);
	tcase_add_test(tc, selector_radar_constraints);
	tcase_add_test(tc, selector_narrows_width);
	tcase_add_test(tc, radar_fallback_follows_the_selector);
	tcase_add_test(tc, selector_score_and_tie_break);
	tcase_add_test(tc, rollback_per);
	tcase_add_test(tc, rollback_retry);
	tcase_add_test(tc, rollback_throughput);
	tcase_add_test(tc, throughput_needs_a_baseline);
	tcase_add_test(tc, rollback_disconnects);
	tcase_add_test(tc, rollback_critical_event);
	tcase_add_test(tc, rollback_needs_consecutive_real_rises);
	tcase_add_test(tc, manual_rollback_and_nop_refusal);
	tcase_add_test(tc, token_expiry_keeps_config);
	tcase_add_test(tc, density_and_failover);
	tcase_add_test(tc, pending_confirm_and_timeout);
	tcase_add_test(tc, refresh_after_external_move);
	tcase_add_test(tc, audit_unavailable);
	tcase_add_test(tc, statistics);
	tcase_add_test(tc, state_round_trip);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
