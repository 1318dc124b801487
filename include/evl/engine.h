/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decision core: event-action matrix, gates (confidence, cooldown, stale, audit), priority
 * queue, DFS-aware channel selector, rollback manager (tokens, monitoring, expiry), NOP list.
 * Pure: no I/O, no clock. Every time argument is monotonic ns (CLOCK_BOOTTIME in the daemon),
 * never decreasing between calls. Effects go out through an evl_actuator; every decision is
 * recorded through an evl_record_sink. Not thread-safe: one caller.
 */
#ifndef EVL_ENGINE_H
#define EVL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <evl/act.h>
#include <evl/chan.h>
#include <evl/event.h>
#include <evl/record.h>

enum evl_action {
	EVL_ACTION_NONE,
	EVL_ACTION_CHANNEL_CHANGE,
	EVL_ACTION_OBSS_PD_TUNE,
	EVL_ACTION_ADMISSION_CONTROL,
	EVL_ACTION_FAILOVER,
	EVL_ACTION_MAX,
};

const char *evl_action_name(enum evl_action a); /* "channel_change", ... */
int evl_action_parse(const char *s, enum evl_action *out);

struct evl_matrix_entry {
	enum evl_action action;
	uint32_t window_s; /* rollback window; 0 = no token (failover) or "until spike ends" */
};

#define EVL_HW_BACKOFF_MAX 8
#define EVL_HW_RESTART_MAX 32

/* Every tunable of the core. evl_core_config_init() sets the seed's values. */
struct evl_core_config {
	double min_confidence;	   /* events below are rejected (low_confidence) */
	uint32_t cooldown_s;	   /* per-AP gap between actions (dfs_radar exempt) */
	uint32_t monitor_s;	   /* post-action monitoring window */
	uint32_t rollback_samples; /* consecutive degraded samples that trigger rollback */
	double per_rise_rel;	   /* relative rise of PER that counts as degraded */
	double per_rise_abs;	   /* ... and at least this absolute rise (fraction) */
	double retry_rise_rel;
	double retry_rise_abs;
	double tput_drop_rel;	/* relative throughput fall */
	double tput_min_mbps;	/* ... judged only above this baseline (idle links are noise) */
	double disconnects_max; /* per minute */
	uint32_t nop_s;		/* non-occupancy period after radar */
	uint32_t confirm_timeout_ms; /* EVL_ACT_PENDING -> failed after this */
	double tie_margin;	     /* selector: candidates this close to the best tie */
	double w_interference, w_neighbors, w_clients, w_dfs;
	int obss_pd_start;	      /* dBm used when OBSS-PD was off */
	int obss_pd_step;	      /* dB raised per spectrum_sat action */
	int obss_pd_max;	      /* dBm ceiling (-62 in 802.11ax) */
	int density_max_sta;	      /* admission limit while a density spike lasts */
	uint32_t density_hold_s;      /* admission control lifted after this if no end arrives */
	uint32_t queue_max;	      /* pending events; more are rejected (queue_full) */
	uint32_t radar_dedup_ms;      /* radar reports of one AP this close are one radar */
	uint32_t survey_repeat_s;     /* a burst/saturation verdict that lasts: again after */
	uint32_t density_assoc_limit; /* associations per station window: density_spike; 0 off */
	uint32_t scan_interval_s;     /* evld: off-channel scan of each AP every ...; 0 off */
	uint32_t scan_max_age_s;      /* channel reports older than this are unknown; 0 never */
	int scan_floor_dbm;	      /* neighbour BSSs weaker than this are not counted */
	/* hardware restarts (user/core/hw.c) */
	uint32_t hw_recover_s;	      /* a restart must be followed by "beaconing" within this */
	uint32_t hw_restart_max;      /* this many restarts ... */
	uint32_t hw_restart_window_s; /* ... within this: a crash loop */
	uint32_t hw_steer_ms;	      /* BTM request to the stations, then the failed AP stops */
	uint32_t hw_backoff_s[EVL_HW_BACKOFF_MAX]; /* waits before each re-enable; last repeats */
	uint32_t n_hw_backoff;
	enum evl_country country;
	int64_t unix_base_s; /* wall-clock seconds at engine time 0 (token names only) */
	struct evl_matrix_entry matrix[EVL_EV_TYPE_MAX];
};

