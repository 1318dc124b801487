// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware restarts. A driver's restart (mac80211 ieee80211_restart_hw: firmware crash, watchdog
 * reset) is its own recovery: recorded and watched, not acted on. Failover only when the radio
 * does not come back, restarts in a loop or is gone: its stations are asked to move to a sibling
 * AP of the same SSID (802.11v BTM), the AP is stopped and brought back with back-off.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "engine_int.h"

#define NS_PER_MS 1000000ULL
#define NS_PER_S  1000000000ULL

/* Neighbor Report BSSID Information: AP reachable (0b11), same security as this BSS. */
#define BSSID_INFO 0x0007

static const char *const phase_names[EVL_HW_PHASE_MAX] = {"idle", "watch", "steer", "down"};
static const char *const fact_names[EVL_HW_FACT_MAX] = {"restart", "up", "gone", "back"};

const char *evl_hw_phase_name(enum evl_hw_phase p)
{
	return (unsigned int)p < EVL_HW_PHASE_MAX ? phase_names[p] : "unknown";
}

int evl_hw_fact_parse(const char *s, enum evl_hw_fact *out)
{
	for (int i = 0; s && i < EVL_HW_FACT_MAX; i++)
		if (!strcmp(s, fact_names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

/* One audit note about the watch of @a (@metric: a count worth proving, or NULL). */
static void note(struct evl_engine *e, const struct ap *a, const char *type, const char *status,
		 const char *reason, const char *source, const char *metric, double value,
		 uint64_t now)
{
	struct evl_record r = {
		.kind = EVL_REC_NOTE,
		.mono_ns = now,
		.event_type = type,
		.ap = a->id,
		.radio = evl_chan_band_name(a->conf.band),
		.status = status,
		.reason = reason,
		.source = source,
		.detect_to_action_us = -1,
		.metric = metric,
		.metric_observed = value,
	};

	evl_engine_emit(e, &r);
}

static uint64_t backoff_ns(const struct evl_engine *e, unsigned int attempt)
{
	unsigned int n = e->cfg.n_hw_backoff;

	if (!n) /* the config always has one; a hand-made one without: a minute */
		return 60 * NS_PER_S;
	return (uint64_t)e->cfg.hw_backoff_s[attempt < n ? attempt : n - 1] * NS_PER_S;
}

/* SSID/BSSID of @a: fresh from the back end when it answers, else the last known one. */
static bool bss_of(struct evl_engine *e, struct ap *a)
{
	struct evl_ap_bss b;

	if (e->act.ops->get_bss && !e->act.ops->get_bss(e->act.ctx, a->id, &b) && b.ssid[0] &&
	    memchr(b.ssid, 0, sizeof(b.ssid)) && memchr(b.bssid, 0, sizeof(b.bssid))) {
		a->hw.bss = b;
		a->hw.has_bss = true;
	}
	return a->hw.has_bss;
}

/* The up sibling of the same SSID with the fewest clients, NULL when there is none. */
static struct ap *sibling(struct evl_engine *e, struct ap *a)
{
	struct ap *best = NULL;

	for (size_t i = 0; i < e->n_aps; i++) {
		struct ap *b = &e->aps[i];

		if (b == a || b->hw.phase != EVL_HW_IDLE || b->hw.gone ||
		    b->conf.state != EVL_AP_UP || !bss_of(e, b) || !b->hw.bss.bssid[0] ||
		    strcmp(b->hw.bss.ssid, a->hw.bss.ssid))
			continue;
		if (!best || (b->has_metrics ? b->last.clients : 0) <
				     (best->has_metrics ? best->last.clients : 0))
			best = b;
	}
	return best;
}

static int phy_type(enum evl_band band)
{
	return band == EVL_BAND_2G ? 7 : band == EVL_BAND_5G ? 9 : 14; /* HT, VHT, HE */
}

/* Ask @a's stations to move to a sibling; true when the request went out. */
static bool steer(struct evl_engine *e, struct ap *a, uint64_t now)
{
	struct evl_bss_target t = {.bssid_info = BSSID_INFO};
	struct ap *to;
	int rc;

	if (a->hw.gone) { /* nobody is left on it to ask */
		note(e, a, "bss_transition", "skipped", "radio_gone", "engine", NULL, 0, now);
		return false;
	}
	if (!bss_of(e, a)) {
		note(e, a, "bss_transition", "skipped", "ssid_unknown", "engine", NULL, 0, now);
		return false;
	}
	to = sibling(e, a);
	if (!to) {
		note(e, a, "bss_transition", "skipped", "no_sibling", "engine", NULL, 0, now);
		return false;
	}
	if (!e->act.ops->bss_transition) {
		note(e, a, "bss_transition", "skipped", "not_supported", "engine", NULL, 0, now);
		return false;
	}
	snprintf(t.bssid, sizeof(t.bssid), "%s", to->hw.bss.bssid);
	t.op_class = evl_chan_op_class(to->conf.band, to->conf.channel);
	t.channel = to->conf.channel;
	t.phy_type = phy_type(to->conf.band);
	t.disassoc_timer = (int)((uint64_t)e->cfg.hw_steer_ms * 10 / 1024); /* 102.4 ms TBTTs */
	rc = e->act.ops->bss_transition(e->act.ctx, a->id, &t);
	note(e, a, "bss_transition", rc < 0 ? "failed" : "success",
	     rc < 0 ? "btm_failed" : "btm_to_sibling", "engine", NULL, 0, now);
	return rc >= 0;
}

/* Stop the failed AP now (after the steering grace): the failover's DOWN phase begins. */
static void stop(struct evl_engine *e, struct ap *a, uint64_t now)
{
	struct hw *h = &a->hw;

	h->phase = EVL_HW_DOWN;
	h->next = 0;
	if (evl_engine_hw_issue(e, a, EVL_AP_DISABLED, h->reason, h->event_id, now) == -EBUSY) {
		h->phase = EVL_HW_STEER; /* an action of ours is in flight: right after it */
		h->next = now ? now : 1;
	}
}

static void failover(struct evl_engine *e, struct ap *a, const char *reason, const char *source,
		     const char *event_id, uint64_t now)
{
	struct hw *h = &a->hw;

	note(e, a, "hw_failure", "failover", reason, source, "restarts_in_window", h->n_restarts,
	     now);
	h->attempts = 0;
	h->reason = reason;
	snprintf(h->event_id, sizeof(h->event_id), "%s", event_id ? event_id : "");
	if (e->cfg.matrix[EVL_EV_HW_FAILURE].action != EVL_ACTION_FAILOVER) {
		/* the operator mapped hw_failure to something else: the matrix decides */
		struct evl_event ev = {.type = EVL_EV_HW_FAILURE,
				       .severity = EVL_SEV_CRITICAL,
				       .radio = a->conf.band,
				       .ts_ns = now,
				       .detect_ns = now,
				       .confidence = 1,
				       .source = "engine"};

		snprintf(ev.id, sizeof(ev.id), "hw-%" PRIu64, ++e->fact_seq);
		snprintf(ev.ap, sizeof(ev.ap), "%s", a->id);
		h->phase = EVL_HW_IDLE;
		h->next = 0;
		evl_engine_submit(e, &ev, now);
		return;
	}
	h->phase = EVL_HW_STEER;
	if (steer(e, a, now) && e->cfg.hw_steer_ms)
		h->next = now + (uint64_t)e->cfg.hw_steer_ms * NS_PER_MS;
	else
		stop(e, a, now); /* nobody to wait for */
}

static void end(struct evl_engine *e, struct ap *a, const char *reason, const char *source,
		uint64_t now)
{
	struct hw *h = &a->hw;

	note(e, a, "hw_failure", "ended", reason, source, "attempts", h->attempts, now);
	h->phase = EVL_HW_IDLE;
	h->next = 0;
	h->n_restarts = 0; /* a fresh start: the loop is judged anew */
	h->gone = false;
}

static void restart(struct evl_engine *e, struct ap *a, const char *source, uint64_t now)
{
	struct hw *h = &a->hw;
	uint64_t win = (uint64_t)e->cfg.hw_restart_window_s * NS_PER_S;
	unsigned int k = 0;
	bool busy = h->phase == EVL_HW_STEER || h->phase == EVL_HW_DOWN;

	for (unsigned int i = 0; i < h->n_restarts; i++)
		if (now - h->restarts[i] < win)
			h->restarts[k++] = h->restarts[i];
	h->n_restarts = k;
	if (h->n_restarts == EVL_HW_RESTART_MAX) {
		memmove(h->restarts, h->restarts + 1, (EVL_HW_RESTART_MAX - 1) * sizeof(uint64_t));
		h->n_restarts--;
	}
	h->restarts[h->n_restarts++] = now;
	h->total++;
	note(e, a, "hw_restart", busy ? "recorded" : "watching", "restart", source,
	     "restarts_in_window", h->n_restarts, now);
	if (busy)
		return; /* a failover runs already */
	if (h->n_restarts >= e->cfg.hw_restart_max) {
		failover(e, a, "crash_loop", source, NULL, now);
		return;
	}
	h->phase = EVL_HW_WATCH;
	h->next = now + (uint64_t)e->cfg.hw_recover_s * NS_PER_S;
}

int evl_engine_hw_fact(struct evl_engine *e, const char *ap, enum evl_hw_fact fact,
		       const char *source, uint64_t now)
{
	struct ap *a = evl_engine_find_ap(e, ap);
	struct hw *h;

	if (!a)
		return -ENOENT;
	if ((unsigned int)fact >= EVL_HW_FACT_MAX)
		return -EINVAL;
	h = &a->hw;
	switch (fact) {
	case EVL_HW_RESTART:
		restart(e, a, source, now);
		break;
	case EVL_HW_UP:
		if (h->phase == EVL_HW_WATCH) {
			note(e, a, "hw_restart", "recovered", "beaconing", source, NULL, 0, now);
			h->phase = EVL_HW_IDLE;
			h->next = 0;
		} else if (h->phase == EVL_HW_DOWN && !a->op.active && !h->gone) {
			a->conf.state = EVL_AP_UP; /* brought up outside the back-off */
			e->arm_dirty = true;
			end(e, a, "back", source, now);
		}
		break;
	case EVL_HW_GONE:
		if (h->gone)
			break;
		h->gone = true;
		if (h->phase == EVL_HW_IDLE || h->phase == EVL_HW_WATCH)
			failover(e, a, "radio_gone", source, NULL, now);
		else
			note(e, a, "hw_failure", "recorded", "radio_gone", source, NULL, 0, now);
		break;
	case EVL_HW_BACK:
		if (!h->gone)
			break;
		h->gone = false;
		note(e, a, "hw_failure", "recorded", "radio_back", source, NULL, 0, now);
		if (h->phase == EVL_HW_DOWN && !a->op.active)
			h->next = now ? now : 1; /* try at once rather than after the wait */
		break;
	default:
		break;
	}
	return 0;
}

bool evl_hw_intercept(struct evl_engine *e, struct ap *a, const struct evl_event *ev, uint64_t now)
{
	if (a->hw.phase != EVL_HW_STEER && a->hw.phase != EVL_HW_DOWN)
		failover(e, a, "event", ev->source, ev->id, now);
	return true; /* a running failover absorbs it */
}

void evl_hw_attempt_done(struct evl_engine *e, struct ap *a, int err, uint64_t now)
{
	struct hw *h = &a->hw;

	if (h->phase != EVL_HW_DOWN)
		return;
	if (a->op.next.state == EVL_AP_DISABLED) { /* the stop: the first wait starts */
		h->next = now + backoff_ns(e, 0);
		return;
	}
	h->attempts++;
	if (!err)
		end(e, a, "back", "engine", now);
	else
		h->next = now + backoff_ns(e, h->attempts);
}

void evl_hw_tick(struct evl_engine *e, uint64_t now)
{
	for (size_t i = 0; i < e->n_aps; i++) {
		struct ap *a = &e->aps[i];
		struct hw *h = &a->hw;

		if (!h->next || now < h->next)
			continue;
		switch (h->phase) {
		case EVL_HW_WATCH:
			failover(e, a, "not_recovered", "engine", NULL, now);
			break;
		case EVL_HW_STEER:
			stop(e, a, now);
			break;
		case EVL_HW_DOWN:
			h->next = 0;
			if (evl_engine_hw_issue(e, a, EVL_AP_UP, "backoff_retry", NULL, now) ==
			    -EBUSY)
				h->next = now + NS_PER_S;
			break;
		default:
			h->next = 0;
			break;
		}
	}
}

uint64_t evl_hw_next_deadline(const struct evl_engine *e)
{
	uint64_t d = UINT64_MAX;

	for (size_t i = 0; i < e->n_aps; i++)
		if (e->aps[i].hw.next && e->aps[i].hw.next < d)
			d = e->aps[i].hw.next;
	return d;
}

static const char *const reasons[] = {"crash_loop", "not_recovered", "radio_gone", "event"};

struct json_object *evl_hw_save(const struct evl_engine *e)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < e->n_aps; i++) {
		const struct hw *h = &e->aps[i].hw;
		json_object *o;

		if (h->phase != EVL_HW_STEER && h->phase != EVL_HW_DOWN)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "ap", json_object_new_string(e->aps[i].id));
		json_object_object_add(o, "phase", json_object_new_string(phase_names[h->phase]));
		json_object_object_add(o, "reason", json_object_new_string(h->reason));
		json_object_object_add(o, "attempts", json_object_new_int((int)h->attempts));
		json_object_object_add(o, "next_ns", json_object_new_int64((int64_t)h->next));
		json_object_object_add(o, "gone", json_object_new_boolean(h->gone));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* One saved failover: 0 and its fields, or -EINVAL. */
static int hw_entry(json_object *o, const char **ap, enum evl_hw_phase *ph, const char **why,
		    int *attempts, int64_t *next, bool *gone)
{
	json_object *x;
	const char *s;

	*ap = NULL;
	if (!json_object_is_type(o, json_type_object))
		return -EINVAL;
	if (json_object_object_get_ex(o, "ap", &x) && json_object_is_type(x, json_type_string))
		*ap = json_object_get_string(x);
	if (!*ap || !json_object_object_get_ex(o, "phase", &x) ||
	    !json_object_is_type(x, json_type_string))
		return -EINVAL;
	s = json_object_get_string(x);
	*ph = !strcmp(s, "steer") ? EVL_HW_STEER : !strcmp(s, "down") ? EVL_HW_DOWN : EVL_HW_IDLE;
	*why = NULL;
	if (json_object_object_get_ex(o, "reason", &x) && json_object_is_type(x, json_type_string))
		for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
			if (!strcmp(json_object_get_string(x), reasons[i]))
				*why = reasons[i];
	if (*ph == EVL_HW_IDLE || !*why || !json_object_object_get_ex(o, "attempts", &x) ||
	    !json_object_is_type(x, json_type_int) || (*attempts = json_object_get_int(x)) < 0 ||
	    !json_object_object_get_ex(o, "next_ns", &x) ||
	    !json_object_is_type(x, json_type_int) || (*next = json_object_get_int64(x)) < 0 ||
	    !json_object_object_get_ex(o, "gone", &x) || !json_object_is_type(x, json_type_boolean))
		return -EINVAL;
	*gone = json_object_get_boolean(x);
	return 0;
}

int evl_hw_load(struct evl_engine *e, struct json_object *root, bool apply)
{
	json_object *arr;
	int skipped = 0;

	if (!json_object_object_get_ex(root, "failovers", &arr))
		return 0; /* a state file from before failovers were kept */
	if (!json_object_is_type(arr, json_type_array))
		return -EINVAL;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *id, *why;
		enum evl_hw_phase ph;
		int attempts;
		int64_t next;
		bool gone;
		struct ap *a;

		if (hw_entry(json_object_array_get_idx(arr, i), &id, &ph, &why, &attempts, &next,
			     &gone))
			return -EINVAL;
		a = evl_engine_find_ap(e, id);
		skipped += !a;
		if (!apply || !a)
			continue;
		a->hw.phase = ph;
		a->hw.reason = why;
		a->hw.attempts = (unsigned int)attempts;
		a->hw.next = next ? (uint64_t)next : 1; /* a pending attempt: try again */
		a->hw.gone = gone;
	}
	return skipped;
}
