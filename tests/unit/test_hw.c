// SPDX-License-Identifier: GPL-2.0
/* The hardware-restart watch of the core (user/core/hw.c) through the sim actuator. */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <evl/engine.h>
#include <evl/sim.h>

#define S(x)   ((uint64_t)((x)*1000000000.0))
#define MAXREC 64

struct rec {
	enum evl_rec_kind kind;
	char type[32], status[16], reason[32];
	int64_t to; /* new value of the first change, -1 none */
	uint64_t t;
};

static struct rec recs[MAXREC];
static int nrec;
static struct evl_sim *sim;
static struct evl_engine *eng;
static struct evl_core_config cfg;

static int sink(void *ctx, const struct evl_record *r)
{
	struct rec *o = &recs[nrec < MAXREC ? nrec++ : MAXREC - 1];

	(void)ctx;
	memset(o, 0, sizeof(*o));
	o->kind = r->kind;
	o->t = r->mono_ns;
	snprintf(o->type, sizeof(o->type), "%s",
		 r->kind == EVL_REC_ACTION ? r->action_type
		 : r->event_type	   ? r->event_type
					   : "");
	snprintf(o->status, sizeof(o->status), "%s", r->status ? r->status : "");
	snprintf(o->reason, sizeof(o->reason), "%s", r->reason ? r->reason : "");
	o->to = r->n_changes ? r->changes[0].new_value : -1;
	return 0;
}

static void add(const char *id, enum evl_band band, int ch, const char *ssid, const char *bssid)
{
	struct evl_ap_conf c = {.band = band, .channel = ch, .bandwidth = 20, .tx_power = 20};
	struct evl_ap_bss b = {0};

	ck_assert_int_eq(evl_sim_add_ap(sim, id, &c), 0);
	if (ssid) {
		snprintf(b.ssid, sizeof(b.ssid), "%s", ssid);
		snprintf(b.bssid, sizeof(b.bssid), "%s", bssid);
		ck_assert_int_eq(evl_sim_set_bss(sim, id, &b), 0);
	}
	ck_assert_int_eq(evl_engine_add_ap(eng, id, &c), 0);
}

/* Two APs of SSID "home" (5 GHz a, 2.4 GHz b), a guest AP (g) of another. */
static void setup(void)
{
	nrec = 0;
	sim = evl_sim_new();
	eng = evl_engine_new(&cfg, evl_sim_actuator(sim), (struct evl_record_sink){sink, NULL}, 1);
	ck_assert_ptr_nonnull(eng);
	add("a", EVL_BAND_5G, 36, "home", "02:00:00:00:00:00");
	add("b", EVL_BAND_2G, 6, "home", "02:00:00:00:01:00");
	add("g", EVL_BAND_2G, 1, "guest", "02:00:00:00:02:00");
}

static void teardown(void)
{
	evl_engine_free(eng);
	evl_sim_free(sim);
	evl_core_config_init(&cfg);
}

/* Tick at every deadline up to @t (as evl-replay does). */
static void run_to(uint64_t t)
{
	for (int i = 0; i < 1000; i++) {
		uint64_t d = evl_engine_next_deadline(eng);

		if (d > t)
			break;
		evl_engine_tick(eng, d);
	}
	evl_engine_tick(eng, t);
}

static const char *state(const char *id)
{
	struct evl_ap_conf c;

	ck_assert_int_eq(evl_sim_get(sim, id, &c), 0);
	return c.state == EVL_AP_UP ? "up" : "disabled";
}

static int find(const char *type, const char *status, const char *reason)
{
	for (int i = 0; i < nrec; i++)
		if (!strcmp(recs[i].type, type) && !strcmp(recs[i].status, status) &&
		    (!reason || !strcmp(recs[i].reason, reason)))
			return i;
	return -1;
}

static int actions(void)
{
	int n = 0;

	for (int i = 0; i < nrec; i++)
		n += recs[i].kind == EVL_REC_ACTION;
	return n;
}

static struct evl_ap_info info(const char *id)
{
	struct evl_ap_info ai;

	ck_assert_int_eq(evl_engine_ap(eng, id, &ai), 0);
	return ai;
}