void evl_core_config_init(struct evl_core_config *cfg);
/*
 * Set one tunable by name from a string ("cooldown_s", "10"; "matrix.spectrum_sat",
 * "none"; "window.non_wifi_burst", "600"; "country", "US"). Returns 0, -ENOENT for an
 * unknown key, -EINVAL for a malformed value, -ERANGE for one out of range; cfg is unchanged
 * on error. evl_core_config_expect() names what a key accepts (NULL for an unknown key), so
 * callers can print "cooldown_s: expected an integer 0..86400".
 */
int evl_core_config_set(struct evl_core_config *cfg, const char *key, const char *value);
const char *evl_core_config_expect(const char *key);

struct evl_metrics {
	double per;   /* packet error rate, fraction 0..1 */
	double retry; /* retry rate, fraction 0..1 */
	double throughput_mbps;
	double disconnects_per_min;
	int clients;
};

/*
 * Per-channel survey knowledge for the selector (unreported: 0, 0, 1.0). measured_ns is the
 * engine time the facts were taken: scan_max_age_s later the report decays to unknown
 * (neutral); 0 = timeless (scenarios, tests). neighbor_load > 0 replaces the plain count in
 * the score (neighbours weighted by signal); strongest_dbm is shown only (0 = none).
 */
struct evl_chan_report {
	double interference;   /* fraction of airtime busy with non-BSS energy, 0..1 */
	int neighbors;	       /* overlapping neighbour BSSs on this 20 MHz channel */
	double client_support; /* fraction of the AP's clients able to use it, 0..1 */
	double neighbor_load;  /* sum of the neighbours' weights (0..1 each by signal) */
	int strongest_dbm;     /* strongest neighbour's signal, 0 = none */
	uint64_t measured_ns;  /* 0 = never decays */
};

/* A block's score and its weighted parts (total = the sum), as the selector computed it. */
struct evl_chan_score {
	int channel; /* primary 20 MHz channel of the block */
	int width;   /* MHz */
	double total, interference, neighbors, clients, dfs;
	bool cac; /* moving there needs a CAC first */
};

struct evl_stats {
	uint64_t events_processed, actions_executed, actions_failed, events_rejected;
	uint64_t rollbacks_triggered, rollbacks_automatic, rollbacks_manual;
	uint64_t pending_events, active_monitoring, tokens_active;
	uint64_t tokens_created;
};

struct json_object;
/* The statistics as one JSON object, a member per field (the seed's names); caller puts it. */
struct json_object *evl_stats_json(const struct evl_stats *s);
/*
 * The one JSON form of an AP's configuration ({"band": "5g", "channel": 52, "bandwidth": 80,
 * "tx_power": 23, "obss_pd": 0, "max_sta": 0, "state": "up"}): state file, control replies,
 * evl-replay. from_json() checks every field (channel in the band, widths, ranges): 0 or
 * -EINVAL.
 */
struct json_object *evl_ap_conf_json(const struct evl_ap_conf *c);
int evl_ap_conf_from_json(struct json_object *o, struct evl_ap_conf *c);
/* The seed's print_status() view into buf (snprintf semantics). */
int evl_stats_status(const struct evl_stats *s, char *buf, size_t len);

#define EVL_TOKEN_LEN 48

struct evl_token_info {
	char id[EVL_TOKEN_LEN];
	char ap[EVL_ID_LEN];
	char event_id[EVL_ID_LEN];
	enum evl_event_type event_type;
	enum evl_action action;
	struct evl_ap_conf prev, next;
	uint64_t created_ns, monitor_until_ns, expires_ns;
	bool monitoring;
};

