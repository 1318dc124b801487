/* SPDX-License-Identifier: GPL-2.0 */
/* evld's state, shared by main.c (start-up, loop), ctl.c (control requests), bpf.c. */
#ifndef EVLD_DAEMON_H
#define EVLD_DAEMON_H

#include <evl/audit.h>
#include <evl/config.h>
#include <evl/ctl.h>
#include <evl/engine.h>
#include <evl/hostapd.h>
#include <evl/metrics.h>
#include <evl/sim.h>

#include "evld.h"

#define EVLD_MAX_REASONS 24

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
	bool density;		       /* a density spike is active (associations above the limit) */
	struct evl_metrics_iface m;    /* for the textfile */
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

/* main.c */
int evld_submit(struct evld *d, enum evl_event_type type, const char *ap, int channel,
		double confidence, enum evl_severity sev, uint64_t detect_ns, const char *source);
/* density_spike from station churn; ended lifts the admission limit */
int evld_submit_density(struct evld *d, const char *ap, bool ended, uint64_t detect_ns);
struct evld_iface *evld_iface_by_index(struct evld *d, int ifindex);
int evld_reload(struct evld *d, char *err, size_t errlen);
void evld_state_sync(struct evld *d);
enum evl_severity evld_default_severity(enum evl_event_type t);

/* ctl.c */
int evld_ctl_handle(void *ctx, const struct evl_ctl_req *req, const struct evl_ctl_peer *peer,
		    struct evl_ctl_reply *r);

/* bpf.c: 0 started, -errno (logged) when BPF is not available */
int evld_bpf_start(struct evld *d);
int evld_bpf_fd(const struct evld *d); /* -1 without BPF */
void evld_bpf_consume(struct evld *d);
uint64_t evld_bpf_drops(const struct evld *d);
void evld_bpf_stop(struct evld *d);

#endif /* EVLD_DAEMON_H */
