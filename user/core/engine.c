// SPDX-License-Identifier: GPL-2.0
/*
 * Decision core: gates, priority queue, actions through the actuator, rollback tokens with
 * post-action monitoring, NOP list, statistics. See include/evl/engine.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_int.h"

#define NS 1000000000ULL

uint64_t evl_rng_next(uint64_t *s) /* splitmix64 */
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct evl_engine *evl_engine_new(const struct evl_core_config *cfg, struct evl_actuator act,
				  struct evl_record_sink sink, uint64_t seed)
{
	struct evl_engine *e;

	if (!cfg || !act.ops) {
		errno = EINVAL;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->cfg = *cfg;
	e->act = act;
	e->sink = sink;
	e->rng = seed;
	e->rng_tok = seed ^ 0x5ca1ab1e0ddba11ULL;
	return e;
}

void evl_engine_free(struct evl_engine *e)
{
	if (!e)
		return;
	free(e->aps);
	free(e->q);
	free(e->tok);
	free(e->nop);
	free(e);
}

void evl_engine_set_config(struct evl_engine *e, const struct evl_core_config *cfg)
{
	int64_t base = e->cfg.unix_base_s;

	e->cfg = *cfg;
	e->cfg.unix_base_s = base; /* token names stay on the clock they started on */
	evl_engine_rearm(e, NULL); /* the plan, weights and margin may differ */
}

struct ap *evl_engine_find_ap(const struct evl_engine *e, const char *id)
{
	for (size_t i = 0; id && i < e->n_aps; i++)
		if (!strcmp(e->aps[i].id, id))
			return &e->aps[i];
	return NULL;
}

int evl_engine_add_ap(struct evl_engine *e, const char *id, const struct evl_ap_conf *conf)
{
	struct ap *a;

	if (!id || !*id || strlen(id) >= EVL_ID_LEN || !conf ||
	    evl_chan_to_freq(conf->band, conf->channel) < 0 ||
	    (conf->bandwidth != 20 && conf->bandwidth != 40 && conf->bandwidth != 80 &&
	     conf->bandwidth != 160))
		return -EINVAL;
	if (evl_engine_find_ap(e, id))
		return -EEXIST;
	a = realloc(e->aps, (e->n_aps + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	e->aps = a;
	a = &e->aps[e->n_aps++];
	memset(a, 0, sizeof(*a));
	strcpy(a->id, id);
	a->conf = *conf;
	e->arm_dirty = true;
	for (int c = 0; c < EVL_CHAN_MAX; c++)
		a->rep[c].client_support = 1.0;
	a->n_armed = -1;
	a->rep_until = UINT64_MAX;
	evl_plan_init(a);
	return 0;
}

/* ---- records --------------------------------------------------------------------------- */

static void emit(struct evl_engine *e, struct evl_record *r)
{
	if (!e->sink.record)
		return;
	e->audit_down = e->sink.record(e->sink.ctx, r) < 0;
}

static void add_changes(struct evl_record *r, const struct evl_ap_conf *a,
			const struct evl_ap_conf *b)
{
	const struct {
		const char *p;
		int x, y;
	} f[] = {
		{"channel", a->channel, b->channel},	{"bandwidth", a->bandwidth, b->bandwidth},
		{"tx_power", a->tx_power, b->tx_power}, {"obss_pd", a->obss_pd, b->obss_pd},
		{"max_sta", a->max_sta, b->max_sta},	{"state", a->state, b->state},
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]) && r->n_changes < EVL_REC_MAX_CHANGES; i++)
		if (f[i].x != f[i].y)
			r->changes[r->n_changes++] = (struct evl_change){f[i].p, f[i].x, f[i].y};
}

static void reject(struct evl_engine *e, const struct evl_event *ev, const char *reason,
		   uint64_t now)
{
	struct evl_record r = {
		.kind = EVL_REC_REJECTED,
		.mono_ns = now,
		.event_id = ev->id,
		.event_type = evl_event_type_name(ev->type),
		.ap = ev->ap,
		.radio = evl_chan_band_name(ev->radio),
		.status = "refused",
		.reason = reason,
		.source = ev->source,
		.detect_to_action_us = -1,
	};

	e->st.events_processed++;
	e->st.events_rejected++;
	emit(e, &r);
}

/* ---- tokens ---------------------------------------------------------------------------- */

static void token_drop(struct evl_engine *e, size_t i)
{
	memmove(&e->tok[i], &e->tok[i + 1], (e->ntok - i - 1) * sizeof(e->tok[0]));
	e->ntok--;
}

/* The audit record of something that happened to token @t (created, expired, refused). */
static struct evl_record token_record(const struct evl_engine *e, const struct token *t,
				      enum evl_rec_kind kind, const char *status, uint64_t now)
{
	const struct ap *a = &e->aps[t->ap];

