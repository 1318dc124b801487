// SPDX-License-Identifier: GPL-2.0
/* The non-occupancy list: channels a radar closed for nop_s, per AP. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_int.h"

#define NS 1000000000ULL

bool evl_engine_in_nop(const struct evl_engine *e, size_t ap, int channel)
{
	for (size_t i = 0; i < e->nnop; i++)
		if (e->nop[i].ap == ap && e->nop[i].channel == channel)
			return true;
	return false;
}

/* 0, or -ENOMEM: the entry is not kept and the caller must say so (after a hostapd restart
 * this list is the only record of the non-occupancy period left). */
int evl_nop_add(struct evl_engine *e, size_t ap, int channel, uint64_t until)
{
	struct nop *n;

	e->arm_dirty = true;
	for (size_t i = 0; i < e->nnop; i++)
		if (e->nop[i].ap == ap && e->nop[i].channel == channel) {
			e->nop[i].until = until;
			return 0;
		}
	n = evl_core_realloc(e->nop, (e->nnop + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	e->nop = n;
	e->nop[e->nnop++] = (struct nop){ap, channel, until};
	return 0;
}

/* Radar on @channel: the 20 MHz channel and, when the AP operates on it, its whole block.
 * 0, or -ENOMEM when an entry could not be kept (the others are). */
int evl_nop_radar(struct evl_engine *e, struct ap *a, int channel, uint64_t now)
{
	int sub[EVL_BLOCK_MAX], n, rc;
	uint64_t until = now + (uint64_t)e->cfg.nop_s * NS;

	if (!channel)
		channel = a->conf.channel;
	rc = evl_nop_add(e, ap_idx(e, a), channel, until);
	if (!evl_chan_block_contains(a->conf.band, a->conf.channel, a->conf.bandwidth, channel))
		return rc;
	n = evl_chan_block(EVL_CC_US, a->conf.band, a->conf.channel, a->conf.bandwidth, sub);
	for (int i = 0; i < n; i++)
		if (evl_chan_is_dfs(a->conf.band, sub[i]) &&
		    evl_nop_add(e, ap_idx(e, a), sub[i], until))
			rc = -ENOMEM;
	return rc;
}

bool evl_block_in_nop(const struct evl_engine *e, size_t ap, const struct evl_ap_conf *c)
{
	for (int i = 0; i < EVL_CHAN_MAX; i++)
		if (evl_chan_block_contains(c->band, c->channel, c->bandwidth, i) &&
		    evl_engine_in_nop(e, ap, i))
			return true;
	return false;
}
