// SPDX-License-Identifier: GPL-2.0
/*
 * The channel plan of each AP: the one the kernel applied to its radio (evl_engine_set_plan,
 * from the wiphy's channel list) or, until that arrives and in evl-replay, the built-in table
 * of cfg.country. Also the regulatory power limits and client compatibility per width.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <evl/chan.h>
#include "engine_int.h"

enum { PLAN_OK = 1, PLAN_RADAR = 2 };

static int width_idx(int width)
{
	switch (width) {
	case 20:
		return 0;
	case 40:
		return 1;
	case 80:
		return 2;
	case 160:
		return 3;
	}
	return -1;
}

void evl_plan_init(struct ap *a)
{
	for (int w = 0; w < 4; w++)
		for (int c = 0; c < EVL_CHAN_MAX; c++)
			a->csup[w][c] = 1.0f;
}

int evl_engine_set_plan(struct evl_engine *e, const char *ap, const struct evl_plan_chan *ch,
			size_t n, int tx_power_mbm)
{
	struct ap *a = evl_engine_find_ap(e, ap);
	unsigned char plan[EVL_CHAN_MAX] = {0};
	int mbm[EVL_CHAN_MAX] = {0};
	bool has = false;

	if (!a)
		return -ENOENT;
	if ((n && !ch) || tx_power_mbm < 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		const struct evl_plan_chan *p = &ch[i];

		if (evl_chan_to_freq(p->band, p->channel) < 0 || p->max_power_mbm < 0)
			return -EINVAL;
		if (p->band != a->conf.band)
			continue;
		has = true;
		if (!p->disabled && (!p->no_ir || p->radar))
			plan[p->channel] |= PLAN_OK;
		if (p->radar)
			plan[p->channel] |= PLAN_RADAR;
		mbm[p->channel] = p->max_power_mbm;
	}
	if (a->has_plan != has || a->tx_mbm != tx_power_mbm ||
	    memcmp(plan, a->plan, sizeof(plan)) || memcmp(mbm, a->max_mbm, sizeof(mbm)))
		e->arm_dirty = true; /* the next tick re-arms the radar fallback */
	a->has_plan = has;	     /* none of the AP's band: the built-in plan */
	memcpy(a->plan, plan, sizeof(plan));
	memcpy(a->max_mbm, mbm, sizeof(mbm));
	a->tx_mbm = tx_power_mbm;
	return 0;
}

static bool plan_allowed(const struct evl_engine *e, const struct ap *a, int c)
{
	if (!a->has_plan)
		return evl_chan_allowed(e->cfg.country, a->conf.band, c);
	return c > 0 && c < EVL_CHAN_MAX && (a->plan[c] & PLAN_OK);
}

bool evl_plan_is_dfs(const struct ap *a, int c)
{
	if (!a->has_plan)
		return evl_chan_is_dfs(a->conf.band, c);
	return c > 0 && c < EVL_CHAN_MAX && (a->plan[c] & PLAN_RADAR);
}

int evl_plan_block(const struct evl_engine *e, const struct ap *a, int channel, int width,
		   int sub[EVL_BLOCK_MAX])
{
	int n = evl_chan_block_any(a->conf.band, channel, width, sub);

	for (int i = 0; i < n; i++)
		if (!plan_allowed(e, a, sub[i]))
			return -EINVAL;
	return n;
}

int evl_plan_chandef(const struct evl_engine *e, const struct ap *a, int channel, int width,
		     struct evl_chandef *out)
{
	int sub[EVL_BLOCK_MAX];
	int n = evl_plan_block(e, a, channel, width, sub);

	return n < 0 ? n : evl_chan_chandef_any(a->conf.band, channel, width, out);
}

int evl_plan_power(const struct ap *a, const int *sub, int n)
{
	int lim = a->tx_mbm;

	if (!a->has_plan || a->tx_mbm <= 0)
		return INT_MAX;
	for (int i = 0; i < n; i++)
		if (a->max_mbm[sub[i]] > 0 && a->max_mbm[sub[i]] < lim)
			lim = a->max_mbm[sub[i]];
	return lim;
}

int evl_engine_plan_chan(const struct evl_engine *e, const char *ap, int channel, bool *allowed,
			 bool *dfs, int *max_power_mbm)
{
	const struct ap *a = evl_engine_find_ap(e, ap);

	if (!a)
		return -ENOENT;
	if (channel <= 0 || channel >= EVL_CHAN_MAX)
		return -EINVAL;
	if (allowed)
		*allowed = plan_allowed(e, a, channel);
	if (dfs)
		*dfs = evl_plan_is_dfs(a, channel);
	if (max_power_mbm)
		*max_power_mbm = a->has_plan ? a->max_mbm[channel] : 0;
	return 0;
}

int evl_engine_client_support(struct evl_engine *e, const char *ap, int channel, int width,
			      double fraction)
{
	struct ap *a = evl_engine_find_ap(e, ap);
	int w = width_idx(width);

	if (!a)
		return -ENOENT;
	if (w < 0 || channel <= 0 || channel >= EVL_CHAN_MAX || !isfinite(fraction) ||
	    fraction < 0 || fraction > 1)
		return -EINVAL;
	if (a->csup[w][channel] != (float)fraction)
		e->arm_dirty = true;
	a->csup[w][channel] = (float)fraction;
	return 0;
}

double evl_plan_clients(const struct ap *a, int channel, int width)
{
	int w = width_idx(width);

	return w < 0 || channel <= 0 || channel >= EVL_CHAN_MAX ? 1.0 : a->csup[w][channel];
}