	return (struct evl_record){
		.kind = kind,
		.mono_ns = now,
		.event_id = t->event_id,
		.event_type = evl_event_type_name(t->etype),
		.ap = a->id,
		.radio = evl_chan_band_name(a->conf.band),
		.action_type = evl_action_name(t->action),
		.token = t->id,
		.status = status,
		.detect_to_action_us = -1,
	};
}

static void token_expire(struct evl_engine *e, size_t i, const char *reason, uint64_t now)
{
	struct evl_record r = token_record(e, &e->tok[i], EVL_REC_TOKEN_EXPIRED, "expired", now);

	r.reason = reason;
	emit(e, &r);
	token_drop(e, i);
}

/* Room for one more token per action in flight plus this one: reserved before the radio is
 * touched, so an action that succeeds always gets its token. 0 or -ENOMEM. */
static int token_reserve(struct evl_engine *e)
{
	size_t need = e->ntok + 1;
	struct token *t;

	for (size_t i = 0; i < e->n_aps; i++)
		need += e->aps[i].op.active && !e->aps[i].op.rollback &&
			e->aps[i].op.action != EVL_ACTION_FAILOVER;
	if (need <= e->tok_cap)
		return 0;
	t = evl_core_realloc(e->tok, need * sizeof(*t));
	if (!t)
		return -ENOMEM;
	e->tok = t;
	e->tok_cap = need;
	return 0;
}

/* 0 with the new token last in e->tok, or -ENOMEM (only when nothing was reserved). */
static int token_create(struct evl_engine *e, struct ap *a, const struct op *op, uint64_t now)
{
	const struct evl_matrix_entry *m = &e->cfg.matrix[op->ev.type];
	struct token *t;
	uint64_t window;
	struct evl_record r;

	/* a newer action on the same parameter makes the older token meaningless */
	for (size_t i = e->ntok; i-- > 0;)
		if (e->tok[i].ap == ap_idx(e, a) && e->tok[i].action == op->action)
			token_expire(e, i, "superseded", now);
	if (e->ntok == e->tok_cap) {
		t = evl_core_realloc(e->tok, (e->ntok + 1) * sizeof(*t));
		if (!t)
			return -ENOMEM;
		e->tok = t;
		e->tok_cap = e->ntok + 1;
	}
	t = &e->tok[e->ntok++];
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "evl-%" PRId64 "-%08" PRIx32,
		 e->cfg.unix_base_s + (int64_t)(now / NS), (uint32_t)evl_rng_next(&e->rng_tok));
	t->ap = ap_idx(e, a);
	snprintf(t->event_id, sizeof(t->event_id), "%s", op->ev.id);
	t->etype = op->ev.type;
	t->action = op->action;
	t->prev = op->prev;
	t->next = op->next;
	t->created = now;
	window = m->window_s				      ? m->window_s
		 : op->action == EVL_ACTION_ADMISSION_CONTROL ? e->cfg.density_hold_s
							      : 0;
	t->expires = now + window * NS;
	t->monitor_until = now + (uint64_t)e->cfg.monitor_s * NS;
	if (t->monitor_until > t->expires)
		t->monitor_until = t->expires;
	t->monitoring = t->monitor_until > now;
	t->has_baseline = op->has_baseline;
	t->baseline = op->baseline;

