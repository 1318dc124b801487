// SPDX-License-Identifier: GPL-2.0
/*
 * Decision core under allocation failure: this binary links its own evl_core_realloc (the
 * core's weak hook), which fails while `fail` is set. Every path must refuse or carry on with
 * a record that says so; none may drop an event, a token or a NOP entry silently.
 */
#include <check.h>
#include "../lib/check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <evl/engine.h>
#include <evl/sim.h>

#define S(x)   ((uint64_t)(x)*1000000000ULL)
#define MAXREC 64

static bool fail;
static unsigned int failed_allocs;

void *evl_core_realloc(void *p, size_t size);
void *evl_core_realloc(void *p, size_t size)
{
	if (fail) {
		failed_allocs++;
		return NULL;
	}
	return realloc(p, size);
}

struct rec {
	enum evl_rec_kind kind;
	char event_id[EVL_ID_LEN], token[EVL_TOKEN_LEN], reason[32], status[16];
};

static struct rec recs[MAXREC];
static int nrec;
static struct evl_sim *sim;
static struct evl_engine *eng;

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
	return 0;
}

/* The last record of kind k about event id (NULL when there is none). */
static const struct rec *find(enum evl_rec_kind k, const char *id)
{
	for (int i = nrec; i-- > 0;)
		if (recs[i].kind == k && !strcmp(recs[i].event_id, id))
			return &recs[i];
	return NULL;
}

static void start(int ch)
{
	struct evl_core_config cfg;
	struct evl_ap_conf c = {
		.band = EVL_BAND_5G, .channel = ch, .bandwidth = 20, .tx_power = 20};

	nrec = 0;
	fail = false;
	failed_allocs = 0;
	evl_core_config_init(&cfg);
	ck_assert_int_eq(evl_core_config_set(&cfg, "country", "US"), 0);
	sim = evl_sim_new();
	ck_assert_ptr_nonnull(sim);
	eng = evl_engine_new(&cfg, evl_sim_actuator(sim), (struct evl_record_sink){sink, NULL}, 1);
	ck_assert_ptr_nonnull(eng);
	ck_assert_int_eq(evl_sim_add_ap(sim, "a", &c), 0);
	ck_assert_int_eq(evl_engine_add_ap(eng, "a", &c), 0);
}

static void stop(void)
{
	fail = false;
	evl_engine_free(eng);
	evl_sim_free(sim);
}

static void submit(const char *id, enum evl_event_type t, enum evl_severity sev, int ch,
		   uint64_t now)
{
	struct evl_event ev = {.type = t,
			       .severity = sev,
			       .confidence = 1,
			       .channel = ch,
			       .ts_ns = now,
			       .radio = EVL_BAND_5G,
			       .source = "inject"};

	snprintf(ev.id, sizeof(ev.id), "%s", id);
	snprintf(ev.ap, sizeof(ev.ap), "a");
	ck_assert_int_eq(evl_engine_submit(eng, &ev, now), 0);
}

static int channel(void)
{
	struct evl_ap_conf c;

	ck_assert_int_eq(evl_sim_get(sim, "a", &c), 0);
	return c.channel;
}

/* No room for the rollback token: the action is refused before the radio is touched. */
START_TEST(action_refused_without_token_memory)
{
	struct evl_token_info ti;
	const struct rec *r;

	start(36);
	fail = true;
	submit("b1", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, 36, S(10));
	evl_engine_tick(eng, S(10));
	ck_assert_uint_gt(failed_allocs, 0);
	r = find(EVL_REC_REJECTED, "b1");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->status, "refused");
	ck_assert_str_eq(r->reason, "no_memory");
	ck_assert_ptr_null(find(EVL_REC_ACTION, "b1"));
	ck_assert_int_eq(channel(), 36);
	ck_assert_uint_eq(evl_sim_calls(sim), 0);
	ck_assert_uint_eq(evl_engine_tokens(eng, &ti, 1), 0);

	/* memory back: the same event acts and its record names its token */
	fail = false;
	submit("b2", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, 36, S(11));
	evl_engine_tick(eng, S(11));
	r = find(EVL_REC_ACTION, "b2");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->status, "success");
	ck_assert_int_ne(channel(), 36);
	ck_assert_uint_eq(evl_engine_tokens(eng, &ti, 1), 1);
	ck_assert_str_eq(r->token, ti.id);
	stop();
}
END_TEST

