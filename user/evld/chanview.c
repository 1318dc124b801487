// SPDX-License-Identifier: GPL-2.0
/* `evlctl channels IFACE [--json]`: the table the selector sees, with the last scan's cost. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "daemon.h"

static const char *dfs_name(enum evl_dfs_state s)
{
	static const char *const n[] = {"unknown", "usable", "available", "unavailable"};

	return (unsigned int)s <= EVL_DFS_UNAVAILABLE ? n[s] : "?";
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

static void add(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static json_object *row_json(const struct evl_chan_row *w, uint64_t now)
{
	json_object *o = json_object_new_object(), *sc = json_object_new_object();

	add(o, "channel", json_object_new_int(w->channel));
	add(o, "neighbors", json_object_new_int(w->rep.neighbors));
	add(o, "neighbor_load", json_object_new_double(w->rep.neighbor_load));
	add(o, "strongest_dbm",
	    w->rep.strongest_dbm ? json_object_new_int(w->rep.strongest_dbm) : NULL);
	add(o, "interference", json_object_new_double(w->rep.interference));
	add(o, "client_support", json_object_new_double(w->rep.client_support));
	add(o, "known", json_object_new_boolean(w->known));
	add(o, "age_s", w->age_ns ? json_object_new_double(secs(w->age_ns)) : NULL);
	add(o, "dfs", json_object_new_boolean(w->dfs));
	add(o, "dfs_state", json_object_new_string(dfs_name(w->dfs_state)));
	add(o, "nop_s",
	    json_object_new_double(w->nop_until_ns > now ? secs(w->nop_until_ns - now) : 0));
	add(o, "usable", json_object_new_boolean(w->usable));
	add(o, "current", json_object_new_boolean(w->current));
	add(o, "armed", json_object_new_boolean(w->armed));
	add(sc, "block", json_object_new_int(w->score.channel));
	add(sc, "width", json_object_new_int(w->score.width));
	add(sc, "total", json_object_new_double(w->score.total));
	add(sc, "interference", json_object_new_double(w->score.interference));
	add(sc, "neighbors", json_object_new_double(w->score.neighbors));
	add(sc, "clients", json_object_new_double(w->score.clients));
	add(sc, "dfs", json_object_new_double(w->score.dfs));
	add(sc, "cac", json_object_new_boolean(w->score.cac));
	add(o, "score", sc);
	return o;
}

static json_object *scan_json(const struct evld_scan *s, uint64_t now)
{
	json_object *o = json_object_new_object();

	add(o, "scans", json_object_new_int64(s->scans));
	add(o, "aborted", json_object_new_int64(s->aborted));
	add(o, "running", json_object_new_boolean(s->running));
	add(o, "refused", json_object_new_boolean(s->refused));
	add(o, "last_age_s", s->scans ? json_object_new_double(secs(now - s->last_ns)) : NULL);
	add(o, "offchannel_ms", s->scans ? json_object_new_int64((int64_t)s->last_off_ms) : NULL);
	add(o, "neighbors_seen", s->scans ? json_object_new_int(s->last_neighbours) : NULL);
	return o;
}

int evld_scan_channels(struct evld *d, const char *iface, bool json, struct evl_ctl_reply *r)
{
	static struct evl_chan_row rows[EVL_CHAN_MAX];
	const struct evld_iface *f = NULL;
	struct evl_ap_info info;
	uint64_t now = evld_now();
	int n;

	for (unsigned int i = 0; i < d->n_if; i++)
		if (!strcmp(d->ifs[i].name, iface))
			f = &d->ifs[i];
	if (!f || evl_engine_ap(d->e, iface, &info)) {
		evl_ctl_reply_printf(r, "no interface %s in the configuration", iface);
		return -ENOENT;
	}
	n = evl_engine_channels(d->e, iface, now, rows, EVL_CHAN_MAX);
	if (n < 0)
		return n;
	n = n < EVL_CHAN_MAX ? n : EVL_CHAN_MAX;
	if (json) {
		json_object *o = json_object_new_object(), *a = json_object_new_array();

		if (!o || !a) {
			json_object_put(o);
			json_object_put(a);
			return -ENOMEM;
		}
		add(o, "ap", json_object_new_string(iface));
		add(o, "channel", json_object_new_int(info.conf.channel));
		add(o, "bandwidth", json_object_new_int(info.conf.bandwidth));
		add(o, "scan", scan_json(&f->scan, now));
		for (int k = 0; k < n; k++)
			json_object_array_add(a, row_json(&rows[k], now));
		add(o, "channels", a);
		evl_ctl_reply_printf(r, "%s\n",
				     json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		return r->truncated ? -EMSGSIZE : 0;
	}
	evl_ctl_reply_printf(r, "%s: channel %d/%d MHz; ", iface, info.conf.channel,
			     info.conf.bandwidth);
	if (f->scan.scans)
		evl_ctl_reply_printf(
			r, "last scan %.0f s ago, %" PRIu64 " ms off-channel, %d neighbours%s\n",
			secs(now - f->scan.last_ns), f->scan.last_off_ms, f->scan.last_neighbours,
			f->scan.refused ? " (driver refuses AP scans: survey only)" : "");
	else
		evl_ctl_reply_printf(r, "no scan yet%s\n", f->scan.running ? " (running)" : "");
	evl_ctl_reply_printf(r, "chan  neigh  strongest  interf  clients  dfs          nop    "
				"score  (blk/width: interf neigh clients dfs)\n");
	for (int k = 0; k < n; k++) {
		const struct evl_chan_row *w = &rows[k];
		char sig[16] = "-";

		if (w->rep.strongest_dbm)
			snprintf(sig, sizeof(sig), "%d dBm", w->rep.strongest_dbm);
		evl_ctl_reply_printf(r,
				     "%4d  %5d  %9s  %6.2f  %7.2f  %-11s  %5.0fs  %5.3f  (%d/%d: "
				     "%.3f %.3f %.3f %.3f)%s%s%s%s\n",
				     w->channel, w->rep.neighbors, sig, w->rep.interference,
				     w->rep.client_support, w->dfs ? dfs_name(w->dfs_state) : "-",
				     w->nop_until_ns > now ? secs(w->nop_until_ns - now) : 0,
				     w->score.total, w->score.channel, w->score.width,
				     w->score.interference, w->score.neighbors, w->score.clients,
				     w->score.dfs, w->current ? " current" : "",
				     w->armed ? " armed" : "", w->score.cac ? " cac" : "",
				     w->known ? "" : " unknown");
	}
	return r->truncated ? -EMSGSIZE : 0;
}