	e->st.tokens_created++;
	r = token_record(e, t, EVL_REC_TOKEN_CREATED, "success", now);
	r.source = op->ev.source;
	add_changes(&r, &t->prev, &t->next);
	emit(e, &r);
	return 0;
}

static struct token *token_find(struct evl_engine *e, const char *id, size_t *idx)
{
	for (size_t i = 0; id && i < e->ntok; i++)
		if (!strcmp(e->tok[i].id, id)) {
			*idx = i;
			return &e->tok[i];
		}
	return NULL;
}

/* ---- actuator operations --------------------------------------------------------------- */

/* Drive the radio from @cur to @next: one call per differing parameter. */
static int actuate(struct evl_engine *e, struct ap *a, const struct evl_ap_conf *cur,
		   const struct evl_ap_conf *next, bool radar)
{
	const struct evl_act_ops *o = e->act.ops;
	int rc, pending = 0;

	if (next->channel != cur->channel || next->bandwidth != cur->bandwidth) {
		struct evl_chandef cd;

		if (evl_chan_chandef_any(next->band, next->channel, next->bandwidth, &cd))
			return -EINVAL;
		if (!o->switch_channel)
			return -EOPNOTSUPP;
		if ((rc = o->switch_channel(e->act.ctx, a->id, &cd, radar)) < 0)
			return rc;
		pending |= rc == EVL_ACT_PENDING;
	}
#define SET(field, fn)                                                \
	if (next->field != cur->field) {                              \
		if (!o->fn)                                           \
			return -EOPNOTSUPP;                           \
		if ((rc = o->fn(e->act.ctx, a->id, next->field)) < 0) \
			return rc;                                    \
		pending |= rc == EVL_ACT_PENDING;                     \
	}
	SET(tx_power, set_tx_power)
	SET(obss_pd, set_obss_pd)
	SET(max_sta, set_max_sta)
	SET(state, set_state)
#undef SET
	return pending ? EVL_ACT_PENDING : 0;
}

/* After a failure the engine believes the radio, not its plan. */
static void refresh_conf(struct evl_engine *e, struct ap *a)
{
	struct evl_ap_conf c;

	if (e->act.ops->get_conf && !e->act.ops->get_conf(e->act.ctx, a->id, &c)) {
		a->conf = c;
		e->arm_dirty = true;
	}
}

static const char *err_reason(int err)
{
	switch (err) {
	case -ETIMEDOUT:
		return "timeout";
	case -ECANCELED:
		return "superseded";
	case -EOPNOTSUPP:
		return "not_supported";
	case -EBUSY:
		return "busy";
	case -ENODEV:
		return "no_device";
	default:
		return "actuator_error";
	}
}

