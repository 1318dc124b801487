/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Off-channel sensing as plain structs (no libnl types): the BSSs a scan heard and the
 * digest of a scan's BSS and survey dumps per 20 MHz channel, which evld hands to the core as
 * channel reports. The nl80211 messages themselves are built and parsed by evl/nl80211.h.
 */
#ifndef EVL_SCAN_H
#define EVL_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evl/chan.h"
#include "evl/sense.h"

/* One NL80211_CMD_GET_SCAN entry. */
struct evl_bss {
	unsigned char bssid[6];
	int freq;	      /* primary 20 MHz channel, MHz */
	int width_mhz;	      /* from the HT/VHT operation elements; 20 without them */
	int center_freq1;     /* of the whole BSS, MHz */
	bool have_signal;     /* NL80211_BSS_SIGNAL_MBM */
	int signal_dbm;	      /* dBm */
	uint32_t seen_ms_ago; /* NL80211_BSS_SEEN_MS_AGO, 0 when absent */
};

/* What a scan says about one 20 MHz channel. */
struct evl_air_chan {
	int neighbors;	     /* BSSs overlapping it at or above the floor */
	double load;	     /* the same BSSs, each weighted 0.25..1 by signal */
	int strongest_dbm;   /* 0 = none */
	bool have_survey;    /* interference below is measured */
	double interference; /* 0..1, hostapd ACS style */
};

/*
 * Weight of a neighbour heard at @signal_dbm: 0 below @floor_dbm, 0.25 at the floor rising
 * linearly to 1 at 30 dB above it (a strong neighbour shares the air, a faint one barely).
 */
double evl_air_weight(int signal_dbm, int floor_dbm);

/*
 * Interference of one survey entry in 0..1, in the spirit of hostapd's ACS factor
 * (src/ap/acs.c): busy time minus our own tx over the active time minus tx, scaled by the
 * noise floor above the band's minimum (+3 dB doubles it). -EINVAL without time and busy.
 */
int evl_air_interference(const struct evl_survey *s, int min_noise_dbm, double *out);

/*
 * Digest one scan: every BSS at or above @floor_dbm counts on each 20 MHz channel it covers
 * (a 40/80/160 MHz BSS on all of its channels); every survey entry of @band gives that
 * channel's interference. @out is indexed by channel number (EVL_CHAN_MAX entries, zeroed
 * here). Returns the number of BSSs counted.
 */
int evl_air_digest(enum evl_band band, const struct evl_bss *bss, size_t n_bss,
		   const struct evl_survey *sv, size_t n_sv, int floor_dbm,
		   struct evl_air_chan *out);

#endif /* EVL_SCAN_H */
