// SPDX-License-Identifier: GPL-2.0
/* What the engine tells its callers: statistics, tokens, NOP list, APs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_int.h"

void evl_engine_stats(const struct evl_engine *e, struct evl_stats *out)
{
	*out = e->st;
	out->pending_events = e->nq;
	out->tokens_active = e->ntok;
	out->active_monitoring = 0;
	for (size_t i = 0; i < e->ntok; i++)
		out->active_monitoring += e->tok[i].monitoring;
}

size_t evl_engine_tokens(const struct evl_engine *e, struct evl_token_info *out, size_t max)
{
	for (size_t i = 0; i < e->ntok && i < max; i++) {
		const struct token *t = &e->tok[i];
		struct evl_token_info *o = &out[i];

		memset(o, 0, sizeof(*o));
		snprintf(o->id, sizeof(o->id), "%s", t->id);
		snprintf(o->ap, sizeof(o->ap), "%s", e->aps[t->ap].id);
		snprintf(o->event_id, sizeof(o->event_id), "%s", t->event_id);
		o->event_type = t->etype;
		o->action = t->action;
		o->prev = t->prev;
		o->next = t->next;
		o->created_ns = t->created;
		o->monitor_until_ns = t->monitor_until;
		o->expires_ns = t->expires;
		o->monitoring = t->monitoring;
	}
	return e->ntok;
}

size_t evl_engine_nop(const struct evl_engine *e, struct evl_nop_info *out, size_t max)
{
	for (size_t i = 0; i < e->nnop && i < max; i++) {
		snprintf(out[i].ap, sizeof(out[i].ap), "%s", e->aps[e->nop[i].ap].id);
		out[i].channel = e->nop[i].channel;
		out[i].until_ns = e->nop[i].until;
	}
	return e->nnop;
}

static void ap_info(const struct evl_engine *e, const struct ap *a, struct evl_ap_info *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < e->ntok; i++)
		out->monitoring |= e->tok[i].monitoring && &e->aps[e->tok[i].ap] == a;
	snprintf(out->id, sizeof(out->id), "%s", a->id);
	out->conf = a->conf;
	memcpy(out->fallback, a->armed, sizeof(a->armed));
	out->n_fallback = a->n_armed;
	out->cooldown_until_ns = a->cooldown_until;
	out->pending = a->op.active;
	out->has_metrics = a->has_metrics;
	out->last = a->last;
	out->hw_phase = a->hw.phase;
	out->hw_restarts = a->hw.total;
	out->hw_attempts = a->hw.attempts;
	out->hw_next_ns = a->hw.next;
}

size_t evl_engine_aps(const struct evl_engine *e, struct evl_ap_info *out, size_t max)
{
	for (size_t i = 0; i < e->n_aps && i < max; i++)
		ap_info(e, &e->aps[i], &out[i]);
	return e->n_aps;
}

int evl_engine_ap(const struct evl_engine *e, const char *id, struct evl_ap_info *out)
{
	const struct ap *a = evl_engine_find_ap(e, id);

	if (!a)
		return -ENOENT;
	ap_info(e, a, out);
	return 0;
}
