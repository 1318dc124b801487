// SPDX-License-Identifier: GPL-2.0
/* Survey classifier, station-dump link metrics, channel helpers: plain arithmetic. */
#include <errno.h>
#include <string.h>

#include "evl/sense.h"

void evl_survey_cfg_default(struct evl_survey_cfg *cfg)
{
	*cfg = (struct evl_survey_cfg){
		.burst_unexplained_pct = 30.0,
		.burst_noise_rise_db = 6.0,
		.sat_busy_pct = 80.0,
		.sat_obss_share = 0.5,
		.sat_windows = 3,
		.noise_alpha = 0.1,
		.min_window_ms = 200,
	};
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

int evl_survey_classify(struct evl_survey_state *st, const struct evl_survey_cfg *cfg,
			const struct evl_survey *s, struct evl_survey_class *out)
{
	uint64_t dt, dbusy, drx = 0, dtx = 0, dbss = 0, obss, explained;
	const struct evl_survey *p;
	bool noise;

	if (!st || !cfg || !s || !out)
		return -EINVAL;
	p = &st->prev;
	noise = s->have & EVL_SURVEY_NOISE;
	if ((s->have & (EVL_SURVEY_TIME | EVL_SURVEY_BUSY)) != (EVL_SURVEY_TIME | EVL_SURVEY_BUSY))
		return -EINVAL;
	/* First sample, another channel, or counters that went back (driver reset): restart. */
	if (!st->have_prev || p->freq != s->freq || s->time_ms < p->time_ms ||
	    s->busy_ms < p->busy_ms || s->rx_ms < p->rx_ms || s->tx_ms < p->tx_ms ||
	    s->bss_rx_ms < p->bss_rx_ms) {
		if (st->have_prev && p->freq != s->freq)
			st->have_baseline = false;
		st->prev = *s;
		st->have_prev = true;
		st->sat_run = 0;
		if (noise && !st->have_baseline) {
			st->noise_baseline = s->noise_dbm;
			st->have_baseline = true;
		}
		return -EAGAIN;
	}
	dt = s->time_ms - p->time_ms;
	if (dt < cfg->min_window_ms)
		return -EAGAIN; /* keep the older sample and wait for a longer window */
	dbusy = s->busy_ms - p->busy_ms;
	if (s->have & EVL_SURVEY_RX)
		drx = s->rx_ms - p->rx_ms;
	if (s->have & EVL_SURVEY_TX)
		dtx = s->tx_ms - p->tx_ms;
	if (s->have & EVL_SURVEY_BSS_RX)
		dbss = s->bss_rx_ms - p->bss_rx_ms;
	if (dbusy > dt)
		dbusy = dt;
	explained = drx + dtx > dbusy ? dbusy : drx + dtx;
	obss = drx > dbss ? drx - dbss : 0; /* without BSS_RX all rx counts as OBSS */

	memset(out, 0, sizeof(*out));
	out->freq = s->freq;
	out->window_ms = dt;
	out->busy_pct = pct(dbusy, dt);
	out->rx_pct = pct(drx, dt);
	out->tx_pct = pct(dtx, dt);
	out->obss_pct = pct(obss, dt);
	out->unexplained_pct = pct(dbusy - explained, dt);
	if (noise && st->have_baseline)
		out->noise_rise_db = s->noise_dbm - st->noise_baseline;

	/* non_wifi_burst: the medium is busy with energy nobody decoded, and the floor rose. */
	out->non_wifi_burst =
		out->unexplained_pct >= cfg->burst_unexplained_pct &&
		(!noise || !st->have_baseline || out->noise_rise_db >= cfg->burst_noise_rise_db);
	/* spectrum_sat: sustained high busy that is mostly decodable OBSS traffic. */
	if (!out->non_wifi_burst && out->busy_pct >= cfg->sat_busy_pct &&
	    (double)obss >= cfg->sat_obss_share * (double)dbusy)
		st->sat_run++;
	else
		st->sat_run = 0;
	out->sat_run = st->sat_run;
	out->spectrum_sat = cfg->sat_windows && st->sat_run >= cfg->sat_windows;

	/* The baseline learns only outside bursts, so a burst cannot hide itself. */
	if (noise) {
		if (!st->have_baseline) {
			st->noise_baseline = s->noise_dbm;
			st->have_baseline = true;
		} else if (!out->non_wifi_burst) {
			st->noise_baseline +=
				cfg->noise_alpha * (s->noise_dbm - st->noise_baseline);
		}
	}
	st->prev = *s;
	return 0;
}

void evl_sta_tracker_begin(struct evl_sta_tracker *t)
{
	t->n_cur = 0;
}

int evl_sta_tracker_add(struct evl_sta_tracker *t, const struct evl_sta *sta)
{
	if (!t || !sta)
		return -EINVAL;
	if (t->n_cur == EVL_STA_MAX)
		return -ENOSPC;
	t->cur[t->n_cur++] = *sta;
	return 0;
}

static const struct evl_sta *sta_find(const struct evl_sta *v, size_t n, const unsigned char *mac)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(v[i].mac, mac, 6))
			return &v[i];
	return NULL;
}

int evl_sta_tracker_end(struct evl_sta_tracker *t, uint64_t now_ns, struct evl_link_metrics *out)
{
	uint64_t sent = 0, failed = 0, retries = 0, bytes = 0;
	int r = 0;

	if (!t || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->n_sta = (unsigned int)t->n_cur;
	if (!t->have_prev || now_ns <= t->prev_ns) {
		r = -EAGAIN;
		goto keep;
	}
	out->window_ns = now_ns - t->prev_ns;
	for (size_t i = 0; i < t->n_prev; i++)
		if (!sta_find(t->cur, t->n_cur, t->prev[i].mac))
			out->disconnections++;
	for (size_t i = 0; i < t->n_cur; i++) {
		const struct evl_sta *c = &t->cur[i];
		const struct evl_sta *p = sta_find(t->prev, t->n_prev, c->mac);

		if (!p || c->tx_packets < p->tx_packets || c->tx_failed < p->tx_failed ||
		    c->tx_retries < p->tx_retries || c->tx_bytes < p->tx_bytes ||
		    c->rx_bytes < p->rx_bytes)
			continue; /* new or re-associated: no window for it yet */
		sent += c->tx_packets - p->tx_packets;
		failed += c->tx_failed - p->tx_failed;
		retries += c->tx_retries - p->tx_retries;
		bytes += (c->tx_bytes - p->tx_bytes) + (c->rx_bytes - p->rx_bytes);
	}
	if (sent) {
		out->per = failed >= sent ? 1.0 : (double)failed / (double)sent;
		out->retry_rate = (double)retries / (double)sent;
	}
	out->throughput_bps = (double)bytes * 8e9 / (double)out->window_ns;
	out->disc_per_min = (double)out->disconnections * 60e9 / (double)out->window_ns;
keep:
	memcpy(t->prev, t->cur, t->n_cur * sizeof(t->cur[0]));
	t->n_prev = t->n_cur;
	t->prev_ns = now_ns;
	t->have_prev = true;
	return r;
}

const struct evl_chan *evl_chanlist_find(const struct evl_chanlist *l, int freq)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->ch[i].freq == freq)
			return &l->ch[i];
	return NULL;
}