struct evl_nop_info {
	char ap[EVL_ID_LEN];
	int channel;
	uint64_t until_ns;
};

#define EVL_FALLBACK_MAX 32 /* 20 MHz channels of a 5 GHz plan, with room */

/* Where an AP is in the hardware-restart watch (user/core/hw.c). */
enum evl_hw_phase {
	EVL_HW_IDLE,  /* nothing running */
	EVL_HW_WATCH, /* restarted: waiting for it to beacon again */
	EVL_HW_STEER, /* failed: stations asked to move, the AP stops after hw_steer_ms */
	EVL_HW_DOWN,  /* failed over: stopped, re-enabled with back-off */
	EVL_HW_PHASE_MAX,
};
const char *evl_hw_phase_name(enum evl_hw_phase p); /* "idle", "watch", "steer", "down" */

struct evl_ap_info {
	char id[EVL_ID_LEN];
	struct evl_ap_conf conf;
	int fallback[EVL_FALLBACK_MAX]; /* armed as the radio's own radar fallback */
	int n_fallback;			/* -1: nothing armed */
	uint64_t cooldown_until_ns;
	bool pending;	 /* an action is issued and awaits confirmation */
	bool monitoring; /* a rollback token watches the metrics after an action */
	bool has_metrics;
	struct evl_metrics last;
	enum evl_hw_phase hw_phase;
	uint64_t hw_restarts;	  /* restarts seen since the AP was added */
	unsigned int hw_attempts; /* re-enable attempts of the running failover */
	uint64_t hw_next_ns;	  /* watch deadline, steering end or next attempt; 0 none */
};

struct evl_engine;

/* cfg is copied; act and sink are borrowed (sink.record may be NULL: records dropped). */
struct evl_engine *evl_engine_new(const struct evl_core_config *cfg, struct evl_actuator act,
				  struct evl_record_sink sink, uint64_t seed);
void evl_engine_free(struct evl_engine *e);
/*
 * New tunables for a running engine (a reload): every piece of state stays (queue, tokens,
 * cooldowns, NOP list, DFS states, pending confirmations, RNG, audit gate); what the new
 * values change applies from the next call on. unix_base_s is kept from the engine.
 */
void evl_engine_set_config(struct evl_engine *e, const struct evl_core_config *cfg);

/* Add an AP with its current configuration (conf->band is the radio). -EEXIST, -EINVAL. */
int evl_engine_add_ap(struct evl_engine *e, const char *id, const struct evl_ap_conf *conf);

/* Queue an event (gates that need no state run here: unknown AP, confidence, queue full). */
int evl_engine_submit(struct evl_engine *e, const struct evl_event *ev, uint64_t now);
/*
 * Raw sensor facts: the rules that turn them into events live here, so evld and evl-replay
 * run the same ones. Each returns the set of event types it queued (1u << type; call tick()),
 * 0 when the rule absorbed the report, or -ENOENT (unknown AP) / -EINVAL.
 *  radar:  from any source (eBPF, nl80211, hostapd): reports of one AP within radar_dedup_ms
 *          of the last one are that radar again; channel 0 = unknown, then an AP whose block
 *          holds no DFS channel is not concerned.
 *  survey: the latest burst / saturation verdicts: an event on the rising edge and again
 *          every survey_repeat_s while the verdict lasts.
 *  churn:  associations in the station window: density_spike at density_assoc_limit or
 *          more, its end once the window holds half the limit or less (hysteresis).
 */
int evl_engine_radar_report(struct evl_engine *e, const char *ap, int channel, uint64_t detect_ns,
			    const char *source, uint64_t now);
int evl_engine_survey_report(struct evl_engine *e, const char *ap, bool burst, bool sat,
			     const char *source, uint64_t now);
int evl_engine_station_churn(struct evl_engine *e, const char *ap, unsigned int assoc,
			     uint64_t detect_ns, const char *source, uint64_t now);

