// SPDX-License-Identifier: GPL-2.0
/* evld: facts from BPF, nl80211 and hostapd into the engine. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"

enum evl_severity evld_default_severity(enum evl_event_type t)
{
	static const enum evl_severity sev[EVL_EV_TYPE_MAX] = {
		[EVL_EV_DFS_RADAR] = EVL_SEV_CRITICAL,	[EVL_EV_NON_WIFI_BURST] = EVL_SEV_HIGH,
		[EVL_EV_SPECTRUM_SAT] = EVL_SEV_HIGH,	[EVL_EV_DENSITY_SPIKE] = EVL_SEV_MEDIUM,
		[EVL_EV_HW_FAILURE] = EVL_SEV_CRITICAL, [EVL_EV_PER_SPIKE] = EVL_SEV_MEDIUM,
		[EVL_EV_RETRY_SPIKE] = EVL_SEV_MEDIUM,
	};

	return (unsigned int)t < EVL_EV_TYPE_MAX ? sev[t] : EVL_SEV_LOW;
}

/* Queue an event and run the engine at once (a radar must not wait for the next wake-up). */
int evld_submit(struct evld *d, enum evl_event_type type, const char *ap, int channel,
		double confidence, enum evl_severity sev, uint64_t detect_ns, const char *source)
{
	struct evl_event ev = {
		.type = type,
		.severity = sev,
		.confidence = confidence,
		.channel = channel,
		.detect_ns = detect_ns,
		.source = source,
	};
	struct evl_ap_info info;
	uint64_t now = evld_now();
	int rc;

	snprintf(ev.id, sizeof(ev.id), "%s-%" PRIu64, source, ++d->seq);
	snprintf(ev.ap, sizeof(ev.ap), "%s", ap);
	ev.radio = evl_engine_ap(d->e, ap, &info) ? EVL_BAND_5G : info.conf.band;
	ev.ts_ns = now;
	if (detect_ns > now)
		ev.detect_ns = now; /* clocks converted a hair into the future */
	if ((unsigned int)type < EVL_EV_TYPE_MAX)
		d->ev_by_type[type]++;
	evld_log(EVLD_DEBUG, "core", "%s: %s event %s from %s (channel %d, confidence %.2f)", ap,
		 evl_event_type_name(type), ev.id, source, channel, confidence);
	rc = evl_engine_submit(d->e, &ev, now);
	evl_engine_tick(d->e, evld_now());
	d->dirty = true;
	return rc;
}

static bool ap_conf(struct evld *d, const char *ap, struct evl_ap_conf *out)
{
	struct evl_ap_info info;

	if (evl_engine_ap(d->e, ap, &info))
		return false;
	*out = info.conf;
	return true;
}

/* Count what the core made of a fact, run it at once (a radar must not wait). */
static void made(struct evld *d, const char *ap, int types)
{
	for (int t = 0; types > 0 && t < EVL_EV_TYPE_MAX; t++)
		if (types & (1 << t))
			d->ev_by_type[t]++;
	if (types > 0) {
		evl_engine_tick(d->e, evld_now());
		d->dirty = true;
	} else if (types < 0) {
		evld_log(EVLD_WARN, "core", "%s: fact refused: %s", ap, strerror(-types));
	}
}

void evld_on_radar(struct evld *d, int wiphy_idx, const char *wiphy_name, int freq,
		   uint64_t detect_ns, const char *source)
{
	enum evl_band band;
	int ch = freq > 0 ? evl_chan_from_freq(freq, &band) : 0;

	evld_scan_radar(d, wiphy_idx, wiphy_name); /* no scan keeps the radio off-channel */
	for (unsigned int i = 0; i < d->n_if; i++) {
		struct evld_iface *f = &d->ifs[i];
		int r;

		if (f->kind == EVL_CONFIG_ACT_SIM)
			continue;
		if (!(wiphy_idx >= 0 && f->wiphy_idx == wiphy_idx) &&
		    !(wiphy_name && *wiphy_name && !strcmp(wiphy_name, f->wiphy)))
			continue;
		r = evl_engine_radar_report(d->e, f->name, ch > 0 ? ch : 0, detect_ns, source,
					    evld_now());
		if (r > 0)
			evld_log(EVLD_INFO, "dfs", "%s: radar on %s (from %s, %s%d MHz)", f->name,
				 *f->wiphy ? f->wiphy : "its wiphy", source,
				 freq ? "" : "channel unknown, ", freq);
		else if (!r)
			evld_log(EVLD_DEBUG, "dfs", "%s: radar also reported by %s", f->name,
				 source);
		made(d, f->name, r);
	}
}

/* A switch finished or the AP came up: it settles our pending action, or else the radio moved
 * without us (hostapd's own DFS move, an operator) and the engine re-reads where it is now. */
void evld_settle(struct evld *d, struct evld_iface *f, bool ok)
{
	struct evl_ap_conf was, now;

	if (!evl_engine_confirm(d->e, f->name, ok, evld_now())) {
		d->dirty = true;
		return;
	}
	if (!ap_conf(d, f->name, &was) || evl_engine_refresh(d->e, f->name) ||
	    !ap_conf(d, f->name, &now))
		return;
	if (was.channel != now.channel || was.bandwidth != now.bandwidth ||
	    was.state != now.state) {
		evld_log(EVLD_INFO, "evld",
			 "%s: radio now on channel %d/%d MHz, %s (not our change)", f->name,
			 now.channel, now.bandwidth,
			 now.state == EVL_AP_DISABLED ? "disabled" : "up");
		d->dirty = true;
	}
}

