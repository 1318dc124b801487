// SPDX-License-Identifier: GPL-2.0
/*
 * Channel selector. Hard constraints first (channel plan of band/width: the kernel's or the
 * country's, plan.c; no block holding the event's channel (or, without one, the current
 * channel), no channel in NOP or reported unavailable, for radar moves no CAC while a CAC-free
 * block of any width exists), then the blocks that allow the AP's TX power (or, when none
 * does, the most of it), then the weighted score, then a seeded random pick among candidates within
 * tie_margin of the best (ETSI uniform spreading). Width narrows when no block of the current width
 * is left.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <evl/chan.h>
#include "engine_int.h"

struct cand {
	int channel;
	double score;
	bool cac;
	int power; /* the TX power the block allows, up to the AP's (mBm) */
};

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* Score of one block with its weighted parts; out->cac: moving there needs a CAC first. */
double evl_select_score(const struct evl_engine *e, const struct ap *a, const int *sub, int n,
			struct evl_chan_score *out)
{
	const struct evl_core_config *c = &e->cfg;
	double worst_if = 0, support = 1, neigh = 0, block;
	int dfs = 0, avail = 0;

	for (int i = 0; i < n; i++) {
		const struct evl_chan_report *r = &a->rep[sub[i]];

		worst_if = r->interference > worst_if ? r->interference : worst_if;
		support = r->client_support < support ? r->client_support : support;
		/* neighbours weighted by signal when the report has them, else counted */
		neigh += r->neighbor_load > 0 ? r->neighbor_load
			 : r->neighbors > 0   ? r->neighbors
					      : 0;
		if (evl_plan_is_dfs(a, sub[i])) {
			dfs++;
			avail += a->dfs[sub[i]] == EVL_DFS_AVAILABLE;
		}
	}
	/* the whole block's support by width from the clients' operating classes */
	block = evl_plan_clients(a, sub[0], n * 20);
	support = block < support ? block : support;
	memset(out, 0, sizeof(*out));
	out->channel = sub[0];
	out->width = 20 * n;
	out->cac = dfs > avail;
	out->interference = c->w_interference * (1 - clamp01(worst_if));
	out->neighbors = c->w_neighbors / (1.0 + neigh);
	out->clients = c->w_clients * clamp01(support);
	out->dfs = c->w_dfs * (!dfs ? 1 : out->cac ? 0 : 0.5);
	out->total = out->interference + out->neighbors + out->clients + out->dfs;
	return out->total;
}

static double score_block(const struct evl_engine *e, const struct ap *a, const int *sub, int n,
			  bool *cac)
{
	struct evl_chan_score s;

	evl_select_score(e, a, sub, n, &s);
	*cac = s.cac;
	return s.total;
}

bool evl_select_usable(const struct evl_engine *e, size_t ap, const int *sub, int n)
{
	const struct ap *a = &e->aps[ap];

	for (int i = 0; i < n; i++)
		if (evl_engine_in_nop(e, ap, sub[i]) || a->dfs[sub[i]] == EVL_DFS_UNAVAILABLE)
			return false;
	return true;
}

static bool overlaps(const struct ap *a, const int *sub, int n)
{
	for (int i = 0; i < n; i++)
		if (evl_chan_block_contains(a->conf.band, a->conf.channel, a->conf.bandwidth,
					    sub[i]))
			return true;
	return false;
}

/*
 * The selector's candidates for a move away from @avoid (and, with @own_block, from every
 * channel of the AP's current block: where a radar will put the whole block in NOP): the
 * blocks within tie_margin of the best, at the first width (and, for radar moves, first
 * without a CAC) that has any. Returns how many (0: none) and their width in *width.
 */
static int candidates(const struct evl_engine *e, size_t ap, int avoid, bool radar, bool own_block,
		      struct cand *cand, int *width)
{
	const struct ap *a = &e->aps[ap];
	enum evl_band band = a->conf.band;
	int sub[EVL_BLOCK_MAX];

	if (!avoid)
		avoid = a->conf.channel;
	/* radar: a CAC is a minute or more off the air, so first narrow the width without one */
	for (int pass = radar ? 0 : 1; pass < 2; pass++) {
		for (int w = a->conf.bandwidth; w >= 20; w /= 2) {
			int n = 0, k = 0;
			double best = -1;
			int power = INT_MIN;

			for (int c = 1; c < EVL_CHAN_MAX; c++) {
				int ns;
				bool cac;
				double sc;

				if (band == EVL_BAND_2G && c != 1 && c != 6 && c != 11)
					continue;
				ns = evl_plan_block(e, a, c, w, sub);
				if (ns < 0 || !evl_select_usable(e, ap, sub, ns) ||
				    evl_chan_block_contains(band, c, w, avoid) ||
				    (c == a->conf.channel && w == a->conf.bandwidth) ||
				    (own_block && overlaps(a, sub, ns)))
					continue;
				sc = score_block(e, a, sub, ns, &cac);
				if (pass == 0 && cac)
					continue;
				cand[n++] = (struct cand){c, sc, cac, evl_plan_power(a, sub, ns)};
				power = cand[n - 1].power > power ? cand[n - 1].power : power;
			}
			/* coverage first: only the blocks that allow the most of the AP's power */
			for (int i = 0; i < n; i++)
				if (cand[i].power == power)
					best = cand[i].score > best ? cand[i].score : best;
			for (int i = 0; i < n; i++)
				if (cand[i].power == power &&
				    cand[i].score >= best - e->cfg.tie_margin - 1e-9)
					cand[k++] = cand[i];
			if (k) {
				*width = w;
				return k;
			}
		}
	}
	return 0;
}