START_TEST(restart_that_recovers_is_only_recorded)
{
	ck_assert_int_eq(evl_engine_hw_fact(eng, "a", EVL_HW_RESTART, "ebpf", S(10)), 0);
	ck_assert_int_eq(info("a").hw_phase, EVL_HW_WATCH);
	ck_assert_uint_eq(evl_engine_next_deadline(eng), S(20)); /* hw_recover_s 10 */
	run_to(S(19.5));
	ck_assert_int_eq(evl_engine_hw_fact(eng, "a", EVL_HW_UP, "hostapd", S(19.5)), 0);
	run_to(S(100));
	ck_assert_int_ge(find("hw_restart", "watching", "restart"), 0);
	ck_assert_int_ge(find("hw_restart", "recovered", "beaconing"), 0);
	ck_assert_int_eq(actions(), 0);
	ck_assert_uint_eq(evl_sim_calls(sim), 0); /* the radio was not touched */
	ck_assert_str_eq(state("a"), "up");
	ck_assert_int_eq(info("a").hw_phase, EVL_HW_IDLE);
	ck_assert_uint_eq(info("a").hw_restarts, 1);
	/* a late UP changes nothing */
	ck_assert_int_eq(evl_engine_hw_fact(eng, "a", EVL_HW_UP, "hostapd", S(101)), 0);
	ck_assert_int_eq(actions(), 0);
}
END_TEST

START_TEST(not_recovered_in_time_fails_over_to_the_sibling)
{
	struct evl_bss_target t;

	evl_engine_hw_fact(eng, "a", EVL_HW_RESTART, "ebpf", S(10));
	run_to(S(20));
	ck_assert_int_ge(find("hw_failure", "failover", "not_recovered"), 0);
	ck_assert_int_eq(evl_sim_btm(sim, "a", &t), 1);
	ck_assert_str_eq(t.bssid, "02:00:00:00:01:00"); /* b: same SSID; never the guest */
	ck_assert_int_eq(t.channel, 6);
	ck_assert_int_eq(t.op_class, 81);
	ck_assert_int_eq(t.phy_type, 7);
	ck_assert_int_eq(t.disassoc_timer, 19); /* 2000 ms in 102.4 ms beacon intervals */
	ck_assert_str_eq(state("a"), "up");	/* stations get hw_steer_ms to leave */
	run_to(S(21.9));
	ck_assert_str_eq(state("a"), "up");
	run_to(S(22));
	ck_assert_str_eq(state("a"), "disabled");
	ck_assert_int_eq(info("a").hw_phase, EVL_HW_DOWN);
	ck_assert_str_eq(state("b"), "up");
	ck_assert_int_eq(evl_sim_btm(sim, "b", NULL), 0);
	/* a late UP of the watch that ended does not stop the failover: it is DOWN now */
	run_to(S(51.9));
	ck_assert_str_eq(state("a"), "disabled");
	run_to(S(52)); /* first wait 30 s */
	ck_assert_str_eq(state("a"), "up");
	ck_assert_int_ge(find("hw_failure", "ended", "back"), 0);
	ck_assert_int_eq(info("a").hw_phase, EVL_HW_IDLE);
	ck_assert_int_eq(actions(), 2);
}
END_TEST

START_TEST(crash_loop_counts_restarts_in_the_window)
{
	cfg.hw_restart_window_s = 100;
	teardown();
	cfg.hw_restart_window_s = 100;
	setup();
	for (int i = 0; i < 2; i++) { /* two recovered restarts, then one after the window */
		evl_engine_hw_fact(eng, "a", EVL_HW_RESTART, "ebpf", S(10 + i * 50));
		evl_engine_hw_fact(eng, "a", EVL_HW_UP, "hostapd", S(11 + i * 50));
	}
	evl_engine_hw_fact(eng, "a", EVL_HW_RESTART, "ebpf", S(111)); /* 10 s aged out */
	ck_assert_int_eq(info("a").hw_phase, EVL_HW_WATCH);
	evl_engine_hw_fact(eng, "a", EVL_HW_UP, "hostapd", S(112));
	ck_assert_int_eq(find("hw_failure", "failover", NULL), -1);
	evl_engine_hw_fact(eng, "a", EVL_HW_RESTART, "ebpf", S(120)); /* 60, 111, 120 */
	ck_assert_int_ge(find("hw_failure", "failover", "crash_loop"), 0);
	ck_assert_int_eq(info("a").hw_phase, EVL_HW_STEER);
	/* a restart during the failover is recorded, nothing more */
	evl_engine_hw_fact(eng, "a", EVL_HW_RESTART, "ebpf", S(121));
	ck_assert_int_ge(find("hw_restart", "recorded", "restart"), 0);
	ck_assert_uint_eq(info("a").hw_restarts, 5);
	ck_assert_int_eq(evl_sim_btm(sim, "a", NULL), 1);
}
END_TEST

