/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Channel plan: channel <-> MHz, 20/40/80/160 MHz blocks and their centre frequencies, DFS and
 * ETSI weather channels, per regulatory domain (US = FCC, DE = ETSI, 00 = world: channels
 * allowed in both). Used by the selector and by back ends that need centre frequencies.
 */
#ifndef EVL_CHAN_H
#define EVL_CHAN_H

#include <stdbool.h>
#include <evl/act.h>

enum evl_country {
	EVL_CC_WORLD, /* "00" */
	EVL_CC_US,    /* FCC */
	EVL_CC_DE,    /* ETSI */
};

#define EVL_CHAN_MAX 234 /* channel numbers are < this in every band */

/* DFS state of a channel, as the driver reports it (nl80211 wiphy dump). */
enum evl_dfs_state {
	EVL_DFS_UNKNOWN, /* not reported, or not a radar channel; a DFS channel is assumed to need a
			    CAC */
	EVL_DFS_USABLE,	 /* needs a CAC */
	EVL_DFS_AVAILABLE,   /* CAC done or not needed */
	EVL_DFS_UNAVAILABLE, /* radar NOP in the driver */
};
#define EVL_BLOCK_MAX 8 /* 20 MHz channels in a 160 MHz block */

/* "00"/"world", "US", "DE"/"ETSI" -> 0 and *out, else -EINVAL. */
int evl_chan_country_parse(const char *s, enum evl_country *out);
/* "2g"/"5g"/"6g" -> 0, else -EINVAL. */
int evl_chan_band_parse(const char *s, enum evl_band *out);
const char *evl_chan_band_name(enum evl_band band);

/* Centre frequency of a 20 MHz channel in MHz, or -EINVAL if the band has no such channel. */
int evl_chan_to_freq(enum evl_band band, int channel);
/* Channel number of a 20 MHz centre frequency (sets *band), or -EINVAL. */
int evl_chan_from_freq(int freq, enum evl_band *band);

/* Channel allowed for an AP in this country (20 MHz; 2.4 GHz: 1-13 except US 1-11). */
bool evl_chan_allowed(enum evl_country cc, enum evl_band band, int channel);
/* Needs radar detection (5 GHz 52-144). */
bool evl_chan_is_dfs(enum evl_band band, int channel);
/* ETSI weather radar channels 120-128: 10 min CAC. */
bool evl_chan_is_weather(enum evl_country cc, enum evl_band band, int channel);

/*
 * The block of @width MHz that contains @channel: fills @sub with its 20 MHz channels (lowest
 * first) and returns how many (1, 2, 4 or 8), or -EINVAL when no aligned block of that width
 * exists or one of its channels is not allowed in @cc. 2.4 GHz has 20 MHz blocks only.
 */
int evl_chan_block(enum evl_country cc, enum evl_band band, int channel, int width,
		   int sub[EVL_BLOCK_MAX]);
/* The same block whatever the country (a kernel plan checks its channels itself). */
int evl_chan_block_any(enum evl_band band, int channel, int width, int sub[EVL_BLOCK_MAX]);
/* Fill a chandef (freq, center_freq1) for primary @channel at @width: 0 or -EINVAL. */
int evl_chan_chandef(enum evl_country cc, enum evl_band band, int channel, int width,
		     struct evl_chandef *out);
int evl_chan_chandef_any(enum evl_band band, int channel, int width, struct evl_chandef *out);
/* Does the block (@channel, @width) contain 20 MHz channel @c? */
bool evl_chan_block_contains(enum evl_band band, int channel, int width, int c);

/* Global operating class (802.11 Annex E) of a 20 MHz channel, or -EINVAL. */
int evl_chan_op_class(enum evl_band band, int channel);

#endif /* EVL_CHAN_H */
