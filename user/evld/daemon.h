/* SPDX-License-Identifier: GPL-2.0 */
/* evld's state and the calls between its files (each file's block names it). */
#ifndef EVLD_DAEMON_H
#define EVLD_DAEMON_H

#include <time.h>

#include <json-c/json.h>

#include <evl/audit.h>
#include <evl/config.h>
#include <evl/ctl.h>
#include <evl/engine.h>
#include <evl/hostapd.h>
#include <evl/metrics.h>
#include <evl/sim.h>

#include "evld.h"

#define NS_PER_S  1000000000ull
#define NS_PER_MS 1000000ull

enum { TAG_SIGNAL = 1, TAG_TIMER, TAG_CTL, TAG_BPF, TAG_NL, TAG_HAPD };
#define TAG(kind, i) (((uint64_t)(kind) << 32) | (uint32_t)(i))

#define EVLD_MAX_REASONS 24

/* scan.c: one AP's off-channel scans, a cycle of short slices over the plan's channels. */
#define EVLD_SCAN_FREQS 64
struct evld_scan {
	uint64_t next_ns; /* next cycle (0: at start-up), UINT64_MAX: none planned */
	bool refused;	  /* the driver refuses AP scans: reported once, survey only */
	bool manual;	  /* evlctl scan asked for one */
	bool asked;	  /* the running cycle is one evlctl scan asked for */
	bool running;	  /* a cycle is in progress */
	bool slice;	  /* a slice is in the kernel */
	int freqs[EVLD_SCAN_FREQS], n, pos;	/* the cycle's channels, next slice's first */
	uint64_t cycle_ns, slice_ns, resume_ns; /* cycle start, slice start, next slice */
	uint64_t off_ns, longest_ns;		/* off-channel time of this cycle so far */
	unsigned int scans, aborted;		/* cycles completed, cut short */
	uint64_t last_ns, last_off_ms;		/* the last completed cycle */
	int last_neighbours;
	/* the request in the kernel: set when asked, ended by its event (or by an abort) */
	bool k_running, k_aborted;
	uint64_t k_started, k_ended;
};

struct evld_iface {
	char name[EVL_CONFIG_IFNAME_MAX];
	enum evl_config_actuator kind; /* sim for every interface under --sim */
	struct evl_actuator act;       /* its back end */
	int ifindex;		       /* 0 for sim */
	int wiphy_idx;		       /* -1 unknown */
	char wiphy[16];		       /* "phy0", "" unknown */
	struct evl_hapd *mon;	       /* hostapd event connection (hostapd interfaces) */
	uint64_t mon_retry_ns;	       /* next reconnect try; when attached, next liveness ping */
	bool burst, sat;	       /* last survey verdicts (events are edge-triggered) */
	uint64_t burst_ns, sat_ns;     /* last burst/sat event submitted */
	uint64_t radar_ns;	       /* last radar submitted (several sources report one) */
	bool density;		    /* a density spike is active (associations above the limit) */
	int n_clients;		    /* stations in the last client-support refresh, -1 none yet */
	uint64_t hw_restart_mono;   /* last hardware restart (BPF, CLOCK_MONOTONIC) */
	struct evl_metrics_iface m; /* for the textfile */
	struct evld_scan scan;
};

struct evld {
	const char *conf_path;
	bool sim, foreground;
	struct evl_config cfg;
	struct evl_core_config core;
	struct evld_iface ifs[EVL_CONFIG_MAX_IFACES];
	unsigned int n_if;

	/* back ends (one of each kind, shared by its interfaces) and the per-AP router */
	struct evl_sim *simact;
	void *hapd, *nlact;
	struct evl_actuator nl_actuator;
	struct evl_actuator mux;
	struct evl_nl80211 *scan_nl; /* scan.c's own nl80211 socket, opened on first use */

	struct evl_engine *e;
	struct evl_audit *audit;
	struct evld_radio *radio;
	void *bpf; /* struct evl_bpf when built with the loader */
	struct evl_ctl_server *ctl;
	struct evl_prom *prom;
	int ep, tfd, sfd;

	int64_t wall_base_us; /* wall clock at CLOCK_BOOTTIME 0 */
	char boot_id[40];
	uint64_t next_survey, next_sta, next_wiphy, next_metrics, next_hapd;
	uint64_t next_clients; /* client support from hostapd's STA list (clients.c) */
	uint64_t next_hw;      /* next check of the radios in a restart watch; 0 none */
	bool dirty, stop;
	uint64_t stop_deadline;
	char *saved; /* last state written, to skip identical rewrites */

	/* counters for the metrics file and `stats` */
	uint64_t ev_by_type[EVL_EV_TYPE_MAX];
	uint64_t act_ok, act_failed;
	struct evl_metrics_count rej[EVLD_MAX_REASONS];
	char rej_name[EVLD_MAX_REASONS][32];
	unsigned int n_rej;
	struct evl_metrics_hist hist;
	double start_wall_s;
	uint64_t seq; /* event ids */
};

