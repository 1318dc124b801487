// SPDX-License-Identifier: GPL-2.0
/*
 * Channel selector. Hard constraints first (channel plan of band/width/country, no block
 * holding the event's channel (or, without one, the current channel), no channel in NOP or
 * reported unavailable, for radar moves no CAC while a CAC-free block of any width exists),
 * then the weighted score, then a seeded random pick among candidates within tie_margin of
 * the best (ETSI uniform spreading). Width narrows when no block of the current width is left.
 */
#include <errno.h>
#include <evl/chan.h>
#include "engine_int.h"

struct cand {
	int channel;
	double score;
	bool cac;
};

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* Score of one block; *cac tells whether moving there needs a CAC first. */
static double score_block(const struct evl_engine *e, const struct ap *a, const int *sub, int n,
			  bool *cac)
{
	const struct evl_core_config *c = &e->cfg;
	double worst_if = 0, support = 1;
	int neigh = 0, dfs = 0, avail = 0;

	for (int i = 0; i < n; i++) {
		const struct evl_chan_report *r = &a->rep[sub[i]];

		worst_if = r->interference > worst_if ? r->interference : worst_if;
		support = r->client_support < support ? r->client_support : support;
		neigh += r->neighbors > 0 ? r->neighbors : 0;
		if (evl_chan_is_dfs(a->conf.band, sub[i])) {
			dfs++;
			avail += a->dfs[sub[i]] == EVL_DFS_AVAILABLE;
		}
	}
	*cac = dfs > avail;
	return c->w_interference * (1 - clamp01(worst_if)) + c->w_neighbors / (1.0 + neigh) +
	       c->w_clients * clamp01(support) +
	       c->w_dfs * (!dfs	  ? 1
			   : *cac ? 0
				  : 0.5);
}

static bool usable(const struct evl_engine *e, size_t ap, const int *sub, int n)
{
	const struct ap *a = &e->aps[ap];

	for (int i = 0; i < n; i++)
		if (evl_engine_in_nop(e, ap, sub[i]) || a->dfs[sub[i]] == EVL_DFS_UNAVAILABLE)
			return false;
	return true;
}

int evl_select_channel(struct evl_engine *e, size_t ap, int avoid, bool radar,
		       struct evl_chandef *out)
{
	const struct ap *a = &e->aps[ap];
	enum evl_band band = a->conf.band;
	struct cand cand[EVL_CHAN_MAX];
	int sub[EVL_BLOCK_MAX];

	if (!avoid)
		avoid = a->conf.channel;
	/* radar: a CAC is a minute or more off the air, so first narrow the width without one */
	for (int pass = radar ? 0 : 1; pass < 2; pass++) {
		for (int w = a->conf.bandwidth; w >= 20; w /= 2) {
			int n = 0, k = 0, pick;
			double best = -1;

			for (int c = 1; c < EVL_CHAN_MAX; c++) {
				int ns;
				bool cac;
				double sc;

				if (band == EVL_BAND_2G && c != 1 && c != 6 && c != 11)
					continue;
				ns = evl_chan_block(e->cfg.country, band, c, w, sub);
				if (ns < 0 || !usable(e, ap, sub, ns) ||
				    evl_chan_block_contains(band, c, w, avoid) ||
				    (c == a->conf.channel && w == a->conf.bandwidth))
					continue;
				sc = score_block(e, a, sub, ns, &cac);
				if (pass == 0 && cac)
					continue;
				cand[n++] = (struct cand){c, sc, cac};
			}
			for (int i = 0; i < n; i++)
				best = cand[i].score > best ? cand[i].score : best;
			for (int i = 0; i < n; i++)
				if (cand[i].score >= best - e->cfg.tie_margin - 1e-9)
					cand[k++] = cand[i];
			if (!k)
				continue;
			pick = (int)(evl_rng_next(&e->rng) % (uint64_t)k);
			return evl_chan_chandef(e->cfg.country, band, cand[pick].channel, w, out);
		}
	}
	return -ENOSPC;
}
