// SPDX-License-Identifier: GPL-2.0
/*
 * evld: is a restarted radio beaconing again? While the core watches an AP after a driver
 * restart, twice a second: TX status reports after the restart (the BPF feed), or hostapd's
 * STATUS state=ENABLED on an interface that is up, make the "up" fact. A restart that fails
 * in mac80211 shuts the interfaces down, so neither comes and the core's hw_recover_s runs out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

/* IFF_UP in /sys/class/net/IFACE/flags. */
static bool netdev_up(const char *ifname)
{
	char path[96], *b = NULL;
	size_t n;
	bool up = false;

	snprintf(path, sizeof(path), "/sys/class/net/%s/flags", ifname);
	if (!evl_sys_read_file(path, 32, &b, &n))
		up = strtoul(b, NULL, 16) & 1;
	free(b);
	return up;
}

/* hostapd says ENABLED (its own connection: the actuator's may be busy with an action). */
static bool hapd_enabled(const struct evld *d, const char *ifname)
{
	char path[PATH_MAX + EVL_CONFIG_IFNAME_MAX + 2], reply[EVL_HAPD_REPLY_MAX];
	struct evl_hapd_status st;
	struct evl_hapd *h;
	bool on = false;

	snprintf(path, sizeof(path), "%s/%s", d->cfg.hostapd_ctrl_dir, ifname);
	h = evl_hapd_open(path, NULL, 300);
	if (!h)
		return false;
	if (evl_hapd_request(h, "STATUS", reply, sizeof(reply)) > 0 &&
	    !evl_hapd_parse_status(reply, &st, NULL))
		on = !strcmp(st.state, "ENABLED");
	evl_hapd_close(h);
	return on;
}

void evld_hw_poll(struct evld *d, uint64_t now)
{
	bool watching = false;

	d->next_hw = 0;
	for (unsigned int i = 0; i < d->n_if; i++) {
		struct evld_iface *f = &d->ifs[i];
		struct evl_ap_info ai;
		const char *src = NULL;

		if (f->kind == EVL_CONFIG_ACT_SIM || evl_engine_ap(d->e, f->name, &ai) ||
		    ai.hw_phase != EVL_HW_WATCH)
			continue;
		if (f->ifindex > 0 && evld_bpf_tx_last(d, f->ifindex) > f->hw_restart_mono)
			src = "ebpf"; /* frames are going out and being reported again */
		else if (netdev_up(f->name) &&
			 (f->kind != EVL_CONFIG_ACT_HOSTAPD || hapd_enabled(d, f->name)))
			src = f->kind == EVL_CONFIG_ACT_HOSTAPD ? "hostapd" : "nl80211";
		if (!src) {
			watching = true;
			continue;
		}
		evld_log(EVLD_INFO, "hw", "%s: beaconing again (%s)", f->name, src);
		if (!evl_engine_hw_fact(d->e, f->name, EVL_HW_UP, src, evld_now()))
			d->dirty = true;
	}
	evl_engine_tick(d->e, evld_now());
	if (watching)
		d->next_hw = now + 500 * NS_PER_MS;
}