/* A radar move cannot wait for memory: it happens, and its records say what is missing. */
START_TEST(radar_moves_without_memory)
{
	struct evl_token_info ti;
	struct evl_nop_info ni;
	const struct rec *r;

	start(52);
	fail = true;
	submit("r1", EVL_EV_DFS_RADAR, EVL_SEV_CRITICAL, 52, S(1));
	evl_engine_tick(eng, S(1));
	ck_assert_int_ne(channel(), 52);
	r = find(EVL_REC_ACTION, "r1");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->status, "success");
	ck_assert_str_eq(r->reason, "no_memory"); /* no rollback token */
	ck_assert_str_eq(r->token, "");
	ck_assert_ptr_null(find(EVL_REC_TOKEN_CREATED, "r1"));
	ck_assert_uint_eq(evl_engine_tokens(eng, &ti, 1), 0);
	/* the non-occupancy entry could not be kept: on record, not silently gone */
	r = find(EVL_REC_NOTE, "r1");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->status, "failed");
	ck_assert_str_eq(r->reason, "nop_not_kept");
	ck_assert_uint_eq(evl_engine_nop(eng, &ni, 1), 0);
	stop();

	/* the same radar with memory: token and NOP entry, no note */
	start(52);
	submit("r2", EVL_EV_DFS_RADAR, EVL_SEV_CRITICAL, 52, S(1));
	evl_engine_tick(eng, S(1));
	ck_assert_str_ne(find(EVL_REC_ACTION, "r2")->token, "");
	ck_assert_ptr_null(find(EVL_REC_NOTE, "r2"));
	ck_assert_uint_eq(evl_engine_nop(eng, &ni, 1), 1);
	ck_assert_int_eq(ni.channel, 52);
	stop();
}
END_TEST

/* An event that waits for a rollback in flight is put back, even when nothing can be allocated,
 * and is decided (here: stale, its channel is gone) once the rollback and its cooldown are
 * done. */
START_TEST(requeued_event_survives_allocation_failure)
{
	int moved_to;

	start(36);
	submit("b", EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, 36, S(10));
	evl_engine_tick(eng, S(10));
	moved_to = channel();
	ck_assert_int_ne(moved_to, 36);

	evl_sim_set_pending(sim, true);
	submit("hw", EVL_EV_HW_FAILURE, EVL_SEV_CRITICAL, moved_to, S(30));
	fail = true;
	evl_engine_tick(eng, S(30)); /* rollback issued (pending), "hw" must wait for it */
	fail = false;
	ck_assert_ptr_null(find(EVL_REC_REJECTED, "hw"));
	ck_assert_ptr_null(find(EVL_REC_ACTION, "hw"));
	evl_sim_complete(sim, "a", true);
	ck_assert_int_eq(evl_engine_confirm(eng, "a", true, S(31)), 0);
	ck_assert_int_eq(channel(), 36);
	evl_engine_tick(eng, S(31));
	ck_assert_ptr_null(find(EVL_REC_REJECTED, "hw")); /* the rollback's cooldown */
	evl_engine_tick(eng, S(41));
	ck_assert_str_eq(find(EVL_REC_REJECTED, "hw")->reason, "stale");
	stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("engine_fault");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, action_refused_without_token_memory);
	tcase_add_test(tc, radar_moves_without_memory);
	tcase_add_test(tc, requeued_event_survives_allocation_failure);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
