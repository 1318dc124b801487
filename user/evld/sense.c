// SPDX-License-Identifier: GPL-2.0
/* evld: facts from BPF, nl80211 and hostapd into the engine. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <evl/sys.h>

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
static int submit(struct evld *d, enum evl_event_type type, const char *ap, int channel,
		  double confidence, enum evl_severity sev, uint64_t detect_ns, const char *source,
		  bool ended)
{
	struct evl_event ev = {
		.type = type,
		.severity = sev,
		.confidence = confidence,
		.channel = channel,
		.detect_ns = detect_ns,
		.source = source,
		.ended = ended,
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

int evld_submit(struct evld *d, enum evl_event_type type, const char *ap, int channel,
		double confidence, enum evl_severity sev, uint64_t detect_ns, const char *source)
{
	return submit(d, type, ap, channel, confidence, sev, detect_ns, source, false);
}

int evld_submit_density(struct evld *d, const char *ap, bool ended, uint64_t detect_ns)
{
	return submit(d, EVL_EV_DENSITY_SPIKE, ap, 0, 1.0, EVL_SEV_MEDIUM, detect_ns, "ebpf",
		      ended);
}

static bool ap_conf(struct evld *d, const char *ap, struct evl_ap_conf *out)
{
	struct evl_ap_info info;

	if (evl_engine_ap(d->e, ap, &info))
		return false;
	*out = info.conf;
	return true;
}

static bool block_has_dfs(struct evld *d, const struct evl_ap_conf *c)
{
	int sub[EVL_BLOCK_MAX];
	int n = evl_chan_block(d->core.country, c->band, c->channel, c->bandwidth, sub);

	if (n <= 0)
		return evl_chan_is_dfs(c->band, c->channel);
	for (int i = 0; i < n; i++)
		if (evl_chan_is_dfs(c->band, sub[i]))
			return true;
	return false;
}

void evld_on_radar(struct evld *d, int wiphy_idx, const char *wiphy_name, int freq,
		   uint64_t detect_ns, const char *source)
{
	uint64_t now = evld_now();
	enum evl_band band;
	int ch = freq > 0 ? evl_chan_from_freq(freq, &band) : 0;

	for (unsigned int i = 0; i < d->n_if; i++) {
		struct evld_iface *f = &d->ifs[i];
		struct evl_ap_conf c;

		if (f->kind == EVL_CONFIG_ACT_SIM)
			continue;
		if (!(wiphy_idx >= 0 && f->wiphy_idx == wiphy_idx) &&
		    !(wiphy_name && *wiphy_name && !strcmp(wiphy_name, f->wiphy)))
			continue;
		if (f->radar_ns && now - f->radar_ns < 2 * NS_PER_S) {
			evld_log(EVLD_DEBUG, "dfs", "%s: radar also reported by %s", f->name,
				 source);
			continue;
		}
		if (!ap_conf(d, f->name, &c) || (ch <= 0 && !block_has_dfs(d, &c)))
			continue; /* no DFS channel in use: the radar is not ours to act on */
		f->radar_ns = now;
		evld_log(EVLD_INFO, "dfs", "%s: radar on %s (from %s, %s%d MHz)", f->name,
			 *f->wiphy ? f->wiphy : "its wiphy", source,
			 freq ? "" : "channel unknown, ", freq);
		evld_submit(d, EVL_EV_DFS_RADAR, f->name, ch > 0 ? ch : c.channel, 1.0,
			    EVL_SEV_CRITICAL, detect_ns, source);
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
	uint64_t now = evld_now();
	struct evl_ap_conf c;
	int ch = ap_conf(d, f->name, &c) ? c.channel : 0;

	f->m.busy = busy;
	/* Edge-triggered, and again every minute while it lasts. */
	if (burst && (!f->burst || now - f->burst_ns >= 60 * NS_PER_S)) {
		f->burst_ns = now;
		evld_submit(d, EVL_EV_NON_WIFI_BURST, f->name, ch, 1.0, EVL_SEV_HIGH, 0, "nl80211");
	}
	if (sat && (!f->sat || now - f->sat_ns >= 60 * NS_PER_S)) {
		f->sat_ns = now;
		evld_submit(d, EVL_EV_SPECTRUM_SAT, f->name, ch, 1.0, EVL_SEV_HIGH, 0, "nl80211");
	}
	f->burst = burst;
	f->sat = sat;
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

void evld_on_dfs_state(struct evld *d, unsigned int i, int channel, enum evld_dfs st)
{
	static const enum evl_dfs_state map[] = {
		[EVLD_DFS_USABLE] = EVL_DFS_USABLE,
		[EVLD_DFS_AVAILABLE] = EVL_DFS_AVAILABLE,
		[EVLD_DFS_UNAVAILABLE] = EVL_DFS_UNAVAILABLE,
	};

	evl_engine_dfs_state(d->e, d->ifs[i].name, channel, map[st]);
}