static void finish(struct evl_engine *e, struct ap *a, int err, uint64_t now)
{
	struct op *op = &a->op;
	bool radar = !op->rollback && op->ev.type == EVL_EV_DFS_RADAR;
	struct evl_record r = {
		.mono_ns = now,
		.ap = a->id,
		.radio = evl_chan_band_name(a->conf.band),
		.action_type = evl_action_name(op->action),
		.status = err ? "failed" : "success",
		.reason = err ? err_reason(err) : op->reason,
		.detect_to_action_us = -1,
		.score = op->scored ? &op->chosen : NULL,
		.runner_up = op->scored && op->runner_up.width ? &op->runner_up : NULL,
	};

	op->active = false;
	if (err)
		refresh_conf(e, a);
	else
		a->conf = op->next;
	e->arm_dirty = true;
	add_changes(&r, &op->prev, &op->next);

	if (op->rollback) {
		size_t i;
		struct token *t = token_find(e, op->token, &i);

		r.kind = EVL_REC_ROLLBACK;
		r.token = op->token;
		r.status = err ? "failed" : "rolled_back";
		r.metric = op->metric;
		r.metric_baseline = op->base;
		r.metric_observed = op->obs;
		r.source = "engine";
		if (!err && strcmp(op->reason, "spike_ended") &&
		    strcmp(op->reason, "spike_timeout")) {
			e->st.rollbacks_triggered++;
			if (op->automatic)
				e->st.rollbacks_automatic++;
			else
				e->st.rollbacks_manual++;
		}
		if (t && !err)
			token_drop(e, i);
		else if (t)
			t->monitoring = false; /* do not retry on every sample */
		emit(e, &r);
		return;
	}

	r.kind = EVL_REC_ACTION;
	r.event_id = op->ev.id;
	r.event_type = evl_event_type_name(op->ev.type);
	r.source = op->ev.source;
	if (op->ev.detect_ns && op->issued_ns >= op->ev.detect_ns)
		r.detect_to_action_us = (int64_t)((op->issued_ns - op->ev.detect_ns) / 1000);
	if (radar) {
		r.radar_ns = op->ev.detect_ns ? op->ev.detect_ns : op->ev.ts_ns;
		r.switch_issued_ns = op->issued_ns;
		r.switch_confirmed_ns = err ? 0 : now;
	}
	if (err) {
		e->st.actions_failed++;
		emit(e, &r);
		if (op->hw)
			evl_hw_attempt_done(e, a, err, now);
		return;
	}
	e->st.actions_executed++;
	/* Only a radar move goes ahead without a reserved token: it says it has none. */
	if (op->action != EVL_ACTION_FAILOVER) {
		if (token_create(e, a, op, now))
			r.reason = "no_memory";
		else
			r.token = e->tok[e->ntok - 1].id;
	}
	emit(e, &r);
	if (op->hw)
		evl_hw_attempt_done(e, a, 0, now);
}

/* Issue an operation prepared in a->op; completes now unless the actuator answers pending. */
static int issue(struct evl_engine *e, struct ap *a, uint64_t now)
{
	struct op *op = &a->op;
	bool radar = !op->rollback && op->ev.type == EVL_EV_DFS_RADAR;
	int rc;

	op->issued_ns = now;
	op->deadline_ns = now + (uint64_t)e->cfg.confirm_timeout_ms * 1000000ULL;
	op->has_baseline = a->has_metrics;
	op->baseline = a->last;
	a->cooldown_until = now + (uint64_t)e->cfg.cooldown_s * NS;
	rc = actuate(e, a, &op->prev, &op->next, radar);
	op->active = true;
	if (rc == EVL_ACT_PENDING)
		return 0;
	finish(e, a, rc < 0 ? rc : 0, now);
	return rc < 0 ? rc : 0;
}

void evl_engine_emit(struct evl_engine *e, struct evl_record *r)
{
	emit(e, r);
}

int evl_engine_hw_issue(struct evl_engine *e, struct ap *a, enum evl_ap_state st,
			const char *reason, const char *event_id, uint64_t now)
{
	struct op *op = &a->op;

	if (op->active)
		return -EBUSY;
	memset(op, 0, sizeof(*op));
	op->ev = (struct evl_event){.type = EVL_EV_HW_FAILURE,
				    .severity = EVL_SEV_CRITICAL,
				    .source = "engine",
				    .ts_ns = now,
				    .confidence = 1};
	if (event_id && *event_id)
		snprintf(op->ev.id, sizeof(op->ev.id), "%s", event_id);
	else
		snprintf(op->ev.id, sizeof(op->ev.id), "hw-%" PRIu64, ++e->fact_seq);
	snprintf(op->ev.ap, sizeof(op->ev.ap), "%s", a->id);
	op->action = EVL_ACTION_FAILOVER;
	op->ev.radio = a->conf.band;
	op->prev = a->conf;
	op->next = a->conf;
	op->prev.state = st == EVL_AP_UP ? EVL_AP_DISABLED : EVL_AP_UP; /* always sent */
	op->next.state = st;
	op->reason = reason;
	op->hw = true;
	return issue(e, a, now);
}

