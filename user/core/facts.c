// SPDX-License-Identifier: GPL-2.0
/* Raw sensor facts: radar de-duplication, survey edges, churn hysteresis, channel reports. */
#include <errno.h>
#include <math.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "engine_int.h"

#define NS_PER_MS 1000000ULL
#define NS_PER_S  1000000000ULL

/* Hand one event of @type for @a to the gates (a refusal is recorded there); its bit. */
static int queue(struct evl_engine *e, struct ap *a, enum evl_event_type type,
		 enum evl_severity sev, int channel, bool ended, uint64_t detect_ns,
		 const char *source, uint64_t now)
{
	struct evl_event ev = {
		.type = type,
		.severity = sev,
		.confidence = 1.0,
		.channel = channel,
		.radio = a->conf.band,
		.ts_ns = now,
		.detect_ns = detect_ns && detect_ns <= now ? detect_ns : now,
		.source = source,
		.ended = ended,
	};

	snprintf(ev.id, sizeof(ev.id), "%s-%" PRIu64, source ? source : "fact", ++e->fact_seq);
	snprintf(ev.ap, sizeof(ev.ap), "%s", a->id);
	evl_engine_submit(e, &ev, now);
	return 1 << type;
}

static bool block_has_dfs(const struct evl_engine *e, const struct ap *a)
{
	const struct evl_ap_conf *c = &a->conf;
	int sub[EVL_BLOCK_MAX];
	int n = evl_plan_block(e, a, c->channel, c->bandwidth, sub);

	if (n <= 0)
		return evl_plan_is_dfs(a, c->channel);
	for (int i = 0; i < n; i++)
		if (evl_plan_is_dfs(a, sub[i]))
			return true;
	return false;
}

int evl_engine_radar_report(struct evl_engine *e, const char *ap, int channel, uint64_t detect_ns,
			    const char *source, uint64_t now)
{
	struct ap *a = evl_engine_find_ap(e, ap);

	if (!a)
		return -ENOENT;
	if (channel < 0 || channel >= EVL_CHAN_MAX)
		return -EINVAL;
	if (!channel && !block_has_dfs(e, a))
		return 0; /* no DFS channel in use: not this AP's radar */
	if (a->radar_ns && now - a->radar_ns < (uint64_t)e->cfg.radar_dedup_ms * NS_PER_MS)
		return 0;
	a->radar_ns = now;
	return queue(e, a, EVL_EV_DFS_RADAR, EVL_SEV_CRITICAL, channel ? channel : a->conf.channel,
		     false, detect_ns, source, now);
}

int evl_engine_survey_report(struct evl_engine *e, const char *ap, bool burst, bool sat,
			     const char *source, uint64_t now)
{
	struct ap *a = evl_engine_find_ap(e, ap);
	uint64_t again = (uint64_t)e->cfg.survey_repeat_s * NS_PER_S;
	int r = 0;

	if (!a)
		return -ENOENT;
	if (burst && (!a->burst || now - a->burst_ns >= again)) {
		a->burst_ns = now;
		r |= queue(e, a, EVL_EV_NON_WIFI_BURST, EVL_SEV_HIGH, a->conf.channel, false, 0,
			   source, now);
	}
	if (sat && (!a->sat || now - a->sat_ns >= again)) {
		a->sat_ns = now;
		r |= queue(e, a, EVL_EV_SPECTRUM_SAT, EVL_SEV_HIGH, a->conf.channel, false, 0,
			   source, now);
	}
	a->burst = burst;
	a->sat = sat;
	return r;
}

int evl_engine_station_churn(struct evl_engine *e, const char *ap, unsigned int assoc,
			     uint64_t detect_ns, const char *source, uint64_t now)
{
	struct ap *a = evl_engine_find_ap(e, ap);
	unsigned int limit = e->cfg.density_assoc_limit;

	if (!a)
		return -ENOENT;
	if (!limit)
		return 0;
	if (!a->density && assoc >= limit) {
		a->density = true;
		return queue(e, a, EVL_EV_DENSITY_SPIKE, EVL_SEV_MEDIUM, 0, false, detect_ns,
			     source, now);
	}
	if (a->density && assoc * 2 <= limit) {
		a->density = false;
		return queue(e, a, EVL_EV_DENSITY_SPIKE, EVL_SEV_MEDIUM, 0, true, detect_ns, source,
			     now);
	}
	return 0;
}

int evl_engine_chan_report(struct evl_engine *e, const char *ap, int channel,
			   const struct evl_chan_report *r)
{
	struct ap *a = evl_engine_find_ap(e, ap);

	if (!a)
		return -ENOENT;
	if (!r || channel <= 0 || channel >= EVL_CHAN_MAX || !(r->interference >= 0) ||
	    !(r->client_support >= 0) || r->neighbors < 0 || !isfinite(r->interference) ||
	    !isfinite(r->client_support))
		return -EINVAL;
	a->rep[channel] = *r; /* the next tick re-arms: a scan reports many channels */
	evl_air_note(e, a, channel);
	e->arm_dirty = true;
	return 0;
}

int evl_engine_dfs_state(struct evl_engine *e, const char *ap, int channel, enum evl_dfs_state st)
{
	struct ap *a = evl_engine_find_ap(e, ap);

	if (!a)
		return -ENOENT;
	if (channel <= 0 || channel >= EVL_CHAN_MAX || (unsigned int)st > EVL_DFS_UNAVAILABLE)
		return -EINVAL;
	a->dfs[channel] = (unsigned char)st;
	e->arm_dirty = true;
	evl_fallback_sync(e);
	return 0;
}
