// SPDX-License-Identifier: GPL-2.0
/* evld: interfaces, their back ends (sim, hostapd, nl80211) and the per-AP actuator router. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "daemon.h"

static struct evld_iface *iface_by_name(struct evld *d, const char *name)
{
	for (unsigned int i = 0; i < d->n_if; i++)
		if (!strcmp(d->ifs[i].name, name))
			return &d->ifs[i];
	return NULL;
}

struct evld_iface *evld_iface_by_index(struct evld *d, int ifindex)
{
	for (unsigned int i = 0; ifindex > 0 && i < d->n_if; i++)
		if (d->ifs[i].ifindex == ifindex)
			return &d->ifs[i];
	return NULL;
}

/* ROUTE_ON_AIR: an action the radio must be on its channel for (its scan ends first). */
#define ROUTE_IF(on_air, op, ...)                                                          \
	do {                                                                               \
		struct evld_iface *f = iface_by_name(ctx, ap);                             \
		int rc_;                                                                   \
		if (!f || !f->act.ops)                                                     \
			return -ENOENT;                                                    \
		if (!f->act.ops->op)                                                       \
			return -EOPNOTSUPP;                                                \
		if (on_air)                                                                \
			evld_scan_yield(ctx, f);                                           \
		rc_ = f->act.ops->op(f->act.ctx, ap, __VA_ARGS__);                         \
		if (rc_ < 0) /* the audit keeps a reason, the log the errno */             \
			evld_log(EVLD_WARN, "act", "%s: %s: %s", ap, #op, strerror(-rc_)); \
		return rc_;                                                                \
	} while (0)
#define ROUTE(op, ...)	      ROUTE_IF(false, op, __VA_ARGS__)
#define ROUTE_ON_AIR(op, ...) ROUTE_IF(true, op, __VA_ARGS__)

static int mux_get_conf(void *ctx, const char *ap, struct evl_ap_conf *out)
{
	ROUTE(get_conf, out);
}

static int mux_switch(void *ctx, const char *ap, const struct evl_chandef *to, bool radar)
{
	ROUTE_ON_AIR(switch_channel, to, radar);
}

static int mux_tx_power(void *ctx, const char *ap, int dbm)
{
	ROUTE(set_tx_power, dbm);
}

static int mux_obss_pd(void *ctx, const char *ap, int dbm)
{
	ROUTE(set_obss_pd, dbm);
}

static int mux_max_sta(void *ctx, const char *ap, int n)
{
	ROUTE(set_max_sta, n);
}

static int mux_state(void *ctx, const char *ap, enum evl_ap_state st)
{
	ROUTE_ON_AIR(set_state, st);
}

static int mux_get_bss(void *ctx, const char *ap, struct evl_ap_bss *out)
{
	ROUTE(get_bss, out);
}

static int mux_bss_transition(void *ctx, const char *ap, const struct evl_bss_target *to)
{
	evld_log(EVLD_INFO, "hw", "%s: asking its stations to move to %s (channel %d)", ap,
		 to->bssid, to->channel);
	ROUTE_ON_AIR(bss_transition, to);
}

/* "36 40 44 48" for the log. */
static void chan_words(char *buf, size_t len, const int *chans, int n)
{
	size_t off = 0;

	buf[0] = 0;
	for (int i = 0; i < n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%d", i ? " " : "", chans[i]);
	if (!n)
		snprintf(buf, len, "every channel");
}

static int mux_radar_fallback(void *ctx, const char *ap, const int *chans, int n)
{
	struct evld_iface *f = iface_by_name(ctx, ap);
	char list[256];
	int rc;

	if (!f || !f->act.ops)
		return -ENOENT;
	if (!f->act.ops->set_radar_fallback)
		return -EOPNOTSUPP;
	rc = f->act.ops->set_radar_fallback(f->act.ctx, ap, chans, n);
	chan_words(list, sizeof(list), chans, n);
	if (rc)
		evld_log(EVLD_WARN, "dfs", "%s: radar fallback not armed (%s): %s", ap, list,
			 strerror(-rc));
	else
		evld_log(EVLD_INFO, "dfs", "%s: radar fallback armed: %s", ap, list);
	return rc;
}

const struct evl_act_ops evld_mux_ops = {
	.name = "evld",
	.get_conf = mux_get_conf,
	.switch_channel = mux_switch,
	.set_tx_power = mux_tx_power,
	.set_obss_pd = mux_obss_pd,
	.set_max_sta = mux_max_sta,
	.set_state = mux_state,
	.set_radar_fallback = mux_radar_fallback,
	.get_bss = mux_get_bss,
	.bss_transition = mux_bss_transition,
};

/* On stop: hand each hostapd its configured chanlist back (evld.conf `chanlist`). */
void evld_restore_fallback(struct evld *d)
{
	char list[1024];
	int chans[255], n, rc;

	for (unsigned int i = 0; i < d->n_if; i++) {
		const struct evld_iface *f = &d->ifs[i];
		const struct evl_config_iface *ci = evl_config_iface_find(&d->cfg, f->name);

		if (f->kind != EVL_CONFIG_ACT_HOSTAPD || !ci || !f->act.ops->set_radar_fallback)
			continue;
		n = evl_config_chanlist(ci, chans);
		chan_words(list, sizeof(list), chans, n);
		rc = f->act.ops->set_radar_fallback(f->act.ctx, f->name, chans, n);
		if (rc)
			evld_log(EVLD_WARN, "dfs", "%s: chanlist not restored (%s): %s", f->name,
				 list, strerror(-rc));
		else
			evld_log(EVLD_INFO, "dfs", "%s: chanlist restored: %s", f->name, list);
	}
}

static void read_sysfs(const char *ifname, const char *leaf, char *out, size_t len)
{
	char path[128], *b = NULL;
	size_t n;

	out[0] = 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/phy80211/%s", ifname, leaf);
	if (!evl_sys_read_file(path, 64, &b, &n)) {
		b[strcspn(b, "\n")] = 0;
		snprintf(out, len, "%s", b);
	}
	free(b);
}

/* The one sim / hostapd / nl80211 back end, created when the first interface needs it. */
static int backend(struct evld *d, struct evld_iface *f, json_object *state,
		   const struct evl_config_iface *ci)
{
	if (f->kind == EVL_CONFIG_ACT_SIM) {
		struct evl_ap_conf c = {
			.band = ci->band,
			.channel = ci->channel,
			.bandwidth = ci->bandwidth,
			.tx_power = ci->tx_power,
		};

		if (!d->simact && !(d->simact = evl_sim_new()))
			return -ENOMEM;
		if (evld_sim_saved_conf(state, f->name, &c))
			evld_log(EVLD_INFO, "sim", "%s: radio settings from the state file",
				 f->name);
		f->act = evl_sim_actuator(d->simact);
		return evl_sim_add_ap(d->simact, f->name, &c);
	}
	if (!d->nlact) {
		d->nlact = evld_radio_act_new(&d->cfg);
		if (d->nlact)
			d->nl_actuator = (struct evl_actuator){evld_radio_act_ops(), d->nlact};
		else
			evld_log(EVLD_WARN, "nl80211", "not available (%s): no TX power control",
				 strerror(errno));
	}
	if (f->kind == EVL_CONFIG_ACT_NL80211) {
		if (!d->nlact)
			return -ENOENT;
		f->act = d->nl_actuator;
		return 0;
	}
	if (!d->hapd) {
		struct evl_hapd_opts o = {
			.ctrl_dir = d->cfg.hostapd_ctrl_dir,
			.cs_count = (int)d->cfg.cs_count,
			.radar_cs_count = (int)d->cfg.radar_cs_count,
			.txpower = d->nlact ? &d->nl_actuator : NULL,
		};

		if (!(d->hapd = evl_act_hostapd_new(&o)))
			return -errno;
	}
	f->act = (struct evl_actuator){&evl_act_hostapd_ops, d->hapd};
	return 0;
}

void evld_iface_locate(struct evld_iface *f)
{
	char idx[16];

	f->ifindex = (int)if_nametoindex(f->name);
	read_sysfs(f->name, "name", f->wiphy, sizeof(f->wiphy));
	read_sysfs(f->name, "index", idx, sizeof(idx));
	f->wiphy_idx = *idx ? atoi(idx) : -1;
}

int evld_setup_ifaces(struct evld *d, json_object *state)
{
	for (unsigned int i = 0; i < d->cfg.n_ifaces; i++) {
		const struct evl_config_iface *ci = &d->cfg.ifaces[i];
		struct evld_iface *f = &d->ifs[d->n_if++];
		int rc;

		memcpy(f->name, ci->name, sizeof(f->name));
		f->kind = d->sim ? EVL_CONFIG_ACT_SIM : ci->actuator;
		f->wiphy_idx = -1;
		f->n_clients = -1;
		f->m.name = f->name;
		if (f->kind != EVL_CONFIG_ACT_SIM) {
			evld_iface_locate(f);
			if (!f->ifindex)
				evld_log(EVLD_WARN, "evld", "%s: no such network interface (yet)",
					 f->name);
		}
		rc = backend(d, f, state, ci);
		if (rc) {
			evld_log(EVLD_ERR, "evld", "%s: %s back end: %s", f->name,
				 evl_config_actuator_name(f->kind), strerror(-rc));
			return rc;
		}
		evld_log(EVLD_INFO, "evld", "%s: %s%s%s", f->name,
			 evl_config_actuator_name(f->kind), *f->wiphy ? " on " : "", f->wiphy);
	}
	return 0;
}

/* Add every AP to an engine with the configuration its radio has now. */
static int engine_add_aps(struct evld *d, struct evl_engine *e)
{
	for (unsigned int i = 0; i < d->n_if; i++) {
		struct evld_iface *f = &d->ifs[i];
		struct evl_ap_conf c;
		int rc = -EAGAIN;

		/* hostapd may still be starting: give it a few seconds */
		for (int t = 0; t < 25 && rc; t++) {
			rc = f->act.ops->get_conf(f->act.ctx, f->name, &c);
			if (rc && f->kind == EVL_CONFIG_ACT_HOSTAPD && t < 24)
				usleep(200000);
			else
				break;
		}
		if (rc) {
			evld_log(EVLD_ERR, "evld", "%s: cannot read the radio's configuration: %s",
				 f->name, strerror(-rc));
			return rc;
		}
		rc = evl_engine_add_ap(e, f->name, &c);
		if (rc) {
			evld_log(EVLD_ERR, "evld", "%s: engine refused it: %s", f->name,
				 strerror(-rc));
			return rc;
		}
		f->m.channel = c.channel;
	}
	return 0;
}

static uint64_t seed64(void)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s))
		s = evld_now() ^ (uint64_t)getpid();
	return s;
}

struct evl_engine *evld_engine_new(struct evld *d)
{
	struct evl_record_sink sink = {evld_on_record, d};
	struct evl_engine *e = evl_engine_new(&d->core, d->mux, sink, seed64());

	if (!e) {
		evld_log(EVLD_ERR, "core", "cannot create the engine: %s", strerror(errno));
		return NULL;
	}
	if (engine_add_aps(d, e)) {
		evl_engine_free(e);
		return NULL;
	}
	return e;
}