START_TEST(backoff_waits_repeat_the_last)
{
	ck_assert_int_eq(evl_core_config_set(&cfg, "hw_backoff_s", "5, 20"), 0);
	teardown();
	ck_assert_int_eq(evl_core_config_set(&cfg, "hw_backoff_s", "5, 20"), 0);
	setup();
	evl_engine_hw_fact(eng, "a", EVL_HW_GONE, "nl80211", S(10));
	evl_sim_set_gone(sim, "a", true);
	ck_assert_int_ge(find("bss_transition", "skipped", "radio_gone"), 0);
	ck_assert_int_eq(evl_sim_btm(sim, "a", NULL), 0);
	run_to(S(10));
	ck_assert_str_eq(state("a"), "disabled"); /* no steering: stopped at once */
	run_to(S(15));				  /* attempt 1 at +5 */
	ck_assert_uint_eq(info("a").hw_attempts, 1);
	ck_assert_uint_eq(evl_engine_next_deadline(eng), S(35)); /* +20 */
	run_to(S(35));
	ck_assert_uint_eq(evl_engine_next_deadline(eng), S(55)); /* +20 again */
	ck_assert_uint_eq(info("a").hw_attempts, 2);
	ck_assert_int_ge(find("failover", "failed", "no_device"), 0);
	/* the radio is back: tried at once */
	evl_sim_set_gone(sim, "a", false);
	evl_engine_hw_fact(eng, "a", EVL_HW_BACK, "rtnetlink", S(40));
	run_to(S(40));
	ck_assert_str_eq(state("a"), "up");
	ck_assert_int_ge(find("hw_failure", "ended", "back"), 0);
	ck_assert_uint_eq(info("a").hw_attempts, 3);
}
END_TEST

START_TEST(sibling_rules)
{
	struct evl_metrics busy = {.clients = 9}, quiet = {.clients = 1};
	struct evl_bss_target t;

	add("c", EVL_BAND_5G, 149, "home", "02:00:00:00:03:00");
	evl_engine_metrics(eng, "b", &busy, S(1));
	evl_engine_metrics(eng, "c", &quiet, S(1));
	evl_engine_hw_fact(eng, "a", EVL_HW_GONE, "nl80211", S(5));
	evl_sim_btm(sim, "a", &t); /* gone: nothing to ask */
	ck_assert_int_eq(evl_sim_btm(sim, "a", NULL), 0);
	/* b fails by an event: c has the fewest clients, a is down */
	ck_assert_int_eq(evl_engine_hw_fact(eng, "nope", EVL_HW_UP, "x", S(6)), -ENOENT);
	ck_assert_int_eq(evl_engine_hw_fact(eng, "b", EVL_HW_FACT_MAX, "x", S(6)), -EINVAL);
	struct evl_event ev = {.id = "hw1",
			       .type = EVL_EV_HW_FAILURE,
			       .ap = "b",
			       .severity = EVL_SEV_CRITICAL,
			       .confidence = 1,
			       .source = "inject"};
	ck_assert_int_eq(evl_engine_submit(eng, &ev, S(6)), 0);
	evl_engine_tick(eng, S(6));
	ck_assert_int_eq(evl_sim_btm(sim, "b", &t), 1);
	ck_assert_str_eq(t.bssid, "02:00:00:00:03:00");
	ck_assert_int_eq(t.op_class, 124);
	ck_assert_int_eq(t.phy_type, 9);
	ck_assert_int_ge(find("hw_failure", "failover", "event"), 0);
	/* the guest AP has no sibling: stopped at once, no request */
	ev.ap[0] = 'g';
	ck_assert_int_eq(evl_engine_submit(eng, &ev, S(7)), 0);
	run_to(S(7));
	ck_assert_int_ge(find("bss_transition", "skipped", "no_sibling"), 0);
	ck_assert_str_eq(state("g"), "disabled");
}
END_TEST

START_TEST(matrix_none_keeps_the_radio_alone)
{
	ck_assert_int_eq(evl_core_config_set(&cfg, "matrix.hw_failure", "none"), 0);
	teardown();
	ck_assert_int_eq(evl_core_config_set(&cfg, "matrix.hw_failure", "none"), 0);
	setup();
	evl_engine_hw_fact(eng, "a", EVL_HW_GONE, "nl80211", S(5));
	run_to(S(1000));
	ck_assert_int_ge(find("hw_failure", "failover", "radio_gone"), 0);
	ck_assert_int_eq(actions(), 0);
	ck_assert_str_eq(state("a"), "up");
	ck_assert_int_eq(evl_sim_btm(sim, "a", NULL), 0);
}
END_TEST