/* Roll token @i back (manual or automatic). 0, -EBUSY (refused or op in flight), -errno. */
static int rollback(struct evl_engine *e, size_t i, bool automatic, const char *reason,
		    const char *metric, double base, double obs, uint64_t now)
{
	struct token *t = &e->tok[i];
	struct ap *a = &e->aps[t->ap];
	struct op *op = &a->op;

	if (op->active)
		return -EBUSY;
	if (t->action == EVL_ACTION_CHANNEL_CHANGE && evl_block_in_nop(e, t->ap, &t->prev)) {
		struct evl_record r = token_record(e, t, EVL_REC_ROLLBACK_REFUSED, "refused", now);

		r.reason = "nop_active";
		r.source = "engine";
		r.metric = metric;
		r.metric_baseline = base;
		r.metric_observed = obs;

		t->monitoring = false;
		emit(e, &r);
		return -EBUSY;
	}
	memset(op, 0, sizeof(*op));
	op->rollback = true;
	op->automatic = automatic;
	op->action = t->action;
	op->prev = a->conf;
	op->next = a->conf;
	switch (t->action) { /* restore only what the action changed */
	case EVL_ACTION_CHANNEL_CHANGE:
		op->next.channel = t->prev.channel;
		op->next.bandwidth = t->prev.bandwidth;
		break;
	case EVL_ACTION_OBSS_PD_TUNE:
		op->next.obss_pd = t->prev.obss_pd;
		break;
	case EVL_ACTION_ADMISSION_CONTROL:
		op->next.max_sta = t->prev.max_sta;
		break;
	default:
		op->next.state = t->prev.state;
		break;
	}
	snprintf(op->token, sizeof(op->token), "%s", t->id);
	op->reason = reason;
	op->metric = metric;
	op->base = base;
	op->obs = obs;
	return issue(e, a, now);
}

/* ---- events ---------------------------------------------------------------------------- */

int evl_engine_submit(struct evl_engine *e, const struct evl_event *ev, uint64_t now)
{
	struct qev *q;

	if (!ev || (unsigned int)ev->type >= EVL_EV_TYPE_MAX || ev->severity < EVL_SEV_CRITICAL ||
	    ev->severity > EVL_SEV_LOW || !(ev->confidence >= 0 && ev->confidence <= 1) ||
	    !memchr(ev->id, 0, sizeof(ev->id)) || !memchr(ev->ap, 0, sizeof(ev->ap)))
		return -EINVAL;
	if (!evl_engine_find_ap(e, ev->ap)) {
		reject(e, ev, "unknown_ap", now);
		return -ENOENT;
	}
	if (ev->confidence < e->cfg.min_confidence) {
		reject(e, ev, "low_confidence", now);
		return -EACCES;
	}
	if (e->nq >= e->cfg.queue_max) {
		reject(e, ev, "queue_full", now);
		return -ENOSPC;
	}
	q = realloc(e->q, (e->nq + 1) * sizeof(*q));
	if (!q)
		return -ENOMEM;
	e->q = q;
	e->q[e->nq++] = (struct qev){*ev, e->seq++};
	return 0;
}

/* Put back an event run_queue() just took out: its slot is still allocated, so this needs no
 * memory and cannot drop the event. */
static void requeue(struct evl_engine *e, const struct evl_event *ev)
{
	e->q[e->nq++] = (struct qev){*ev, e->seq++};
}

/* Exempt from cooldown: regulatory radar, the end of a density spike, events with no action. */
static bool exempt(const struct evl_engine *e, const struct evl_event *ev)
{
	return ev->type == EVL_EV_DFS_RADAR || (ev->type == EVL_EV_DENSITY_SPIKE && ev->ended) ||
	       e->cfg.matrix[ev->type].action == EVL_ACTION_NONE;
}

static bool runnable(const struct evl_engine *e, const struct evl_event *ev, uint64_t now)
{
	const struct ap *a = evl_engine_find_ap(e, ev->ap);

	if (ev->type == EVL_EV_DFS_RADAR)
		return true;
	return !a->op.active && (exempt(e, ev) || now >= a->cooldown_until);
}

