// SPDX-License-Identifier: GPL-2.0
/*
 * What a scan tells the selector: neighbours weighted by signal steer radar moves and the radar
 * fallback alike, reports decay to unknown after scan_max_age_s, the channel table the operator
 * sees, and the score breakdown (chosen and runner-up) in the audit record of a move.
 */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <evl/engine.h>
#include <evl/sim.h>

#define S(x) ((uint64_t)(x)*1000000000ULL)

static struct evl_sim *sim;
static struct evl_engine *eng;
static struct evl_core_config cfg;
static struct evl_chan_score chosen, runner;
static bool scored, has_runner;

static int sink(void *ctx, const struct evl_record *r)
{
	(void)ctx;
	if (r->kind != EVL_REC_ACTION)
		return 0;
	scored = r->score != NULL;
	has_runner = r->runner_up != NULL;
	if (r->score)
		chosen = *r->score;
	if (r->runner_up)
		runner = *r->runner_up;
	return 0;
}

static void start(const char *country, int ch, uint64_t seed)
{
	struct evl_ap_conf c = {
		.band = EVL_BAND_5G, .channel = ch, .bandwidth = 20, .tx_power = 20};

	scored = has_runner = false;
	evl_core_config_init(&cfg);
	ck_assert_int_eq(evl_core_config_set(&cfg, "country", country), 0);
	sim = evl_sim_new();
	eng = evl_engine_new(&cfg, evl_sim_actuator(sim), (struct evl_record_sink){sink, NULL},
			     seed);
	ck_assert_ptr_nonnull(eng);
	ck_assert_int_eq(evl_sim_add_ap(sim, "a", &c), 0);
	ck_assert_int_eq(evl_engine_add_ap(eng, "a", &c), 0);
	evl_engine_dfs_state(eng, "a", ch, EVL_DFS_AVAILABLE);
}

static void stop(void)
{
	evl_engine_free(eng);
	evl_sim_free(sim);
}

/* A neighbour as a scan reports it: one BSS at -50 dBm, measured at @t. */
static void neighbour(int ch, uint64_t t)
{
	struct evl_chan_report r = {.neighbors = 1,
				    .neighbor_load = 1.0,
				    .strongest_dbm = -50,
				    .client_support = 1,
				    .measured_ns = t};

	ck_assert_int_eq(evl_engine_chan_report(eng, "a", ch, &r), 0);
}

static int radar(uint64_t now)
{
	struct evl_event ev = {.type = EVL_EV_DFS_RADAR,
			       .severity = EVL_SEV_CRITICAL,
			       .confidence = 1,
			       .channel = 52,
			       .ts_ns = now,
			       .radio = EVL_BAND_5G,
			       .source = "inject"};
	struct evl_ap_conf c;

	snprintf(ev.id, sizeof(ev.id), "r%llu", (unsigned long long)now);
	snprintf(ev.ap, sizeof(ev.ap), "a");
	ck_assert_int_eq(evl_engine_submit(eng, &ev, now), 0);
	evl_engine_tick(eng, now);
	ck_assert_int_eq(evl_sim_get(sim, "a", &c), 0);
	return c.channel;
}

/* The scenario in the core: neighbours on 36, 40, 44 -> 48; on 36, 44, 48 -> 40. */
START_TEST(radar_goes_to_the_free_channel)
{
	int ch[32], n;

	for (uint64_t seed = 1; seed <= 8; seed++) {
		start("DE", 52, seed);
		neighbour(36, S(1));
		neighbour(40, S(1));
		neighbour(44, S(1));
		evl_engine_tick(eng, S(1));
		n = evl_engine_radar_candidates(eng, "a", ch, 32);
		ck_assert_int_eq(n, 1); /* hostapd's own reaction is steered there too */
		ck_assert_int_eq(ch[0], 48);
		ck_assert_int_eq(radar(S(2)), 48);
		ck_assert(scored && has_runner);
		ck_assert_int_eq(chosen.channel, 48);
		ck_assert_int_eq(chosen.width, 20);
		ck_assert(!chosen.cac);
		ck_assert_double_eq_tol(
			chosen.total,
			chosen.interference + chosen.neighbors + chosen.clients + chosen.dfs, 1e-9);
		ck_assert_double_eq_tol(chosen.neighbors, cfg.w_neighbors, 1e-9);
		ck_assert_double_lt(runner.total, chosen.total);
		/* the best other block a radar move could take: CAC-free, not a DFS one */
		ck_assert(runner.channel == 36 || runner.channel == 40 || runner.channel == 44);
		ck_assert(!runner.cac);
		stop();

		start("DE", 52, seed);
		neighbour(36, S(1));
		neighbour(44, S(1));
		neighbour(48, S(1));
		ck_assert_int_eq(radar(S(2)), 40);
		stop();
	}
}
END_TEST

