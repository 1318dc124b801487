// SPDX-License-Identifier: GPL-2.0
/* evld's nl80211 sensing: survey classification, station metrics, DFS states, mlme events. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <evl/config.h>
#include <evl/engine.h>
#include <evl/nl80211.h>
#include <evl/scan.h>
#include <evl/sense.h>

#include "evld.h"

#define SURVEY_MAX 64

struct sense {
	struct evl_survey_state sv;
	struct evl_sta_tracker *trk; /* large: allocated on first use */
	struct evl_chanlist cl;
	char plan[512]; /* the kernel plan last logged */
};

struct evld_radio {
	struct evl_nl80211 *nl;
	struct evl_nl80211_mon *mon;
	struct evl_survey_cfg scfg;
	struct sense s[EVL_CONFIG_MAX_IFACES];
	struct evld *d; /* for the monitor callback */
};

struct evld_radio *evld_radio_open(void)
{
	struct evld_radio *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return NULL;
	r->nl = evl_nl80211_open();
	if (!r->nl) {
		err = errno;
		free(r);
		errno = err;
		return NULL;
	}
	r->mon = evl_nl80211_mon_open(); /* optional: polls still work without it */
	evl_survey_cfg_default(&r->scfg);
	return r;
}

void evld_radio_close(struct evld_radio *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < EVL_CONFIG_MAX_IFACES; i++)
		free(r->s[i].trk);
	evl_nl80211_mon_close(r->mon);
	evl_nl80211_close(r->nl);
	free(r);
}

int evld_radio_mon_fd(const struct evld_radio *r)
{
	return r && r->mon ? evl_nl80211_mon_fd(r->mon) : -1;
}

static void on_mlme(const struct evl_nl_event *ev, void *arg)
{
	struct evld_radio *r = arg;

	switch (ev->type) {
	case EVL_NL_EV_RADAR:
		evld_on_radar(r->d, ev->wiphy, NULL, ev->freq, 0, "nl80211");
		break;
	case EVL_NL_EV_SCAN_DONE:
	case EVL_NL_EV_SCAN_ABORTED:
		evld_scan_ended(r->d, ev->ifindex, ev->type == EVL_NL_EV_SCAN_ABORTED);
		break;
	case EVL_NL_EV_SCAN_STARTED:
		break;
	case EVL_NL_EV_CH_SWITCH_DONE:
		evld_on_switch_done(r->d, ev->ifindex, ev->freq, "nl80211");
		break;
	case EVL_NL_EV_REG_CHANGE:
		evld_on_reg_change(r->d, ev->wiphy);
		break;
	case EVL_NL_EV_DEL_WIPHY:
	case EVL_NL_EV_DEL_INTERFACE:
		evld_on_radio_gone(r->d, ev->type == EVL_NL_EV_DEL_WIPHY ? ev->wiphy : -1,
				   ev->type == EVL_NL_EV_DEL_INTERFACE ? ev->ifindex : 0,
				   "nl80211");
		break;
	case EVL_NL_EV_NEW_INTERFACE:
		evld_on_iface_new(r->d, ev->ifname, ev->ifindex, "nl80211");
		break;
	case EVL_NL_EV_CH_SWITCH_STARTED:
		evld_log(EVLD_DEBUG, "nl80211", "ifindex %d: channel switch to %d MHz started",
			 ev->ifindex, ev->freq);
		break;
	default:
		evld_log(EVLD_DEBUG, "nl80211", "ifindex %d wiphy %d: DFS event %d at %d MHz",
			 ev->ifindex, ev->wiphy, ev->type, ev->freq);
		break;
	}
}

int evld_radio_mon_read(struct evld_radio *r, struct evld *d)
{
	if (!r || !r->mon)
		return 0;
	r->d = d;
	return evl_nl80211_mon_read(r->mon, on_mlme, r);
}