/* evld restarted during the back-off: the next engine still brings the AP back */
START_TEST(failover_survives_a_state_file)
{
	struct evl_engine *e2;
	char *js;

	evl_engine_hw_fact(eng, "g", EVL_HW_GONE, "nl80211", S(10));
	run_to(S(10));
	ck_assert_str_eq(state("g"), "disabled");
	js = evl_engine_save_state(eng);
	ck_assert_ptr_nonnull(js);
	ck_assert_ptr_nonnull(strstr(js, "\"failovers\""));
	e2 = evl_engine_new(&cfg, evl_sim_actuator(sim), (struct evl_record_sink){sink, NULL}, 2);
	ck_assert_ptr_nonnull(e2);
	ck_assert_int_eq(evl_engine_load_state(e2, js), 1); /* no AP yet: skipped */
	ck_assert_int_eq(evl_engine_add_ap(e2, "g",
					   &(struct evl_ap_conf){.band = EVL_BAND_2G,
								 .channel = 1,
								 .bandwidth = 20,
								 .state = EVL_AP_DISABLED}),
			 0);
	ck_assert_int_eq(evl_engine_load_state(e2, js), 0);
	ck_assert_uint_eq(evl_engine_next_deadline(e2), S(40));
	evl_sim_set_gone(sim, "g", false);
	evl_engine_tick(e2, S(40));
	ck_assert_str_eq(state("g"), "up");
	/* malformed entries refuse the whole file */
	ck_assert_int_eq(evl_engine_load_state(e2, "{\"version\":1,\"tokens\":[],\"nop\":[],"
						   "\"baselines\":[],\"failovers\":[{\"ap\":\"g\","
						   "\"phase\":\"down\"}]}"),
			 -EINVAL);
	evl_engine_free(e2);
	free(js);
}
END_TEST

START_TEST(config_keys)
{
	struct evl_core_config c;

	evl_core_config_init(&c);
	ck_assert_uint_eq(c.hw_recover_s, 10);
	ck_assert_uint_eq(c.hw_restart_max, 3);
	ck_assert_uint_eq(c.hw_restart_window_s, 600);
	ck_assert_uint_eq(c.n_hw_backoff, 3);
	ck_assert_uint_eq(c.hw_backoff_s[2], 600);
	ck_assert_int_eq(evl_core_config_set(&c, "hw_backoff_s", "1,2,3,4,5,6,7,8"), 0);
	ck_assert_uint_eq(c.n_hw_backoff, 8);
	ck_assert_int_eq(evl_core_config_set(&c, "hw_backoff_s", "1,2,3,4,5,6,7,8,9"), -ERANGE);
	ck_assert_int_eq(evl_core_config_set(&c, "hw_backoff_s", "0"), -ERANGE);
	ck_assert_int_eq(evl_core_config_set(&c, "hw_backoff_s", "30,,60"), -EINVAL);
	ck_assert_int_eq(evl_core_config_set(&c, "hw_backoff_s", "30 s"), -EINVAL);
	ck_assert_int_eq(evl_core_config_set(&c, "hw_backoff_s", ""), -EINVAL);
	ck_assert_uint_eq(c.n_hw_backoff, 8); /* unchanged on error */
	ck_assert_int_eq(evl_core_config_set(&c, "hw_backoff_s", "30 120"), 0);
	ck_assert_uint_eq(c.n_hw_backoff, 2);
	ck_assert_int_eq(evl_core_config_set(&c, "hw_restart_max", "33"), -ERANGE);
	ck_assert_int_eq(evl_core_config_set(&c, "hw_recover_s", "0"), -ERANGE);
	ck_assert_int_eq(evl_core_config_set(&c, "hw_steer_ms", "0"), 0);
	ck_assert_ptr_nonnull(evl_core_config_expect("hw_backoff_s"));
	ck_assert_int_eq(evl_chan_op_class(EVL_BAND_5G, 52), 118);
	ck_assert_int_eq(evl_chan_op_class(EVL_BAND_5G, 100), 121);
	ck_assert_int_eq(evl_chan_op_class(EVL_BAND_5G, 165), 125);
	ck_assert_int_eq(evl_chan_op_class(EVL_BAND_2G, 99), -EINVAL);
	ck_assert_str_eq(evl_hw_phase_name(EVL_HW_DOWN), "down");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hw");
	TCase *tc = tcase_create("watch");

	evl_core_config_init(&cfg);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, restart_that_recovers_is_only_recorded);
	tcase_add_test(tc, not_recovered_in_time_fails_over_to_the_sibling);
	tcase_add_test(tc, crash_loop_counts_restarts_in_the_window);
	tcase_add_test(tc, backoff_waits_repeat_the_last);
	tcase_add_test(tc, sibling_rules);
	tcase_add_test(tc, matrix_none_keeps_the_radio_alone);
	tcase_add_test(tc, failover_survives_a_state_file);
	tcase_add_test(tc, config_keys);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
