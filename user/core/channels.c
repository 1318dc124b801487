// SPDX-License-Identifier: GPL-2.0
/* The channel table the selector sees (evlctl channels) and the runner-up of a move. */
#include <errno.h>
#include <string.h>

#include "engine_int.h"

/* The block of the widest width up to the AP's that holds @c: its channels, or -EINVAL. */
static int block_of(const struct evl_engine *e, const struct ap *a, int c, int sub[EVL_BLOCK_MAX])
{
	for (int w = a->conf.bandwidth; w >= 20; w /= 2) {
		int n = evl_plan_block(e, a, c, w, sub);

		if (n > 0)
			return n;
	}
	return -EINVAL;
}

int evl_select_runner_up(const struct evl_engine *e, size_t ap, int avoid, int width, int chosen,
			 bool no_cac, struct evl_chan_score *out)
{
	const struct ap *a = &e->aps[ap];
	int sub[EVL_BLOCK_MAX];
	bool found = false;

	for (int c = 1; c < EVL_CHAN_MAX; c++) {
		struct evl_chan_score s;
		int n = evl_plan_block(e, a, c, width, sub);

		/* each block once (at its lowest channel), not the chosen one, not the avoided */
		if (n <= 0 || sub[0] != c ||
		    evl_chan_block_contains(a->conf.band, chosen, width, c) ||
		    evl_chan_block_contains(a->conf.band, c, width, avoid) ||
		    !evl_select_usable(e, ap, sub, n))
			continue;
		if (a->conf.band == EVL_BAND_2G && c != 1 && c != 6 && c != 11)
			continue;
		evl_select_score(e, a, sub, n, &s);
		if (no_cac && s.cac)
			continue;
		if (!found || s.total > out->total)
			*out = s;
		found = true;
	}
	return found ? 0 : -ENOENT;
}

int evl_engine_channels(const struct evl_engine *e, const char *ap, uint64_t now,
			struct evl_chan_row *out, int max)
{
	const struct ap *a = evl_engine_find_ap(e, ap);
	size_t ai;
	int k = 0;

	if (!a)
		return -ENOENT;
	ai = ap_idx(e, a);
	for (int c = 1; c < EVL_CHAN_MAX; c++) {
		struct evl_chan_row *r;
		int sub[EVL_BLOCK_MAX], n;

		if (evl_plan_block(e, a, c, 20, sub) <= 0) /* the AP's plan: kernel or country */
			continue;
		if (k++ >= max || !out)
			continue;
		r = &out[k - 1];
		memset(r, 0, sizeof(*r));
		r->channel = c;
		r->dfs = evl_plan_is_dfs(a, c);
		r->dfs_state = a->dfs[c];
		for (size_t i = 0; i < e->nnop; i++)
			if (e->nop[i].ap == ai && e->nop[i].channel == c &&
			    e->nop[i].until > r->nop_until_ns)
				r->nop_until_ns = e->nop[i].until;
		r->usable = !r->nop_until_ns && a->dfs[c] != EVL_DFS_UNAVAILABLE;
		r->current = evl_chan_block_contains(a->conf.band, a->conf.channel,
						     a->conf.bandwidth, c);
		for (int i = 0; i < a->n_armed; i++)
			r->armed |= a->armed[i] == c;
		r->rep = a->rep[c];
		r->known = r->rep.neighbors || r->rep.interference > 0 ||
			   r->rep.client_support < 1 || r->rep.measured_ns;
		r->age_ns = r->rep.measured_ns && now > r->rep.measured_ns
				    ? now - r->rep.measured_ns
				    : 0;
		n = block_of(e, a, c, sub);
		if (n > 0)
			evl_select_score(e, a, sub, n, &r->score);
	}
	return k;
}
