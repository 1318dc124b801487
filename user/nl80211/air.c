// SPDX-License-Identifier: GPL-2.0
/* A scan's BSS and survey dumps -> per-channel neighbours and interference: arithmetic. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "evl/scan.h"

double evl_air_weight(int signal_dbm, int floor_dbm)
{
	double x = (double)(signal_dbm - floor_dbm) / 30.0;

	if (signal_dbm < floor_dbm)
		return 0;
	return 0.25 + 0.75 * (x > 1 ? 1 : x);
}

int evl_air_interference(const struct evl_survey *s, int min_noise_dbm, double *out)
{
	double busy, total, f;

	if (!s || !out ||
	    (s->have & (EVL_SURVEY_TIME | EVL_SURVEY_BUSY)) != (EVL_SURVEY_TIME | EVL_SURVEY_BUSY))
		return -EINVAL;
	busy = (double)s->busy_ms;
	total = (double)s->time_ms;
	if (s->have & EVL_SURVEY_TX) {
		busy -= (double)s->tx_ms;
		total -= (double)s->tx_ms;
	}
	f = total > 0 && busy > 0 ? busy / total : 0;
	if ((s->have & EVL_SURVEY_NOISE) && s->noise_dbm > min_noise_dbm)
		f *= pow(10, (s->noise_dbm - min_noise_dbm) / 10.0);
	*out = f > 1 ? 1 : f;
	return 0;
}

/* The 20 MHz channels a BSS covers: its primary, or its whole block around center_freq1. */
static int covered(const struct evl_bss *b, int ch[8])
{
	enum evl_band band;
	int w = b->width_mhz >= 20 && b->width_mhz <= 160 ? b->width_mhz : 20, n = 0;
	int lo = (b->center_freq1 ? b->center_freq1 : b->freq) - w / 2 + 10;

	if (w == 20 || !b->center_freq1)
		lo = b->freq, w = 20;
	for (int f = lo; f < lo + w && n < 8; f += 20) {
		int c = evl_chan_from_freq(f, &band);

		if (c > 0)
			ch[n++] = c;
	}
	return n;
}

int evl_air_digest(enum evl_band band, const struct evl_bss *bss, size_t n_bss,
		   const struct evl_survey *sv, size_t n_sv, int floor_dbm,
		   struct evl_air_chan *out)
{
	int counted = 0, min_noise = 0;
	bool have_noise = false;
	enum evl_band b;

	memset(out, 0, EVL_CHAN_MAX * sizeof(*out));
	for (size_t i = 0; bss && i < n_bss; i++) {
		int ch[8], n;

		if (!bss[i].have_signal || bss[i].signal_dbm < floor_dbm ||
		    evl_chan_from_freq(bss[i].freq, &b) <= 0 || b != band)
			continue;
		n = covered(&bss[i], ch);
		for (int k = 0; k < n; k++) {
			struct evl_air_chan *o = &out[ch[k]];

			o->neighbors++;
			o->load += evl_air_weight(bss[i].signal_dbm, floor_dbm);
			if (!o->strongest_dbm || bss[i].signal_dbm > o->strongest_dbm)
				o->strongest_dbm = bss[i].signal_dbm;
		}
		counted += n > 0;
	}
	/* the band's quietest noise floor is the reference, as in hostapd's ACS */
	for (size_t i = 0; sv && i < n_sv; i++)
		if ((sv[i].have & EVL_SURVEY_NOISE) && evl_chan_from_freq(sv[i].freq, &b) > 0 &&
		    b == band && (!have_noise || sv[i].noise_dbm < min_noise)) {
			min_noise = sv[i].noise_dbm;
			have_noise = true;
		}
	for (size_t i = 0; sv && i < n_sv; i++) {
		int c = evl_chan_from_freq(sv[i].freq, &b);
		double f;

		if (c <= 0 || b != band || !sv[i].time_ms ||
		    evl_air_interference(&sv[i], min_noise, &f))
			continue;
		out[c].interference = f;
		out[c].have_survey = true;
	}
	return counted;
}
