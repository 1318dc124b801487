/* SPDX-License-Identifier: GPL-2.0 */
/*
 * evld's metrics for fleets: the daemon fills one struct evl_metrics_snapshot from the engine,
 * audit, BPF loader and nl80211 counters each interval; evl_metrics_render() turns it into the
 * Prometheus families documented in the README, and evl_prom_write() puts it in place.
 */
#ifndef EVL_METRICS_H
#define EVL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include <evl/sys.h>

/* detect -> action latency buckets, microseconds (upper bounds; +Inf implied). */
#define EVL_METRICS_LAT_BUCKETS 12
extern const double evl_metrics_lat_le_us[EVL_METRICS_LAT_BUCKETS];

struct evl_metrics_hist {
	uint64_t counts[EVL_METRICS_LAT_BUCKETS + 1];
	double sum;
};

void evl_metrics_hist_add(struct evl_metrics_hist *h, double us);

/* A labelled counter: label value (e.g. an event type) and its count. */
struct evl_metrics_count {
	const char *label;
	uint64_t value;
};

struct evl_metrics_iface {
	const char *name;
	double per;   /* packet error rate, 0..1 */
	double retry; /* retry ratio, 0..1 */
	double busy;  /* channel busy ratio, 0..1 */
	int channel;
	unsigned int stations;
	unsigned int scans;	   /* off-channel scan cycles completed */
	double scan_offchannel_ms; /* the last one's time away from the AP's channel */
	uint64_t hw_restarts; /* hardware restarts seen */
	int hw_failover;      /* 1 while failed over */
};

struct evl_metrics_snapshot {
	const struct evl_metrics_count *events; /* by event type */
	size_t n_events;
	const struct evl_metrics_count *actions; /* by status: success, failed */
	size_t n_actions;
	const struct evl_metrics_count *rejected; /* by reason: low_confidence, cooldown, ... */
	size_t n_rejected;
	uint64_t rollbacks_automatic, rollbacks_manual;
	uint64_t active_tokens;
	uint64_t nop_channels;
	uint64_t ringbuf_drops; /* records the BPF side could not queue */
	uint64_t audit_write_errors;
	uint64_t audit_pending; /* records held in memory, not yet durable */
	uint64_t ctl_requests;
	struct evl_metrics_hist detect_to_action;
	const struct evl_metrics_iface *ifaces;
	size_t n_ifaces;
	double start_time_s; /* wall clock, seconds since the epoch */
};

/* Append every family to p (empty it first with evl_prom_reset). 0 or -errno. */
int evl_metrics_render(struct evl_prom *p, const struct evl_metrics_snapshot *m);

#endif /* EVL_METRICS_H */