/*
 * Hardware facts (user/core/hw.c). A restart is recorded and watched: when UP follows within
 * hw_recover_s it recovered and nothing else happens. Failover runs when it does not, on a
 * crash loop (hw_restart_max restarts within hw_restart_window_s), when the radio is GONE, or
 * on a hw_failure event: the stations are asked (BTM) to move to the least loaded other AP
 * of the same SSID that is up, hw_steer_ms later the AP is disabled (the matrix action of
 * hw_failure), then re-enabled after each hw_backoff_s wait until it works; UP or a successful
 * re-enable ends the failover. BACK (the interface exists again) tries at once.
 * Returns 0, -ENOENT (unknown AP) or -EINVAL.
 */
enum evl_hw_fact {
	EVL_HW_RESTART, /* the driver restarted the hardware (mac80211 api_restart_hw) */
	EVL_HW_UP,	/* the AP beacons again: hostapd ENABLED on an up interface, TX status */
	EVL_HW_GONE,	/* its wiphy or interface was removed */
	EVL_HW_BACK,	/* its interface exists again */
	EVL_HW_FACT_MAX,
};
int evl_hw_fact_parse(const char *s, enum evl_hw_fact *out); /* "restart", "up", "gone", "back" */
int evl_engine_hw_fact(struct evl_engine *e, const char *ap, enum evl_hw_fact fact,
		       const char *source, uint64_t now);

/* Run due work: queue, confirmation timeouts, monitoring ends, token expiry, NOP expiry. */
void evl_engine_tick(struct evl_engine *e, uint64_t now);
/* Earliest time tick() has work to do, UINT64_MAX when none. */
uint64_t evl_engine_next_deadline(const struct evl_engine *e);

/* Result of an action that answered EVL_ACT_PENDING: -ENOENT when none is pending. */
int evl_engine_confirm(struct evl_engine *e, const char *ap, bool ok, uint64_t now);
/*
 * The radio changed without the engine (hostapd's own DFS move, an operator's command):
 * re-read its configuration through the actuator. -ENOENT unknown AP, -EBUSY while an action
 * of ours is pending (its confirmation settles it), else get_conf's result.
 */
int evl_engine_refresh(struct evl_engine *e, const char *ap);

/* A metrics sample for an AP: baseline for later actions, rollback check for live ones. */
int evl_engine_metrics(struct evl_engine *e, const char *ap, const struct evl_metrics *m,
		       uint64_t now);
int evl_engine_chan_report(struct evl_engine *e, const char *ap, int channel,
			   const struct evl_chan_report *r);
int evl_engine_dfs_state(struct evl_engine *e, const char *ap, int channel, enum evl_dfs_state st);

/* One 20 MHz channel of the plan the kernel applied to a radio (nl80211 wiphy channel list). */
struct evl_plan_chan {
	enum evl_band band;
	int channel;
	bool disabled;	   /* not in the regulatory domain, or off in the driver */
	bool no_ir;	   /* may not initiate radiation (no AP), unless radar and CAC done */
	bool radar;	   /* DFS channel */
	int max_power_mbm; /* regulatory limit, mBm; 0 = not reported */
};

/*
 * The kernel's channel plan for @ap: replaces the built-in table of cfg.country for this AP
 * (an AP is allowed a channel that is neither disabled nor no-IR, or that is a radar channel;
 * DFS is the kernel's radar flag). Channels of other bands are ignored; a list without a
 * channel of the AP's band (n = 0) goes back to the built-in table. tx_power_mbm is the AP's
 * current TX power (0 = unknown): a block whose regulatory limit is below it ranks below
 * every block that allows it (among the candidates of one width and CAC class; when none
 * allows it, those that allow the most win), as a move there would shrink the AP's coverage.
 * 0, -ENOENT, -EINVAL (a channel that does not exist, a negative power; nothing applied).
 */
int evl_engine_set_plan(struct evl_engine *e, const char *ap, const struct evl_plan_chan *ch,
			size_t n, int tx_power_mbm);
