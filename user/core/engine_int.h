/* SPDX-License-Identifier: GPL-2.0 */
/* Engine internals shared by engine.c, select.c and state.c. */
#ifndef EVL_ENGINE_INT_H
#define EVL_ENGINE_INT_H

#include <evl/engine.h>

/* An actuator operation in flight (action or rollback) for one AP. */
struct op {
	bool active;
	bool rollback;
	bool automatic;
	struct evl_event ev; /* triggering event (actions) */
	enum evl_action action;
	struct evl_ap_conf prev, next;
	uint64_t issued_ns, deadline_ns;
	char token[EVL_TOKEN_LEN]; /* rollbacks: the token being rolled back */
	const char *reason;
	const char *metric;
	double base, obs;
	bool has_baseline;
	struct evl_metrics baseline;
	bool scored; /* channel moves: the selector's scores below */
	struct evl_chan_score chosen, runner_up;
	bool hw; /* a re-enable attempt of a hardware failover (hw.c) */
};

/* hw.c: the hardware-restart watch of one AP. */
struct hw {
	enum evl_hw_phase phase;
	uint64_t next;			       /* watch deadline, steering end or next attempt */
	uint64_t restarts[EVL_HW_RESTART_MAX]; /* recent restart times, oldest first */
	unsigned int n_restarts;
	uint64_t total;		   /* restarts since the AP was added */
	unsigned int attempts;	   /* re-enable attempts of this failover */
	bool gone;		   /* radio removed (GONE without BACK) */
	const char *reason;	   /* why this failover runs */
	char event_id[EVL_ID_LEN]; /* the hw_failure event behind it, "" none */
	bool has_bss;
	struct evl_ap_bss bss; /* last known SSID/BSSID (from the actuator) */
};

struct ap {
	char id[EVL_ID_LEN];
	struct evl_ap_conf conf; /* the engine's idea of what the radio has */
	struct evl_chan_report rep[EVL_CHAN_MAX];
	unsigned char dfs[EVL_CHAN_MAX]; /* enum evl_dfs_state */
	uint64_t cooldown_until;
	bool has_metrics;
	struct evl_metrics last;
	struct op op;
	int armed[EVL_FALLBACK_MAX]; /* radar fallback the actuator took */
	int n_armed;		     /* -1: none (yet, or the last try failed) */
	bool arm_unsupported;	     /* the back end has no fallback of its own */
	/* facts.c: what turns raw reports into events */
	uint64_t radar_ns;	   /* last radar report that became an event */
	bool burst, sat;	   /* last survey verdicts */
	uint64_t burst_ns, sat_ns; /* last burst / saturation event */
	bool density;		   /* a density spike is active */
	uint64_t rep_until;	   /* air.c: earliest decay of a report, UINT64_MAX none */
	/* plan.c: the kernel's channel plan and client compatibility */
	bool has_plan;			  /* plan[] replaces the built-in table */
	unsigned char plan[EVL_CHAN_MAX]; /* PLAN_* flags */
	int max_mbm[EVL_CHAN_MAX];	  /* regulatory limit, 0 = none reported */
	int tx_mbm;			  /* the AP's TX power, 0 = unknown */
	float csup[4][EVL_CHAN_MAX];	  /* client support by width (20..160) and channel */
	struct hw hw;
};

struct token {
	char id[EVL_TOKEN_LEN];
	size_t ap;
	char event_id[EVL_ID_LEN];
	enum evl_event_type etype;
	enum evl_action action;
	struct evl_ap_conf prev, next;
	uint64_t created, monitor_until, expires;
	bool monitoring;
	bool has_baseline;
	struct evl_metrics baseline;
	unsigned int bad; /* consecutive degraded samples */
};

struct qev {
	struct evl_event ev;
	uint64_t seq;
};

struct nop {
	size_t ap;
	int channel;
	uint64_t until;
};

struct evl_engine {
	struct evl_core_config cfg;
	struct evl_actuator act;
	struct evl_record_sink sink;
	uint64_t rng, rng_tok;
	struct ap *aps;
	size_t n_aps;
	struct qev *q;
	size_t nq;
	uint64_t seq;
	struct token *tok; /* oldest first */
	size_t ntok, tok_cap;
	struct nop *nop;
	size_t nnop;
	struct evl_stats st;
	bool audit_down;
	uint64_t fact_seq; /* ids of the events facts.c makes */
	bool arm_dirty;	   /* an input of the radar candidates changed since the last arming */
};