static void end_density(struct evl_engine *e, struct ap *a, uint64_t now)
{
	for (size_t i = e->ntok; i-- > 0;)
		if (e->tok[i].ap == ap_idx(e, a) &&
		    e->tok[i].action == EVL_ACTION_ADMISSION_CONTROL) {
			rollback(e, i, true, "spike_ended", NULL, 0, 0, now);
			return;
		}
}

static void process(struct evl_engine *e, const struct evl_event *ev, uint64_t now)
{
	struct ap *a = evl_engine_find_ap(e, ev->ap);
	size_t ai = ap_idx(e, a);
	bool radar = ev->type == EVL_EV_DFS_RADAR;
	enum evl_action act = e->cfg.matrix[ev->type].action;
	struct op *op = &a->op;
	struct evl_chandef cd;

	if (radar && evl_nop_radar(e, a, ev->channel, now)) {
		/* the move still happens; the lost non-occupancy entry is on record */
		struct evl_record r = {
			.kind = EVL_REC_NOTE,
			.mono_ns = now,
			.event_id = ev->id,
			.event_type = evl_event_type_name(ev->type),
			.ap = a->id,
			.radio = evl_chan_band_name(a->conf.band),
			.status = "failed",
			.reason = "nop_not_kept",
			.source = ev->source,
			.detect_to_action_us = -1,
		};

		emit(e, &r);
	}
	if (radar) {
		if (op->active) /* a radar move cannot wait for an earlier change */
			finish(e, a, -ECANCELED, now);
	}
	/* a critical event on the channel a live action moved to: that move did not help */
	if (ev->severity == EVL_SEV_CRITICAL && ev->channel && !radar)
		for (size_t i = e->ntok; i-- > 0;) {
			struct token *t = &e->tok[i];

			if (t->ap == ai && t->monitoring &&
			    t->action == EVL_ACTION_CHANNEL_CHANGE &&
			    evl_chan_block_contains(t->next.band, t->next.channel,
						    t->next.bandwidth, ev->channel)) {
				rollback(e, i, true, "critical_event", "critical_event", 0,
					 ev->severity, now);
				break;
			}
		}
	if (ev->channel &&
	    !evl_chan_block_contains(a->conf.band, a->conf.channel, a->conf.bandwidth, ev->channel))
		return reject(e, ev, "stale", now);
	if (ev->type == EVL_EV_DENSITY_SPIKE && ev->ended) {
		e->st.events_processed++;
		end_density(e, a, now);
		return;
	}
	if (act == EVL_ACTION_NONE) {
		e->st.events_processed++;
		return;
	}
	if (e->audit_down && !radar)
		return reject(e, ev, "audit_unavailable", now);
	if (op->active) { /* the critical-event rollback is in flight: run after it */
		requeue(e, ev);
		return;
	}
	if (ev->type == EVL_EV_HW_FAILURE && act == EVL_ACTION_FAILOVER &&
	    evl_hw_intercept(e, a, ev, now)) {
		e->st.events_processed++;
		return;
	}

	memset(op, 0, sizeof(*op));
	op->ev = *ev;
	op->action = act;
	op->prev = a->conf;
	op->next = a->conf;
	switch (act) {
	case EVL_ACTION_CHANNEL_CHANGE:
		if (evl_select_channel(e, ai, ev->channel, radar, &cd)) {
			if (!radar)
				return reject(e, ev, "no_channel", now);
			/* nowhere to go: stop transmitting rather than stay on radar */
			op->action = EVL_ACTION_FAILOVER;
			op->next.state = EVL_AP_DISABLED;
			op->reason = "no_channel";
			break;
		}
		op->next.channel = cd.channel;
		op->next.bandwidth = cd.width;
		break;
	case EVL_ACTION_OBSS_PD_TUNE:
		op->next.obss_pd = a->conf.obss_pd ? a->conf.obss_pd + e->cfg.obss_pd_step
						   : e->cfg.obss_pd_start;
		if (op->next.obss_pd > e->cfg.obss_pd_max)
			op->next.obss_pd = e->cfg.obss_pd_max;
		break;
	case EVL_ACTION_ADMISSION_CONTROL:
		op->next.max_sta = e->cfg.density_max_sta;
		break;
	default:
		op->next.state = EVL_AP_DISABLED;
		break;
	}
	if (!memcmp(&op->next, &op->prev, sizeof(op->next)))
		return reject(e, ev, "no_change", now);
	/* refused before the radio is touched, never half done (a radar move goes anyway) */
	if (op->action != EVL_ACTION_FAILOVER && token_reserve(e) && !radar)
		return reject(e, ev, "no_memory", now);
	e->st.events_processed++;
	issue(e, a, now);
}