/* The AP's plan as the selector uses it (kernel or built-in): allowed, DFS, limit (0 none). */
int evl_engine_plan_chan(const struct evl_engine *e, const char *ap, int channel, bool *allowed,
			 bool *dfs, int *max_power_mbm);

/*
 * Client compatibility: the fraction (0..1) of the AP's associated stations that can use the
 * block of @width MHz (20, 40, 80, 160) holding @channel. It caps the chan_report's
 * client_support of that block; unreported: 1. 0, -ENOENT, -EINVAL.
 */
int evl_engine_client_support(struct evl_engine *e, const char *ap, int channel, int width,
			      double fraction);

/* Manual rollback: 0, -ENOENT (no live token), -EBUSY (refused: nop_active), -errno. */
int evl_engine_rollback_token(struct evl_engine *e, const char *token, uint64_t now);
int evl_engine_rollback_ap(struct evl_engine *e, const char *ap, uint64_t now);

/*
 * Radar fallback: whoever reacts to a radar first, evl or the radio's own DFS code (hostapd),
 * the AP lands where the selector would put it. After every change of its inputs (NOP, DFS
 * state, channel, reports) the engine hands each 5 GHz AP's radar candidates to the actuator's
 * set_radar_fallback: the CAC-free blocks within tie_margin of the best, at the widest width
 * that has one (CAC blocks only when no CAC-free one is left; unchanged when none at all).
 * radar_candidates() fills that list without arming it and returns its length.
 * rearm() sends the list again (NULL: every AP), e.g. after hostapd restarted.
 */
int evl_engine_radar_candidates(const struct evl_engine *e, const char *ap, int *chans, int max);
void evl_engine_rearm(struct evl_engine *e, const char *ap);

/*
 * The table the selector sees for one AP (`evlctl channels`): every channel of the AP's band
 * and plan, ascending, with its report (decayed ones as unknown), DFS state, NOP and the score
 * of the block at the AP's width (narrower when none) that holds it. Up to @max rows; returns
 * how many exist, -ENOENT for an unknown AP.
 */
struct evl_chan_row {
	int channel;
	bool dfs;		      /* a radar channel */
	enum evl_dfs_state dfs_state; /* as the driver reported it */
	uint64_t nop_until_ns;	      /* 0 = not in non-occupancy */
	bool usable;		      /* neither in NOP nor unavailable */
	bool current;		      /* in the AP's current block */
	bool armed;		      /* in the radar fallback handed to the radio */
	bool known;		      /* a report is there and not decayed */
	uint64_t age_ns;	      /* of the report (0 = timeless or none) */
	struct evl_chan_report rep;
	struct evl_chan_score score;
};
int evl_engine_channels(const struct evl_engine *e, const char *ap, uint64_t now,
			struct evl_chan_row *out, int max);

void evl_engine_stats(const struct evl_engine *e, struct evl_stats *out);
/* Fill up to @max entries; return how many exist. */
size_t evl_engine_tokens(const struct evl_engine *e, struct evl_token_info *out, size_t max);
size_t evl_engine_nop(const struct evl_engine *e, struct evl_nop_info *out, size_t max);
size_t evl_engine_aps(const struct evl_engine *e, struct evl_ap_info *out, size_t max);
/* One AP: 0 or -ENOENT. */
int evl_engine_ap(const struct evl_engine *e, const char *id, struct evl_ap_info *out);

/*
 * Persistence: live tokens, NOP list and per-AP baselines as a JSON string (malloc'd; NULL and
 * errno on failure). Times are engine time (monotonic ns): valid only within one boot when the
 * daemon uses CLOCK_BOOTTIME. load_state() applies all or nothing: -EINVAL on malformed JSON,
 * tokens/NOP entries of unknown APs are skipped (the count of skipped ones is returned).
 */
char *evl_engine_save_state(const struct evl_engine *e);
int evl_engine_load_state(struct evl_engine *e, const char *json);

#endif /* EVL_ENGINE_H */