/* The audit record of the move carries the chosen block's score and the runner-up's. */
static void explain(struct evl_engine *e, size_t ap, int avoid, bool radar, int channel, int width)
{
	struct ap *a = &e->aps[ap];
	int sub[EVL_BLOCK_MAX],
		n = evl_plan_block(e, a, channel, width, sub);

	if (n < 0)
		return;
	evl_select_score(e, a, sub, n, &a->op.chosen);
	a->op.scored = true;
	if (evl_select_runner_up(e, ap, avoid ? avoid : a->conf.channel, width, channel,
				 radar && !a->op.chosen.cac, &a->op.runner_up))
		memset(&a->op.runner_up, 0, sizeof(a->op.runner_up));
}

int evl_select_channel(struct evl_engine *e, size_t ap, int avoid, bool radar,
		       struct evl_chandef *out)
{
	struct cand cand[EVL_CHAN_MAX];
	int w, k = candidates(e, ap, avoid, radar, false, cand, &w), pick, rc;

	if (!k)
		return -ENOSPC;
	pick = (int)(evl_rng_next(&e->rng) % (uint64_t)k);
	rc = evl_plan_chandef(e, &e->aps[ap], cand[pick].channel, w, out);
	if (!rc)
		explain(e, ap, avoid, radar, cand[pick].channel, w);
	return rc;
}

int evl_select_radar_fallback(const struct evl_engine *e, size_t ap, int *chans, int max)
{
	const struct ap *a = &e->aps[ap];
	struct cand cand[EVL_CHAN_MAX];
	bool in[EVL_CHAN_MAX] = {0};
	int sub[EVL_BLOCK_MAX], w, n = 0;
	int k = candidates(e, ap, 0, true, true, cand, &w);

	/* every 20 MHz channel of every candidate block: hostapd checks the one it starts at */
	for (int i = 0; i < k; i++) {
		int ns = evl_plan_block(e, a, cand[i].channel, w, sub);

		for (int j = 0; j < ns; j++)
			in[sub[j]] = true;
	}
	for (int c = 1; c < EVL_CHAN_MAX && n < max; c++)
		if (in[c])
			chans[n++] = c;
	return n;
}

/* Radar fallback: arm the radio's own radar reaction with the candidates above. */

/*
 * Arm every 5 GHz AP whose radar candidates changed. Only after an input changed (arm_dirty):
 * tick() calls this on every wake-up of the daemon. A failure is retried at the next call.
 */
void evl_fallback_sync(struct evl_engine *e)
{
	int ch[EVL_FALLBACK_MAX], n, rc;

	if (!e->act.ops->set_radar_fallback || !e->arm_dirty)
		return;
	e->arm_dirty = false;
	for (size_t i = 0; i < e->n_aps; i++) {
		struct ap *a = &e->aps[i];

		if (a->conf.band != EVL_BAND_5G || a->arm_unsupported)
			continue;
		n = evl_select_radar_fallback(e, i, ch, EVL_FALLBACK_MAX);
		if (!n || (n == a->n_armed && !memcmp(ch, a->armed, (size_t)n * sizeof(ch[0]))))
			continue; /* none at all: the radio's own NOP list still steers it */
		rc = e->act.ops->set_radar_fallback(e->act.ctx, a->id, ch, n);
		if (rc == -EOPNOTSUPP)
			a->arm_unsupported = true;
		if (rc) {
			a->n_armed = -1;
			if (rc != -EOPNOTSUPP)
				e->arm_dirty = true; /* try again at the next call */
			continue;
		}
		memcpy(a->armed, ch, (size_t)n * sizeof(ch[0]));
		a->n_armed = n;
	}
}

int evl_engine_radar_candidates(const struct evl_engine *e, const char *ap, int *chans, int max)
{
	const struct ap *a = evl_engine_find_ap(e, ap);

	if (!a || !chans || max < 0)
		return -EINVAL;
	return evl_select_radar_fallback(e, ap_idx(e, a), chans, max);
}

void evl_engine_rearm(struct evl_engine *e, const char *ap)
{
	for (size_t i = 0; i < e->n_aps; i++)
		if (!ap || !strcmp(e->aps[i].id, ap))
			e->aps[i].n_armed = -1;
	e->arm_dirty = true;
	evl_fallback_sync(e);
}