static void run_queue(struct evl_engine *e, uint64_t now)
{
	for (;;) {
		size_t best = e->nq;
		struct evl_event ev;

		for (size_t i = 0; i < e->nq; i++) {
			const struct qev *q = &e->q[i];

			if (!runnable(e, &q->ev, now))
				continue;
			if (best == e->nq || q->ev.severity < e->q[best].ev.severity ||
			    (q->ev.severity == e->q[best].ev.severity && q->seq < e->q[best].seq))
				best = i;
		}
		if (best == e->nq)
			return;
		ev = e->q[best].ev;
		memmove(&e->q[best], &e->q[best + 1], (e->nq - best - 1) * sizeof(e->q[0]));
		e->nq--;
		process(e, &ev, now);
	}
}

void evl_engine_tick(struct evl_engine *e, uint64_t now)
{
	evl_air_expire(e, now);
	for (size_t i = 0; i < e->n_aps; i++)
		if (e->aps[i].op.active && now >= e->aps[i].op.deadline_ns)
			finish(e, &e->aps[i], -ETIMEDOUT, now);
	for (size_t i = e->nnop; i-- > 0;)
		if (e->nop[i].until <= now) {
			e->nop[i] = e->nop[--e->nnop];
			e->arm_dirty = true;
		}
	for (size_t i = e->ntok; i-- > 0;) {
		struct token *t = &e->tok[i];

		if (t->monitoring && now >= t->monitor_until)
			t->monitoring = false;
		if (now < t->expires)
			continue;
		/* admission control is lifted, not kept, when no spike end arrived */
		if (t->action == EVL_ACTION_ADMISSION_CONTROL) {
			if (e->aps[t->ap].op.active) {
				t->expires = e->aps[t->ap].op.deadline_ns;
				continue;
			}
			if (!rollback(e, i, true, "spike_timeout", NULL, 0, 0, now))
				continue;
			token_expire(e, i, "restore_failed", now);
			continue;
		}
		token_expire(e, i, "window_ended", now);
	}
	evl_hw_tick(e, now);
	run_queue(e, now);
	evl_fallback_sync(e);
}

uint64_t evl_engine_next_deadline(const struct evl_engine *e)
{
	uint64_t d = UINT64_MAX;

#define MIN(x) d = (x) < d ? (x) : d
	for (size_t i = 0; i < e->n_aps; i++)
		if (e->aps[i].op.active)
			MIN(e->aps[i].op.deadline_ns);
	for (size_t i = 0; i < e->nnop; i++)
		MIN(e->nop[i].until);
	MIN(evl_air_deadline(e));
	MIN(evl_hw_next_deadline(e));
	for (size_t i = 0; i < e->ntok; i++) {
		MIN(e->tok[i].expires);
		if (e->tok[i].monitoring)
			MIN(e->tok[i].monitor_until);
	}
	for (size_t i = 0; i < e->nq; i++) {
		const struct ap *a = evl_engine_find_ap(e, e->q[i].ev.ap);

		if (e->q[i].ev.type == EVL_EV_DFS_RADAR)
			MIN(0);
		else if (!a->op.active)
			MIN(exempt(e, &e->q[i].ev) ? 0 : a->cooldown_until);
	}
#undef MIN
	return d;
}

int evl_engine_confirm(struct evl_engine *e, const char *ap, bool ok, uint64_t now)
{
	struct ap *a = evl_engine_find_ap(e, ap);

	if (!a || !a->op.active)
		return -ENOENT;
	finish(e, a, ok ? 0 : -EIO, now);
	evl_fallback_sync(e);
	return 0;
}

