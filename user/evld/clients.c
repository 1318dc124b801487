// SPDX-License-Identifier: GPL-2.0
/*
 * evld: client compatibility. hostapd's STA-FIRST / STA-NEXT list on a connection of its own
 * (the event connection must not lose events to replies), each station's operating classes
 * and PHY, and per channel and width the fraction that can use it, into the core.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <evl/clients.h>

#include "daemon.h"

#define CLIENTS_MAX 256

static const int widths[] = {20, 40, 80, 160};

/* Walk the station list into caps: the count, or -errno (nothing is applied then). */
static int sta_list(struct evl_hapd *h, const char *ap, struct evl_sta_caps *caps, size_t max)
{
	char reply[EVL_HAPD_REPLY_MAX], cmd[40];
	const char *err = NULL;
	size_t n = 0;
	int rc = evl_hapd_request(h, "STA-FIRST", reply, sizeof(reply));

	while (rc >= 0) {
		const unsigned char *m;

		rc = evl_sta_caps_parse(reply, &caps[n], &err);
		if (rc == -ENOENT)
			return (int)n;
		if (rc) {
			evld_log(EVLD_WARN, "hostapd", "%s: %s", ap, err);
			return rc;
		}
		m = caps[n].mac;
		if (++n == max)
			return (int)n; /* the rest would not change the fractions much */
		snprintf(cmd, sizeof(cmd), "STA-NEXT %02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
			 m[2], m[3], m[4], m[5]);
		rc = evl_hapd_request(h, cmd, reply, sizeof(reply));
	}
	return rc;
}

void evld_clients_refresh(struct evld *d, struct evld_iface *f)
{
	struct evl_sta_caps caps[CLIENTS_MAX];
	char path[PATH_MAX + EVL_CONFIG_IFNAME_MAX + 2];
	struct evl_ap_info info;
	struct evl_hapd *h;
	int n, sub[EVL_BLOCK_MAX];

	if (evl_engine_ap(d->e, f->name, &info))
		return;
	snprintf(path, sizeof(path), "%s/%s", d->cfg.hostapd_ctrl_dir, f->name);
	h = evl_hapd_open(path, NULL, 1000);
	if (!h) {
		evld_log(EVLD_DEBUG, "hostapd", "%s: station list: %s", f->name, strerror(errno));
		return;
	}
	n = sta_list(h, f->name, caps, CLIENTS_MAX);
	evl_hapd_close(h);
	if (n < 0) {
		evld_log(EVLD_DEBUG, "hostapd", "%s: station list: %s", f->name, strerror(-n));
		return;
	}
	for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
		for (int c = 1; c < EVL_CHAN_MAX; c++)
			if (evl_chan_block_any(info.conf.band, c, widths[w], sub) > 0)
				evl_engine_client_support(d->e, f->name, c, widths[w],
							  evl_sta_caps_support(caps, (size_t)n,
									       info.conf.band, c,
									       widths[w]));
	if (n != f->n_clients) {
		int c = info.conf.channel, bw = info.conf.bandwidth;

		evld_log(EVLD_INFO, "clients",
			 "%s: %d station(s); %.0f%% can use channel %d at %d MHz", f->name, n,
			 100 * evl_sta_caps_support(caps, (size_t)n, info.conf.band, c, bw), c, bw);
		f->n_clients = n;
	}
}

void evld_clients_due(struct evld *d)
{
	uint64_t soon = evld_now() + NS_PER_S;

	if (d->next_clients > soon)
		d->next_clients = soon;
}
