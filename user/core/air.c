// SPDX-License-Identifier: GPL-2.0
/*
 * What the selector knows of the air, and for how long: a channel report (neighbours,
 * interference, client support) measured at measured_ns decays to unknown (the neutral
 * report) scan_max_age_s later, so an old scan never steers for ever.
 */
#include <stdint.h>
#include <string.h>

#include "engine_int.h"

#define NS 1000000000ull

static uint64_t decay_at(const struct evl_engine *e, const struct evl_chan_report *r)
{
	if (!r->measured_ns || !e->cfg.scan_max_age_s)
		return UINT64_MAX;
	return r->measured_ns + (uint64_t)e->cfg.scan_max_age_s * NS;
}

void evl_air_note(struct evl_engine *e, struct ap *a, int channel)
{
	uint64_t t = decay_at(e, &a->rep[channel]);

	if (t < a->rep_until)
		a->rep_until = t;
}

void evl_air_expire(struct evl_engine *e, uint64_t now)
{
	for (size_t i = 0; i < e->n_aps; i++) {
		struct ap *a = &e->aps[i];

		if (a->rep_until > now)
			continue;
		a->rep_until = UINT64_MAX;
		for (int c = 1; c < EVL_CHAN_MAX; c++) {
			uint64_t t = decay_at(e, &a->rep[c]);

			if (t <= now)
				a->rep[c] = (struct evl_chan_report){.client_support = 1.0};
			else if (t < a->rep_until)
				a->rep_until = t;
		}
		e->arm_dirty = true; /* the radar candidates may change with it */
	}
}

uint64_t evl_air_deadline(const struct evl_engine *e)
{
	uint64_t d = UINT64_MAX;

	for (size_t i = 0; i < e->n_aps; i++)
		d = e->aps[i].rep_until < d ? e->aps[i].rep_until : d;
	return d;
}