int evl_engine_refresh(struct evl_engine *e, const char *ap)
{
	struct ap *a = evl_engine_find_ap(e, ap);
	struct evl_ap_conf c;
	int rc;

	if (!a)
		return -ENOENT;
	if (a->op.active)
		return -EBUSY;
	if (!e->act.ops->get_conf)
		return -EOPNOTSUPP;
	rc = e->act.ops->get_conf(e->act.ctx, a->id, &c);
	if (!rc)
		a->conf = c;
	e->arm_dirty = true;
	evl_fallback_sync(e);
	return rc;
}

/* ---- monitoring ------------------------------------------------------------------------ */

/* Which rule a sample breaks against its baseline; NULL when none. */
static const char *degraded(const struct evl_core_config *c, const struct token *t,
			    const struct evl_metrics *m, const char **metric, double *base,
			    double *obs)
{
	const struct evl_metrics *b = &t->baseline;

	if (t->has_baseline && m->per - b->per > c->per_rise_rel * b->per &&
	    m->per - b->per >= c->per_rise_abs - 1e-12) {
		*metric = "per", *base = b->per, *obs = m->per;
		return "per_rise";
	}
	if (t->has_baseline && m->retry - b->retry > c->retry_rise_rel * b->retry &&
	    m->retry - b->retry >= c->retry_rise_abs - 1e-12) {
		*metric = "retry", *base = b->retry, *obs = m->retry;
		return "retry_rise";
	}
	if (t->has_baseline && b->throughput_mbps >= c->tput_min_mbps && b->throughput_mbps > 0 &&
	    m->throughput_mbps < b->throughput_mbps * (1 - c->tput_drop_rel)) {
		*metric = "throughput_mbps", *base = b->throughput_mbps, *obs = m->throughput_mbps;
		return "throughput_drop";
	}
	if (m->disconnects_per_min > c->disconnects_max) {
		*metric = "disconnects_per_min", *obs = m->disconnects_per_min;
		*base = t->has_baseline ? b->disconnects_per_min : 0;
		return "disconnects";
	}
	return NULL;
}

int evl_engine_metrics(struct evl_engine *e, const char *ap, const struct evl_metrics *m,
		       uint64_t now)
{
	struct ap *a = evl_engine_find_ap(e, ap);

	if (!a)
		return -ENOENT;
	if (!m || !isfinite(m->per) || !isfinite(m->retry) || !isfinite(m->throughput_mbps) ||
	    !isfinite(m->disconnects_per_min) || m->per < 0 || m->retry < 0 ||
	    m->throughput_mbps < 0 || m->disconnects_per_min < 0)
		return -EINVAL;
	for (size_t i = e->ntok; i-- > 0;) { /* newest action first */
		struct token *t = &e->tok[i];
		const char *why, *metric = NULL;
		double base = 0, obs = 0;

		if (t->ap != ap_idx(e, a) || !t->monitoring || now <= t->created ||
		    now >= t->monitor_until)
			continue;
		why = degraded(&e->cfg, t, m, &metric, &base, &obs);
		t->bad = why ? t->bad + 1 : 0;
		if (why && t->bad >= e->cfg.rollback_samples) {
			rollback(e, i, true, why, metric, base, obs, now);
			break;
		}
	}
	a->last = *m;
	a->has_metrics = true;
	return 0;
}

int evl_engine_rollback_token(struct evl_engine *e, const char *token, uint64_t now)
{
	size_t i;

	if (!token_find(e, token, &i))
		return -ENOENT;
	return rollback(e, i, false, "manual", NULL, 0, 0, now);
}

int evl_engine_rollback_ap(struct evl_engine *e, const char *ap, uint64_t now)
{
	struct ap *a = evl_engine_find_ap(e, ap);

	if (!a)
		return -ENOENT;
	for (size_t i = e->ntok; i-- > 0;)
		if (e->tok[i].ap == ap_idx(e, a))
			return rollback(e, i, false, "manual", NULL, 0, 0, now);
	return -ENOENT;
}