int evld_radio_survey(struct evld_radio *r, struct evld *d, unsigned int i, int ifindex)
{
	struct evl_survey sv[SURVEY_MAX];
	struct evl_survey_class c;
	int n, rc;

	if (i >= EVL_CONFIG_MAX_IFACES)
		return -EINVAL;
	n = evl_nl80211_survey(r->nl, ifindex, sv, SURVEY_MAX);
	if (n < 0)
		return n;
	for (int k = 0; k < n; k++) {
		if (!sv[k].in_use)
			continue;
		rc = evl_survey_classify(&r->s[i].sv, &r->scfg, &sv[k], &c);
		if (rc == -EAGAIN)
			return 0; /* no usable window yet */
		if (rc)
			return rc;
		evld_on_survey(d, i, c.busy_pct / 100, c.non_wifi_burst, c.spectrum_sat);
		return 0;
	}
	return 0; /* no channel in use (interface down) */
}

int evld_radio_stations(struct evld_radio *r, struct evld *d, unsigned int i, int ifindex,
			uint64_t now)
{
	struct evl_link_metrics m;
	struct sense *s;
	int rc;

	if (i >= EVL_CONFIG_MAX_IFACES)
		return -EINVAL;
	s = &r->s[i];
	if (!s->trk && !(s->trk = calloc(1, sizeof(*s->trk))))
		return -ENOMEM;
	evl_sta_tracker_begin(s->trk);
	rc = evl_nl80211_stations(r->nl, ifindex, s->trk);
	if (rc)
		return rc;
	rc = evl_sta_tracker_end(s->trk, now, &m);
	if (rc == -EAGAIN)
		return 0;
	if (rc)
		return rc;
	evld_on_link(d, i, m.per, m.retry_rate, m.throughput_bps / 1e6, m.disc_per_min, m.n_sta);
	return 0;
}

/* The kernel's plan for the interface's band into the core; logged when it changed. */
static void feed_plan(struct evld_radio *r, struct evld *d, unsigned int i, int ifindex)
{
	struct sense *s = &r->s[i];
	struct evl_plan_chan pc[EVL_CHANLIST_MAX];
	struct evl_nl_iface ifc;
	enum evl_band band;
	char txt[sizeof(s->plan)];
	size_t n = 0, o = 0;
	int tx;

	if (evl_nl80211_interface(r->nl, ifindex, &ifc) || evl_chan_from_freq(ifc.freq, &band) < 0)
		return; /* not operating: no band to plan for yet */
	tx = ifc.tx_power_mbm == INT32_MIN || ifc.tx_power_mbm < 0 ? 0 : ifc.tx_power_mbm;
	o += (size_t)snprintf(txt, sizeof(txt), "tx %d dBm:", tx / 100);
	for (size_t k = 0; k < s->cl.n; k++) {
		const struct evl_chan *c = &s->cl.ch[k];

		if (c->band != band)
			continue;
		pc[n++] = (struct evl_plan_chan){
			.band = c->band,
			.channel = c->channel,
			.disabled = c->disabled,
			.no_ir = c->no_ir,
			.radar = c->radar,
			.max_power_mbm = c->max_power_mbm,
		};
		if (c->disabled || (c->no_ir && !c->radar) || o >= sizeof(txt))
			continue;
		o += (size_t)snprintf(txt + o, sizeof(txt) - o, " %d%s/%d", c->channel,
				      c->radar ? "(dfs)" : "", c->max_power_mbm / 100);
	}
	evld_on_plan(d, i, pc, n, tx);
	if (strcmp(txt, s->plan)) {
		evld_log(EVLD_INFO, "plan", "%s: kernel plan, channel/dBm: %s",
			 evld_iface_name(d, i), txt);
		snprintf(s->plan, sizeof(s->plan), "%s", txt);
	}
}

int evld_radio_channels(struct evld_radio *r, struct evld *d, unsigned int i, int wiphy,
			int ifindex)
{
	struct evl_chanlist *cl;
	int rc;

	if (i >= EVL_CONFIG_MAX_IFACES)
		return -EINVAL;
	cl = &r->s[i].cl;
	memset(cl, 0, sizeof(*cl));
	cl->wiphy = wiphy;
	rc = evl_nl80211_channels(r->nl, wiphy, cl);
	if (rc)
		return rc;
	for (size_t k = 0; k < cl->n; k++)
		if (cl->ch[k].radar && cl->ch[k].dfs != EVL_DFS_UNKNOWN && !cl->ch[k].disabled)
			evld_on_dfs_state(d, i, cl->ch[k].channel, cl->ch[k].dfs);
	feed_plan(r, d, i, ifindex);
	return 0;
}