void evld_on_switch_done(struct evld *d, int ifindex, int freq, const char *source)
{
	struct evld_iface *f = evld_iface_by_index(d, ifindex);

	if (!f)
		return;
	evld_log(EVLD_INFO, "dfs", "%s: channel switch to %d MHz done (%s)", f->name, freq, source);
	evld_settle(d, f, true);
}

void evld_on_survey(struct evld *d, unsigned int i, double busy, bool burst, bool sat)
{
	struct evld_iface *f = &d->ifs[i];

	f->m.busy = busy;
	made(d, f->name,
	     evl_engine_survey_report(d->e, f->name, burst, sat, "nl80211", evld_now()));
}

void evld_on_churn(struct evld *d, int ifindex, unsigned int assoc, uint64_t detect_ns)
{
	struct evld_iface *f = evld_iface_by_index(d, ifindex);

	if (f)
		made(d, f->name,
		     evl_engine_station_churn(d->e, f->name, assoc, detect_ns, "ebpf", evld_now()));
}

void evld_on_link(struct evld *d, unsigned int i, double per, double retry, double tput_mbps,
		  double disc_per_min, unsigned int n_sta)
{
	struct evld_iface *f = &d->ifs[i];
	struct evl_metrics m = {
		.per = per,
		.retry = retry,
		.throughput_mbps = tput_mbps,
		.disconnects_per_min = disc_per_min,
		.clients = (int)n_sta,
	};

	f->m.per = per;
	f->m.retry = retry;
	f->m.stations = n_sta;
	if (!n_sta && disc_per_min <= 0)
		return; /* nobody associated: nothing to compare */
	if (!evl_engine_metrics(d->e, f->name, &m, evld_now()))
		d->dirty = true;
}

/* A hardware fact for one AP: logged, run at once, and the restart watch polled soon. */
static void hw_fact(struct evld *d, struct evld_iface *f, enum evl_hw_fact fact, const char *source)
{
	static const char *const what[] = {"hardware restarted by its driver", "beaconing",
					   "radio gone", "interface back"};
	int rc = evl_engine_hw_fact(d->e, f->name, fact, source, evld_now());

	if (rc) {
		evld_log(EVLD_WARN, "hw", "%s: fact refused: %s", f->name, strerror(-rc));
		return;
	}
	evld_log(fact == EVL_HW_UP ? EVLD_INFO : EVLD_WARN, "hw", "%s: %s (%s)", f->name,
		 what[fact], source);
	evl_engine_tick(d->e, evld_now());
	d->next_hw = evld_now() + 500 * NS_PER_MS;
	d->dirty = true;
}

void evld_on_hw_restart(struct evld *d, const char *wiphy_name, uint64_t mono_ns,
			uint64_t detect_ns)
{
	(void)detect_ns; /* the core stamps the fact with its own now */
	for (unsigned int i = 0; i < d->n_if; i++) {
		struct evld_iface *f = &d->ifs[i];

		if (f->kind == EVL_CONFIG_ACT_SIM || !wiphy_name || !*wiphy_name ||
		    strcmp(f->wiphy, wiphy_name))
			continue;
		f->hw_restart_mono = mono_ns;
		hw_fact(d, f, EVL_HW_RESTART, "ebpf");
	}
}

void evld_on_radio_gone(struct evld *d, int wiphy_idx, int ifindex, const char *source)
{
	for (unsigned int i = 0; i < d->n_if; i++) {
		struct evld_iface *f = &d->ifs[i];

		if (f->kind == EVL_CONFIG_ACT_SIM || f->ifindex <= 0 || /* already gone */
		    !((wiphy_idx >= 0 && f->wiphy_idx == wiphy_idx) ||
		      (ifindex > 0 && f->ifindex == ifindex)))
			continue;
		f->ifindex = 0; /* polls stop until it is back */
		hw_fact(d, f, EVL_HW_GONE, source);
	}
}

void evld_on_iface_new(struct evld *d, const char *ifname, int ifindex, const char *source)
{
	for (unsigned int i = 0; ifname && *ifname && i < d->n_if; i++) {
		struct evld_iface *f = &d->ifs[i];

		if (f->kind == EVL_CONFIG_ACT_SIM || strcmp(f->name, ifname) || f->ifindex)
			continue;
		evld_iface_locate(f); /* its ifindex and wiphy may be new */
		if (f->ifindex <= 0)
			f->ifindex = ifindex;
		hw_fact(d, f, EVL_HW_BACK, source);
	}
}

void evld_on_dfs_state(struct evld *d, unsigned int i, int channel, enum evl_dfs_state st)
{
	evl_engine_dfs_state(d->e, d->ifs[i].name, channel, st);
}

void evld_on_plan(struct evld *d, unsigned int i, const struct evl_plan_chan *ch, size_t n,
		  int tx_mbm)
{
	int rc = evl_engine_set_plan(d->e, d->ifs[i].name, ch, n, tx_mbm);

	if (rc)
		evld_log(EVLD_WARN, "plan", "%s: kernel plan refused: %s", d->ifs[i].name,
			 strerror(-rc));
}

void evld_on_reg_change(struct evld *d, int wiphy)
{
	evld_log(EVLD_INFO, "plan", "regulatory domain changed (%s): re-reading channel plans",
		 wiphy < 0 ? "every radio" : "one radio");
	d->next_wiphy = 0;
}

const char *evld_iface_name(const struct evld *d, unsigned int i)
{
	return i < d->n_if ? d->ifs[i].name : "?";
}