/* Weaker neighbours weigh less: a channel with one faint BSS beats one with a strong one. */
START_TEST(neighbours_weighted_by_signal)
{
	struct evl_chan_report faint = {.neighbors = 1, .neighbor_load = 0.25, .client_support = 1};
	struct evl_chan_report strong = {.neighbors = 1, .neighbor_load = 1, .client_support = 1};

	start("DE", 52, 1);
	neighbour(36, 0);
	neighbour(40, 0);
	evl_engine_chan_report(eng, "a", 44, &strong);
	evl_engine_chan_report(eng, "a", 48, &faint);
	ck_assert_int_eq(radar(S(1)), 48);
	stop();
}
END_TEST

/* A scan older than scan_max_age_s no longer steers: back to a spread over all four. */
START_TEST(old_reports_decay_to_unknown)
{
	struct evl_chan_row rows[64];
	int ch[32], n;

	start("DE", 52, 1);
	neighbour(36, S(10));
	neighbour(40, S(10));
	neighbour(44, S(10));
	evl_engine_tick(eng, S(11));
	ck_assert_int_eq(evl_engine_radar_candidates(eng, "a", ch, 32), 1);
	/* the decay is a deadline of its own: the daemon wakes for it */
	ck_assert_uint_eq(evl_engine_next_deadline(eng), S(10) + S(cfg.scan_max_age_s));
	evl_engine_tick(eng, S(10) + S(cfg.scan_max_age_s) - 1);
	ck_assert_int_eq(evl_engine_radar_candidates(eng, "a", ch, 32), 1);
	evl_engine_tick(eng, S(10) + S(cfg.scan_max_age_s));
	n = evl_engine_radar_candidates(eng, "a", ch, 32);
	ck_assert_int_eq(n, 4);
	ck_assert_mem_eq(ch, ((int[]){36, 40, 44, 48}), sizeof(int) * 4);
	n = evl_engine_channels(eng, "a", S(10) + S(cfg.scan_max_age_s), rows, 64);
	ck_assert_int_gt(n, 0);
	ck_assert(!rows[0].known);
	ck_assert_int_eq(rows[0].rep.neighbors, 0);
	ck_assert_uint_eq(evl_engine_next_deadline(eng), UINT64_MAX);
	stop();
	/* 0 = never decays */
	start("DE", 52, 1);
	cfg.scan_max_age_s = 0;
	evl_engine_set_config(eng, &cfg);
	neighbour(36, S(10));
	evl_engine_tick(eng, S(1000000));
	ck_assert_int_eq(evl_engine_channels(eng, "a", S(1000000), rows, 64), n);
	ck_assert(rows[0].known && rows[0].rep.neighbors == 1);
	stop();
}
END_TEST

/* The table the operator sees: the plan's channels with reports, DFS, NOP and scores. */
START_TEST(channel_table)
{
	struct evl_chan_row rows[64];
	int n;

	start("DE", 52, 1);
	neighbour(36, S(1));
	evl_engine_tick(eng, S(1));
	n = evl_engine_channels(eng, "a", S(5), rows, 64);
	ck_assert_int_eq(n, 19); /* DE 5 GHz: 36-64 and 100-140 */
	ck_assert_int_eq(evl_engine_channels(eng, "a", S(5), NULL, 0), 19);
	ck_assert_int_eq(evl_engine_channels(eng, "b", S(5), rows, 64), -ENOENT);
	ck_assert_int_eq(rows[0].channel, 36);
	ck_assert(rows[0].known && !rows[0].dfs);
	ck_assert_int_eq(rows[0].rep.strongest_dbm, -50);
	ck_assert_uint_eq(rows[0].age_ns, S(4));
	ck_assert_int_eq(rows[3].channel, 48);
	ck_assert(rows[3].armed && !rows[0].armed);
	ck_assert_double_gt(rows[3].score.total, rows[0].score.total);
	ck_assert_int_eq(rows[4].channel, 52);
	ck_assert(rows[4].current && rows[4].dfs && rows[4].dfs_state == EVL_DFS_AVAILABLE);
	ck_assert(rows[5].score.cac); /* 56: a CAC first */
	radar(S(6));
	n = evl_engine_channels(eng, "a", S(7), rows, 64);
	ck_assert(!rows[4].usable);
	ck_assert_uint_eq(rows[4].nop_until_ns, S(6) + S(cfg.nop_s));
	ck_assert(rows[3].current);
	stop();
}
END_TEST

START_TEST(config_keys)
{
	struct evl_core_config c;

	evl_core_config_init(&c);
	ck_assert_uint_eq(c.scan_interval_s, 900);
	ck_assert_int_eq(evl_core_config_set(&c, "scan_interval_s", "0"), 0);
	ck_assert_uint_eq(c.scan_interval_s, 0);
	ck_assert_int_eq(evl_core_config_set(&c, "scan_floor_dbm", "-20"), -ERANGE);
	ck_assert_int_eq(evl_core_config_set(&c, "scan_max_age_s", "x"), -EINVAL);
	ck_assert_ptr_nonnull(evl_core_config_expect("scan_floor_dbm"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("air");
	TCase *tc = tcase_create("air");

	tcase_add_test(tc, radar_goes_to_the_free_channel);
	tcase_add_test(tc, neighbours_weighted_by_signal);
	tcase_add_test(tc, old_reports_decay_to_unknown);
	tcase_add_test(tc, channel_table);
	tcase_add_test(tc, config_keys);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
