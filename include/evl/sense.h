/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Radio sensing beyond BPF, as plain structs (no libnl types): survey samples and their
 * classifier (non_wifi_burst, spectrum_sat), station counters and the per-interface link
 * metrics the rollback monitor compares, and the channel list with DFS states. Filled from
 * nl80211 by evl/nl80211.h; pure arithmetic here, so tests and evl-replay can feed them.
 */
#ifndef EVL_SENSE_H
#define EVL_SENSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evl/act.h"
#include "evl/chan.h"

/* --- survey -------------------------------------------------------------------------------- */

enum {
	EVL_SURVEY_NOISE = 1 << 0,
	EVL_SURVEY_TIME = 1 << 1,
	EVL_SURVEY_BUSY = 1 << 2,
	EVL_SURVEY_EXT_BUSY = 1 << 3,
	EVL_SURVEY_RX = 1 << 4,
	EVL_SURVEY_TX = 1 << 5,
	EVL_SURVEY_BSS_RX = 1 << 6, /* rx time of our own BSS: the rest of rx is OBSS */
};

/* One NL80211_CMD_GET_SURVEY entry; times are the driver's cumulative counters in ms. */
struct evl_survey {
	int freq;
	bool in_use;
	unsigned int have; /* EVL_SURVEY_* */
	int noise_dbm;
	uint64_t time_ms, busy_ms, ext_busy_ms, rx_ms, tx_ms, bss_rx_ms;
};

struct evl_survey_cfg {
	double burst_unexplained_pct; /* busy not explained by rx+tx, % of window (30) */
	double burst_noise_rise_db;   /* noise above its baseline; ignored without noise (6) */
	double sat_busy_pct;	      /* busy % of window (80) */
	double sat_obss_share;	      /* OBSS rx share of busy time, 0..1 (0.5) */
	unsigned int sat_windows;     /* consecutive windows before spectrum_sat (3) */
	double noise_alpha;	      /* EWMA weight of the noise baseline (0.1) */
	unsigned int min_window_ms;   /* shorter windows are too noisy to judge (200) */
};

void evl_survey_cfg_default(struct evl_survey_cfg *cfg);

/* Classifier state for one interface's in-use channel. Zero-initialise. */
struct evl_survey_state {
	struct evl_survey prev;
	bool have_prev;
	bool have_baseline;
	double noise_baseline;
	unsigned int sat_run;
};

struct evl_survey_class {
	int freq;
	uint64_t window_ms;
	double busy_pct, rx_pct, tx_pct, obss_pct, unexplained_pct;
	double noise_rise_db; /* 0 without noise */
	unsigned int sat_run; /* consecutive saturated windows so far */
	bool non_wifi_burst;
	bool spectrum_sat;
};

/*
 * Feed the in-use channel's survey sample. Returns 0 with *out filled, -EAGAIN when there is no
 * usable window yet (first sample, channel changed, counters reset, window too short), or
 * -EINVAL when the sample lacks time/busy counters.
 */
int evl_survey_classify(struct evl_survey_state *st, const struct evl_survey_cfg *cfg,
			const struct evl_survey *s, struct evl_survey_class *out);

/* --- stations ------------------------------------------------------------------------------ */

enum {
	EVL_STA_TX_PACKETS = 1 << 0,
	EVL_STA_TX_FAILED = 1 << 1,
	EVL_STA_TX_RETRIES = 1 << 2,
	EVL_STA_TX_BYTES = 1 << 3,
	EVL_STA_RX_BYTES = 1 << 4,
	EVL_STA_SIGNAL = 1 << 5,
};

/* One NL80211_CMD_GET_STATION entry (cumulative counters). */
struct evl_sta {
	unsigned char mac[6];
	unsigned int have; /* EVL_STA_* */
	uint64_t tx_packets, tx_failed, tx_retries, tx_bytes, rx_bytes;
	int signal_dbm;
};

#define EVL_STA_MAX 256

/* Per-interface aggregates over one poll window: what the rollback monitor compares. */
struct evl_link_metrics {
	uint64_t window_ns;
	unsigned int n_sta;
	double per;	       /* failed / sent, 0..1 */
	double retry_rate;     /* retries per sent packet */
	double throughput_bps; /* tx + rx bytes of all stations */
	unsigned int disconnections;
	double disc_per_min;
};

/* Tracks station dumps of one interface across polls. Zero-initialise (it is large: heap). */
struct evl_sta_tracker {
	struct evl_sta prev[EVL_STA_MAX], cur[EVL_STA_MAX];
	size_t n_prev, n_cur;
	uint64_t prev_ns;
	bool have_prev;
};

void evl_sta_tracker_begin(struct evl_sta_tracker *t);
/* -ENOSPC beyond EVL_STA_MAX stations. */
int evl_sta_tracker_add(struct evl_sta_tracker *t, const struct evl_sta *sta);
/* Close the dump taken at now_ns: 0 with *out, -EAGAIN for the first dump (or time not
 * advancing). Stations present in both dumps give the counter deltas; stations gone count as
 * disconnections; a station whose counters went backwards (re-associated) is skipped. */
int evl_sta_tracker_end(struct evl_sta_tracker *t, uint64_t now_ns, struct evl_link_metrics *out);

/* --- channels ------------------------------------------------------------------------------ */

struct evl_chan {
	int freq;
	int channel;
	enum evl_band band;
	bool disabled;
	bool no_ir;
	bool radar;
	enum evl_dfs_state dfs;
	uint32_t dfs_time_ms; /* time in the current DFS state */
	uint32_t cac_ms;      /* CAC time, 0 when not reported */
	int max_power_mbm;
};

#define EVL_CHANLIST_MAX 128

struct evl_chanlist {
	int wiphy; /* only this wiphy's channels are kept; -1 = the first one seen */
	size_t n;
	struct evl_chan ch[EVL_CHANLIST_MAX];
};

const struct evl_chan *evl_chanlist_find(const struct evl_chanlist *l, int freq);

#endif /* EVL_SENSE_H */
