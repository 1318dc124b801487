// SPDX-License-Identifier: GPL-2.0
/* evld: the Prometheus textfile. */
#include <string.h>

#include "daemon.h"

void evld_write_metrics(struct evld *d)
{
	struct evl_metrics_count ev[EVL_EV_TYPE_MAX],
		act[2] = {{"success", d->act_ok}, {"failed", d->act_failed}};
	struct evl_metrics_iface ifs[EVL_CONFIG_MAX_IFACES];
	struct evl_ap_info info[EVL_CONFIG_MAX_IFACES];
	size_t n_ap = evl_engine_aps(d->e, info, EVL_CONFIG_MAX_IFACES);
	struct evl_audit_stats as = {0};
	struct evl_ctl_stats cs = {0};
	struct evl_stats st;
	struct evl_metrics_snapshot m;
	int rc;

	if (!d->cfg.metrics_file[0])
		return;
	if (!d->prom && !(d->prom = evl_prom_new()))
		return;
	evl_engine_stats(d->e, &st);
	for (int t = 0; t < EVL_EV_TYPE_MAX; t++)
		ev[t] = (struct evl_metrics_count){evl_event_type_name(t), d->ev_by_type[t]};
	for (unsigned int i = 0; i < d->n_if; i++) {
		ifs[i] = d->ifs[i].m;
		for (size_t k = 0; k < n_ap && k < EVL_CONFIG_MAX_IFACES; k++)
			if (!strcmp(info[k].id, d->ifs[i].name)) {
				ifs[i].channel = info[k].conf.channel;
				ifs[i].hw_restarts = info[k].hw_restarts;
				ifs[i].hw_failover = info[k].hw_phase == EVL_HW_STEER ||
						     info[k].hw_phase == EVL_HW_DOWN;
			}
	}
	evl_audit_get_stats(d->audit, &as);
	evl_ctl_server_stats(d->ctl, &cs);
	m = (struct evl_metrics_snapshot){
		.events = ev,
		.n_events = EVL_EV_TYPE_MAX,
		.actions = act,
		.n_actions = 2,
		.rejected = d->rej,
		.n_rejected = d->n_rej,
		.rollbacks_automatic = st.rollbacks_automatic,
		.rollbacks_manual = st.rollbacks_manual,
		.active_tokens = st.tokens_active,
		.nop_channels = evl_engine_nop(d->e, NULL, 0),
		.ringbuf_drops = evld_bpf_drops(d),
		.audit_write_errors = as.write_errors,
		.audit_pending = as.pending,
		.ctl_requests = cs.requests,
		.detect_to_action = d->hist,
		.ifaces = ifs,
		.n_ifaces = d->n_if,
		.start_time_s = d->start_wall_s,
	};
	evl_prom_reset(d->prom);
	rc = evl_metrics_render(d->prom, &m);
	if (!rc)
		rc = evl_prom_write(d->prom, d->cfg.metrics_file);
	if (rc)
		evld_log(EVLD_WARN, "metrics", "%s: %s", d->cfg.metrics_file, strerror(-rc));
}
