// SPDX-License-Identifier: GPL-2.0
/* evld's Prometheus families (reference in the README's metrics section). */
#include <errno.h>

#include <evl/metrics.h>

const double evl_metrics_lat_le_us[EVL_METRICS_LAT_BUCKETS] = {
	50, 100, 250, 500, 1000, 2500, 5000, 10000, 50000, 250000, 1000000, 5000000,
};

void evl_metrics_hist_add(struct evl_metrics_hist *h, double us)
{
	size_t i = 0;

	while (i < EVL_METRICS_LAT_BUCKETS && us > evl_metrics_lat_le_us[i])
		i++;
	h->counts[i]++;
	h->sum += us;
}

static int labelled(struct evl_prom *p, const char *name, const char *help, const char *label,
		    const struct evl_metrics_count *c, size_t n)
{
	int rc = evl_prom_family(p, name, "counter", help);

	for (size_t i = 0; !rc && i < n; i++)
		rc = evl_prom_sample(p, name, &(struct evl_prom_label){label, c[i].label}, 1,
				     c[i].value);
	return rc;
}

static int one(struct evl_prom *p, const char *name, const char *type, const char *help, double v)
{
	int rc = evl_prom_family(p, name, type, help);

	return rc ? rc : evl_prom_sample(p, name, NULL, 0, v);
}

/* One family per interface field (a gauge; the restart count is a counter). */
static int per_iface(struct evl_prom *p, const struct evl_metrics_snapshot *m, const char *name,
		     const char *help, size_t field)
{
	int rc = evl_prom_family(p, name, field == 7 ? "counter" : "gauge", help);

	for (size_t i = 0; !rc && i < m->n_ifaces; i++) {
		const struct evl_metrics_iface *f = &m->ifaces[i];
		double v = field == 0	? f->per
			   : field == 1 ? f->retry
			   : field == 2 ? f->busy
			   : field == 3 ? (double)f->channel
			   : field == 4 ? (double)f->stations
			   : field == 5 ? (double)f->scans
			   : field == 6 ? f->scan_offchannel_ms
			   : field == 7 ? (double)f->hw_restarts
					: (double)f->hw_failover;

		rc = evl_prom_sample(p, name, &(struct evl_prom_label){"interface", f->name}, 1, v);
	}
	return rc;
}

int evl_metrics_render(struct evl_prom *p, const struct evl_metrics_snapshot *m)
{
	const struct evl_prom_label au = {"kind", "automatic"}, ma = {"kind", "manual"};
	int rc;

	rc = labelled(p, "evl_events_total", "Events received, by type.", "type", m->events,
		      m->n_events);
	if (!rc)
		rc = labelled(p, "evl_actions_total", "Actions executed, by status.", "status",
			      m->actions, m->n_actions);
	if (!rc)
		rc = labelled(p, "evl_rejected_total", "Events rejected by a gate, by reason.",
			      "reason", m->rejected, m->n_rejected);
	if (!rc)
		rc = evl_prom_family(p, "evl_rollbacks_total", "counter",
				     "Rollbacks, automatic (metric degraded) or manual.");
	if (!rc)
		rc = evl_prom_sample(p, "evl_rollbacks_total", &au, 1, m->rollbacks_automatic);
	if (!rc)
		rc = evl_prom_sample(p, "evl_rollbacks_total", &ma, 1, m->rollbacks_manual);
	if (!rc)
		rc = one(p, "evl_active_tokens", "gauge", "Rollback tokens still monitored.",
			 m->active_tokens);
	if (!rc)
		rc = one(p, "evl_nop_channels", "gauge", "Channels in radar non-occupancy.",
			 m->nop_channels);
	if (!rc)
		rc = one(p, "evl_ringbuf_drops_total", "counter",
			 "Kernel records lost because the ring buffer was full.", m->ringbuf_drops);
	if (!rc)
		rc = one(p, "evl_audit_write_errors_total", "counter",
			 "Audit records that failed to reach the disk at first try.",
			 m->audit_write_errors);
	if (!rc)
		rc = one(p, "evl_audit_pending_records", "gauge",
			 "Audit records held in memory, not yet durable.", m->audit_pending);
	if (!rc)
		rc = one(p, "evl_ctl_requests_total", "counter", "Control socket requests.",
			 m->ctl_requests);
	if (!rc)
		rc = evl_prom_family(p, "evl_detect_to_action_microseconds", "histogram",
				     "Kernel detection to action issued.");
	if (!rc)
		rc = evl_prom_histogram(p, "evl_detect_to_action_microseconds", NULL, 0,
					evl_metrics_lat_le_us, m->detect_to_action.counts,
					EVL_METRICS_LAT_BUCKETS, m->detect_to_action.sum);
	if (!rc)
		rc = per_iface(p, m, "evl_interface_per_ratio", "TX packet error rate.", 0);
	if (!rc)
		rc = per_iface(p, m, "evl_interface_retry_ratio", "TX retry ratio.", 1);
	if (!rc)
		rc = per_iface(p, m, "evl_interface_busy_ratio", "Channel busy time ratio.", 2);
	if (!rc)
		rc = per_iface(p, m, "evl_interface_channel", "Operating channel.", 3);
	if (!rc)
		rc = per_iface(p, m, "evl_interface_stations", "Associated stations.", 4);
	if (!rc)
		rc = per_iface(p, m, "evl_interface_scans", "Off-channel scan cycles done.", 5);
	if (!rc)
		rc = per_iface(p, m, "evl_interface_scan_offchannel_ms",
			       "Time off the AP's channel during the last scan cycle.", 6);
	if (!rc)
		rc = per_iface(p, m, "evl_interface_hw_restarts_total",
			       "Hardware restarts by the driver (mac80211 api_restart_hw).", 7);
	if (!rc)
		rc = per_iface(p, m, "evl_interface_hw_failover",
			       "1 while the radio is failed over (stopped, back-off running).", 8);
	if (!rc)
		rc = one(p, "evl_start_time_seconds", "gauge", "evld start, Unix time.",
			 m->start_time_s);
	return rc;
}
