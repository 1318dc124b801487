// SPDX-License-Identifier: GPL-2.0
/* evld: hostapd's event connections (attach, events, liveness, reconnect). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "daemon.h"

void evld_hapd_connect(struct evld *d, struct evld_iface *f, uint64_t now)
{
	char path[PATH_MAX + EVL_CONFIG_IFNAME_MAX + 2];
	struct epoll_event ev = {.events = EPOLLIN};

	snprintf(path, sizeof(path), "%s/%s", d->cfg.hostapd_ctrl_dir, f->name);
	f->mon = evl_hapd_monitor_open(path, NULL, 1000);
	if (!f->mon) {
		if (!f->mon_retry_ns)
			evld_log(EVLD_WARN, "hostapd",
				 "%s: no event connection to %s: %s (retrying)", f->name, path,
				 strerror(errno));
		f->mon_retry_ns = now + 5 * NS_PER_S;
		return;
	}
	ev.data.u64 = TAG(TAG_HAPD, f - d->ifs);
	if (epoll_ctl(d->ep, EPOLL_CTL_ADD, evl_hapd_fd(f->mon), &ev)) {
		evl_hapd_close(f->mon);
		f->mon = NULL;
		f->mon_retry_ns = now + 5 * NS_PER_S;
		return;
	}
	f->mon_retry_ns = now + 5 * NS_PER_S; /* attached: the next liveness ping */
	evld_log(EVLD_INFO, "hostapd", "%s: attached to %s", f->name, path);
	evl_engine_rearm(d->e, f->name); /* a restarted hostapd has its config file's chanlist */
}

static void hapd_lost(struct evld *d, struct evld_iface *f, int rc)
{
	evld_log(EVLD_WARN, "hostapd", "%s: event connection lost (%s), reconnecting", f->name,
		 strerror(-rc));
	epoll_ctl(d->ep, EPOLL_CTL_DEL, evl_hapd_fd(f->mon), NULL);
	evl_hapd_close(f->mon);
	f->mon = NULL;
	f->mon_retry_ns = evld_now() + NS_PER_S;
}

void evld_hapd_events(struct evld *d, struct evld_iface *f)
{
	struct evl_hapd_event ev;
	int rc;

	while (f->mon && !(rc = evl_hapd_monitor_read(f->mon, &ev))) {
		evld_log(EVLD_DEBUG, "hostapd", "%s: %s freq=%d", f->name, ev.name, ev.freq);
		switch (ev.type) {
		case EVL_HAPD_EV_CSA_FINISHED:
			evld_log(ev.success == 0 ? EVLD_WARN : EVLD_INFO, "dfs",
				 "%s: channel switch to %d MHz %s (hostapd)", f->name, ev.freq,
				 ev.success == 0 ? "failed" : "done");
			evld_settle(d, f, ev.success != 0);
			break;
		case EVL_HAPD_EV_AP_ENABLED:
			evld_settle(d, f, true);
			break;
		case EVL_HAPD_EV_RADAR:
			evld_on_radar(d, f->wiphy_idx, f->wiphy, ev.freq, 0, "hostapd");
			break;
		case EVL_HAPD_EV_STA_CONNECTED:
		case EVL_HAPD_EV_STA_DISCONNECTED:
			evld_clients_due(d);
			break;
		case EVL_HAPD_EV_NEW_CHANNEL:
			evld_log(EVLD_WARN, "dfs", "%s: hostapd chose channel %d itself", f->name,
				 ev.channel);
			break;
		default:
			break;
		}
	}
	if (f->mon && rc != -EAGAIN)
		hapd_lost(d, f, rc);
}

/* Every 5 s: is hostapd still there? (hostapd_cli pings the same way.) */
void evld_hapd_ping(struct evld *d, struct evld_iface *f, uint64_t now)
{
	int rc = evl_hapd_monitor_ping(f->mon);

	if (rc)
		hapd_lost(d, f, rc);
	else
		f->mon_retry_ns = now + 5 * NS_PER_S;
}