uint64_t evl_rng_next(uint64_t *s);
/* realloc() of the core's tables; a test may override it (weak, user/core/alloc.c). */
void *evl_core_realloc(void *p, size_t size);
struct ap *evl_engine_find_ap(const struct evl_engine *e, const char *id);

static inline size_t ap_idx(const struct evl_engine *e, const struct ap *a)
{
	return (size_t)(a - e->aps);
}

bool evl_engine_in_nop(const struct evl_engine *e, size_t ap, int channel);
/* Pick a channel for a move away from @avoid (0 = none). 0 or -ENOSPC. */
int evl_select_channel(struct evl_engine *e, size_t ap, int avoid, bool radar,
		       struct evl_chandef *out);
/* Hand each 5 GHz AP's changed radar candidates to the actuator (select.c). */
void evl_fallback_sync(struct evl_engine *e);
/* NOP list (nop.c): 0 or -ENOMEM (the entry is not kept: the caller must say so). */
int evl_nop_add(struct evl_engine *e, size_t ap, int channel, uint64_t until);
int evl_nop_radar(struct evl_engine *e, struct ap *a, int channel, uint64_t now);
bool evl_block_in_nop(const struct evl_engine *e, size_t ap, const struct evl_ap_conf *c);
/* hw.c: the hardware-restart watch. */
void evl_hw_tick(struct evl_engine *e, uint64_t now);
uint64_t evl_hw_next_deadline(const struct evl_engine *e);
/* State file: the running failovers as a JSON array; load() checks (apply false) or applies
 * the optional "failovers" member of @root: skipped entries (unknown APs) or -EINVAL. */
struct json_object *evl_hw_save(const struct evl_engine *e);
int evl_hw_load(struct evl_engine *e, struct json_object *root, bool apply);
/* A hw_failure event reached the matrix: true when hw.c took it (steering first). */
bool evl_hw_intercept(struct evl_engine *e, struct ap *a, const struct evl_event *ev, uint64_t now);
/* A re-enable attempt finished (err 0 = the AP is up). */
void evl_hw_attempt_done(struct evl_engine *e, struct ap *a, int err, uint64_t now);
/* engine.c: issue a state change for hw.c as a failover action; 0, -EBUSY, -errno. */
int evl_engine_hw_issue(struct evl_engine *e, struct ap *a, enum evl_ap_state st,
			const char *reason, const char *event_id, uint64_t now);
void evl_engine_emit(struct evl_engine *e, struct evl_record *r);

/* The 20 MHz channels of the blocks a radar move of @ap would accept now, ascending. */
int evl_select_radar_fallback(const struct evl_engine *e, size_t ap, int *chans, int max);

/* No channel of the block in NOP or reported unavailable (select.c). */
bool evl_select_usable(const struct evl_engine *e, size_t ap, const int *sub, int n);
/* Score of one block with its weighted parts (select.c). */
double evl_select_score(const struct evl_engine *e, const struct ap *a, const int *sub, int n,
			struct evl_chan_score *out);
/* air.c: channel reports decay to unknown scan_max_age_s after they were measured. */
void evl_air_note(struct evl_engine *e, struct ap *a, int channel);
void evl_air_expire(struct evl_engine *e, uint64_t now);
uint64_t evl_air_deadline(const struct evl_engine *e);
/* channels.c: the best block other than @chosen for a move away from @avoid, without a CAC
 * when @no_cac (a radar move that found a CAC-free block): 0 or -ENOENT. */
int evl_select_runner_up(const struct evl_engine *e, size_t ap, int avoid, int width, int chosen,
			 bool no_cac, struct evl_chan_score *out);
/* plan.c: the AP's channel plan (kernel or built-in) and client support. */
void evl_plan_init(struct ap *a);
bool evl_plan_is_dfs(const struct ap *a, int channel);
/* Like evl_chan_block() under the AP's plan. */
int evl_plan_block(const struct evl_engine *e, const struct ap *a, int channel, int width,
		   int sub[EVL_BLOCK_MAX]);
int evl_plan_chandef(const struct evl_engine *e, const struct ap *a, int channel, int width,
		     struct evl_chandef *out);
/* The TX power a block allows, capped at the AP's (mBm; INT_MAX: no plan or power unknown). */
int evl_plan_power(const struct ap *a, const int *sub, int n);
/* Client support of the block of @width holding @channel (1 when unreported). */
double evl_plan_clients(const struct ap *a, int channel, int width);

#endif /* EVL_ENGINE_INT_H */
