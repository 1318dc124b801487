/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the decision core tells the audit trail. The core fills one of these for every
 * decision and hands it to an evl_record_sink; the audit module turns it into a signed,
 * chained JSON line. Identifiers here are RAW (ap name, event id): the audit layer hashes
 * them before anything reaches a file. Strings are borrowed for the duration of the call.
 */
#ifndef EVL_RECORD_H
#define EVL_RECORD_H

#include <stddef.h>
#include <stdint.h>

struct evl_chan_score; /* evl/engine.h */

enum evl_rec_kind {
	EVL_REC_ACTION,		  /* action executed (success) or failed */
	EVL_REC_REJECTED,	  /* event rejected by a gate (reason says which) */
	EVL_REC_TOKEN_CREATED,	  /* rollback token issued for an action */
	EVL_REC_ROLLBACK,	  /* automatic (trigger metric in reason) or manual */
	EVL_REC_ROLLBACK_REFUSED, /* e.g. nop_active */
	EVL_REC_TOKEN_EXPIRED,	  /* rollback window ended, configuration kept */
	EVL_REC_KEY_ROTATION,	  /* MAC key epoch advanced (written by the audit layer) */
	EVL_REC_SECRET_ROTATION,  /* site secret epoch advanced */
	EVL_REC_DAEMON_START,
	EVL_REC_DAEMON_STOP,
	EVL_REC_TORN_LINE, /* a torn tail found on start and moved aside */
	EVL_REC_NOTE,	   /* anything else worth proving (e.g. radar seen, switch confirmed) */
	EVL_REC_KIND_MAX,
};

#define EVL_REC_MAX_CHANGES 4

struct evl_change {
	const char *param; /* "channel", "bandwidth", "tx_power", "obss_pd", "max_sta", "state" */
	int64_t old_value;
	int64_t new_value;
};

struct evl_record {
	enum evl_rec_kind kind;
	uint64_t mono_ns;	 /* engine time (monotonic ns); the sink maps it to wall-clock */
	const char *event_id;	 /* may be NULL */
	const char *event_type;	 /* "dfs_radar", ... ; may be NULL */
	const char *ap;		 /* RAW AP identifier; hashed by the audit layer; may be NULL */
	const char *radio;	 /* "2g", "5g", "6g"; may be NULL */
	const char *action_type; /* "channel_change", "obss_pd_tune", ... ; may be NULL */
	struct evl_change changes[EVL_REC_MAX_CHANGES];
	unsigned int n_changes;
	const char *token;  /* rollback token; never contains a raw identifier */
	const char *status; /* "success", "failed", "refused", "rolled_back", "expired" or NULL */
	const char *reason; /* machine-readable reason ("low_confidence", "per_rise", ...) */
	const char *source; /* "ebpf", "nl80211", "hostapd", "inject", "replay", "daemon" */
	int64_t detect_to_action_us; /* < 0 when unknown */
	/* Aggregate metric that triggered an automatic rollback (NULL when none). */
	const char *metric;
	double metric_baseline;
	double metric_observed;
	/* Regulatory milestones of a radar move, engine time in ns (0 when not applicable). */
	uint64_t radar_ns;
	uint64_t switch_issued_ns;
	uint64_t switch_confirmed_ns;
	/* Channel moves: the chosen block's score and the best other one's (NULL when none). */
	const struct evl_chan_score *score;
	const struct evl_chan_score *runner_up;
};

/*
 * Where records go. record() returns 0 or -errno; a negative return means the record is not
 * yet durable, and the core then refuses new non-regulatory actions until a later record()
 * succeeds (DFS moves still happen; the sink keeps them in memory and writes them when it can).
 */
struct evl_record_sink {
	int (*record)(void *ctx, const struct evl_record *rec);
	void *ctx;
};

/*
 * The one text form of a record, as evld logs it and evl-replay prints it ("ap1:
 * channel_change for non_wifi_burst success: channel 6 -> 11 token evl-..."). snprintf
 * semantics.
 */
int evl_record_text(const struct evl_record *r, char *buf, size_t len);

#endif /* EVL_RECORD_H */