/* log.c */
extern int evld_verbosity; /* EVLD_INFO, EVLD_DEBUG with -v */
uint64_t evld_clock_ns(clockid_t c);
int64_t evld_wall_us(void *ctx, uint64_t mono_ns);

/* records.c */
int evld_on_record(void *ctx, const struct evl_record *r);
void evld_audit_daemon(struct evld *d, enum evl_rec_kind kind, const char *reason);

/* route.c */
extern const struct evl_act_ops evld_mux_ops;
struct evld_iface *evld_iface_by_index(struct evld *d, int ifindex);
/* Read an interface's ifindex and wiphy (name, index) from the system. */
void evld_iface_locate(struct evld_iface *f);
void evld_restore_fallback(struct evld *d);
int evld_setup_ifaces(struct evld *d, json_object *state);
struct evl_engine *evld_engine_new(struct evld *d);

/* sense.c (and the evld_on_* calls in evld.h) */
int evld_submit(struct evld *d, enum evl_event_type type, const char *ap, int channel,
		double confidence, enum evl_severity sev, uint64_t detect_ns, const char *source);
/* Associations in the BPF station window of an interface (density_spike in the core). */
void evld_on_churn(struct evld *d, int ifindex, unsigned int assoc, uint64_t detect_ns);
enum evl_severity evld_default_severity(enum evl_event_type t);
/* A switch finished or the AP came up: settles our action or re-reads the radio. */
void evld_settle(struct evld *d, struct evld_iface *f, bool ok);

/* hw.c: is a restarted radio beaconing again? (while the core watches it) */
void evld_hw_poll(struct evld *d, uint64_t now);

/* hostapd.c */
void evld_hapd_connect(struct evld *d, struct evld_iface *f, uint64_t now);
void evld_hapd_events(struct evld *d, struct evld_iface *f);
void evld_hapd_ping(struct evld *d, struct evld_iface *f, uint64_t now);

/* clients.c: client compatibility of a hostapd AP's stations into the core. */
void evld_clients_refresh(struct evld *d, struct evld_iface *f);
/* An association changed: refresh soon (stations' capabilities are known once associated). */
void evld_clients_due(struct evld *d);

/* state.c */
void evld_read_boot_id(struct evld *d);
int evld_save_state(struct evld *d);
void evld_state_sync(struct evld *d); /* write it if it changed */
bool evld_sim_saved_conf(json_object *root, const char *name, struct evl_ap_conf *c);
json_object *evld_state_read(struct evld *d);
void evld_state_apply(struct evld *d, json_object *root);

/* reload.c */
int evld_reload(struct evld *d, char *err, size_t errlen);
int evld_load_config(const struct evld *d, struct evl_config *cfg, struct evl_core_config *core,
		     char *err, size_t errlen);

/* metrics.c */
void evld_write_metrics(struct evld *d);

/* loop.c */
void evld_polls(struct evld *d, uint64_t now);
int evld_run(struct evld *d);
int evld_watch(struct evld *d, int fd, uint64_t tag);
int evld_open_loop(struct evld *d);

/* scan.c: off-channel sensing (schedule, slices, results into the engine) and its requests */
void evld_scan_poll(struct evld *d, uint64_t now);
uint64_t evld_scan_next(const struct evld *d); /* earliest scan work, UINT64_MAX none */
/* A radar on the wiphy (name from BPF, or index), from any source: its scans stop first. */
void evld_scan_radar(struct evld *d, int wiphy_idx, const char *wiphy_name);
/* An action on f is about to run (a channel switch, a state change, a BTM request): its
 * scan ends first, so the radio is on its channel (a CSA is refused while off-channel). */
void evld_scan_yield(struct evld *d, struct evld_iface *f);
int evld_scan_request(struct evld *d, const char *iface, struct evl_ctl_reply *r);
int evld_scan_channels(struct evld *d, const char *iface, bool json, struct evl_ctl_reply *r);
void evld_scan_close(struct evld *d);

/* ctl.c */
int evld_ctl_handle(void *ctx, const struct evl_ctl_req *req, const struct evl_ctl_peer *peer,
		    struct evl_ctl_reply *r);

/* bpf.c: 0 started, -errno (logged) when BPF is not available */
int evld_bpf_start(struct evld *d);
int evld_bpf_fd(const struct evld *d); /* -1 without BPF */
void evld_bpf_consume(struct evld *d);
uint64_t evld_bpf_drops(const struct evld *d);
/* Last TX status report of an interface (CLOCK_MONOTONIC ns), 0 when none or no BPF. */
uint64_t evld_bpf_tx_last(const struct evld *d, int ifindex);
void evld_bpf_stop(struct evld *d);

#endif /* EVLD_DAEMON_H */
