// SPDX-License-Identifier: GPL-2.0
/* evld's answers to control requests (evlctl). Protocol: include/evl/ctl.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "daemon.h"

#define P(...) evl_ctl_reply_printf(r, __VA_ARGS__)
#define BAR    "============================================================\n"

static double secs(uint64_t until, uint64_t now)
{
	return until > now ? (double)(until - now) / 1e9 : 0;
}

/* The seed's print_status() view, then one line per AP. */
static void status(struct evld *d, struct evl_ctl_reply *r)
{
	struct evl_ap_info ap[EVL_CONFIG_MAX_IFACES];
	size_t n = evl_engine_aps(d->e, ap, EVL_CONFIG_MAX_IFACES);
	uint64_t now = evld_now();
	struct evl_stats st;

	char view[1024];

	evl_engine_stats(d->e, &st);
	evl_stats_status(&st, view, sizeof(view));
	P("%s\n" BAR "ACCESS POINTS\n" BAR, view);
	for (size_t i = 0; i < n && i < EVL_CONFIG_MAX_IFACES; i++) {
		const struct evl_ap_conf *c = &ap[i].conf;

		P("%s: %s ch%d/%d MHz tx %d dBm obss_pd %d max_sta %d %s%s", ap[i].id,
		  evl_chan_band_name(c->band), c->channel, c->bandwidth, c->tx_power, c->obss_pd,
		  c->max_sta, c->state == EVL_AP_UP ? "up" : "disabled",
		  ap[i].pending ? " (action awaiting confirmation)" : "");
		if (ap[i].cooldown_until_ns > now)
			P(" cooldown %.1fs", secs(ap[i].cooldown_until_ns, now));
		if (ap[i].has_metrics)
			P(" per %.3f retry %.3f tput %.1f Mbit/s", ap[i].last.per, ap[i].last.retry,
			  ap[i].last.throughput_mbps);
		if (ap[i].hw_phase != EVL_HW_IDLE) /* a restart watched or a failover running */
			P("\n  hardware: %s, %u re-enable attempts%s",
			  evl_hw_phase_name(ap[i].hw_phase), ap[i].hw_attempts,
			  ap[i].hw_next_ns > now ? ", next step in" : "");
		if (ap[i].hw_phase != EVL_HW_IDLE && ap[i].hw_next_ns > now)
			P(" %.1fs", secs(ap[i].hw_next_ns, now));
		if (ap[i].hw_restarts)
			P("\n  hardware restarts: %" PRIu64, ap[i].hw_restarts);
		if (ap[i].n_fallback > 0) {
			P("\n  radar fallback armed:");
			for (int k = 0; k < ap[i].n_fallback; k++)
				P(" %d", ap[i].fallback[k]);
		}
		P("\n");
	}
}

static json_object *jint(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

/* The core's statistics plus evld's own counters; text is "name value" per line. */
static int stats(struct evld *d, bool json, struct evl_ctl_reply *r)
{
	struct evl_audit_stats as = {0};
	struct evl_stats st;
	json_object *o;

	evl_engine_stats(d->e, &st);
	evl_audit_get_stats(d->audit, &as);
	o = evl_stats_json(&st);
	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "ringbuf_drops", jint(evld_bpf_drops(d)));
	json_object_object_add(o, "audit_records", jint(as.records));
	json_object_object_add(o, "audit_write_errors", jint(as.write_errors));
	json_object_object_add(o, "audit_pending", jint(as.pending));
	if (json) {
		P("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	} else {
		json_object_object_foreach(o, k, v) P("%s %s\n", k, json_object_get_string(v));
	}
	json_object_put(o);
	return 0;
}

static int tokens(struct evld *d, bool json, struct evl_ctl_reply *r)
{
	static struct evl_token_info t[256];
	size_t n = evl_engine_tokens(d->e, t, 256);
	uint64_t now = evld_now();
	json_object *a = json ? json_object_new_array() : NULL;

	if (n > 256)
		n = 256;
	for (size_t i = 0; i < n; i++) {
		if (json) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "token", json_object_new_string(t[i].id));
			json_object_object_add(o, "ap", json_object_new_string(t[i].ap));
			json_object_object_add(
				o, "event_type",
				json_object_new_string(evl_event_type_name(t[i].event_type)));
			json_object_object_add(
				o, "action", json_object_new_string(evl_action_name(t[i].action)));
			json_object_object_add(o, "prev", evl_ap_conf_json(&t[i].prev));
			json_object_object_add(o, "next", evl_ap_conf_json(&t[i].next));
			json_object_object_add(o, "monitoring",
					       json_object_new_boolean(t[i].monitoring));
			json_object_object_add(
				o, "monitor_left_s",
				json_object_new_double(secs(t[i].monitor_until_ns, now)));
			json_object_object_add(o, "expires_in_s",
					       json_object_new_double(secs(t[i].expires_ns, now)));
			json_object_array_add(a, o);
		} else {
			P("%s %s %s %s ch%d/%d -> ch%d/%d%s, expires in %.0fs\n", t[i].id, t[i].ap,
			  evl_event_type_name(t[i].event_type), evl_action_name(t[i].action),
			  t[i].prev.channel, t[i].prev.bandwidth, t[i].next.channel,
			  t[i].next.bandwidth, t[i].monitoring ? ", monitoring" : "",
			  secs(t[i].expires_ns, now));
		}
	}
	if (json) {
		P("%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
		json_object_put(a);
	} else if (!n) {
		P("no active tokens\n");
	}
	return 0;
}

static void nop(struct evld *d, struct evl_ctl_reply *r)
{
	static struct evl_nop_info l[512];
	size_t n = evl_engine_nop(d->e, l, 512);
	uint64_t now = evld_now();

	if (n > 512)
		n = 512;
	for (size_t i = 0; i < n; i++)
		P("%s channel %d for %.0fs\n", l[i].ap, l[i].channel, secs(l[i].until_ns, now));
	if (!n)
		P("no channel in non-occupancy\n");
}

static int inject(struct evld *d, const struct evl_ctl_req *q, struct evl_ctl_reply *r)
{
	enum evl_event_type type;
	enum evl_severity sev;
	uint64_t before = d->seq;
	int rc;

	if (evl_event_type_parse(q->inject.type, &type)) {
		P("inject: unknown event type '%s'", q->inject.type);
		return -EINVAL;
	}
	sev = evld_default_severity(type);
	if (q->inject.severity[0] && evl_severity_parse(q->inject.severity, &sev)) {
		P("inject: bad severity '%s'", q->inject.severity);
		return -EINVAL;
	}
	rc = evld_submit(d, type, q->inject.ap, q->inject.channel, q->inject.confidence, sev, 0,
			 "inject");
	if (rc < 0) {
		P("inject: %s", strerror(-rc));
		return rc;
	}
	P("queued inject-%" PRIu64 " (%s on %s)\n", before + 1, q->inject.type, q->inject.ap);
	return 0;
}

static int handle(struct evld *d, const struct evl_ctl_req *q, const struct evl_ctl_peer *peer,
		  struct evl_ctl_reply *r)
{
	char err[EVL_CONFIG_ERR_MAX];
	int rc;

	evld_log(EVLD_DEBUG, "ctl", "%s from uid %u pid %d", evl_ctl_cmd_name(q->cmd),
		 (unsigned int)peer->uid, (int)peer->pid);
	switch (q->cmd) {
	case EVL_CTL_STATUS:
		status(d, r);
		return 0;
	case EVL_CTL_STATS:
		return stats(d, q->json, r);
	case EVL_CTL_TOKENS:
		return tokens(d, q->json, r);
	case EVL_CTL_NOP:
		nop(d, r);
		return 0;
	case EVL_CTL_ROLLBACK:
		rc = evl_engine_rollback_token(d->e, q->token, evld_now());
		d->dirty = true;
		if (rc == -ENOENT)
			P("no live token %s", q->token);
		else if (rc == -EBUSY)
			P("rollback of %s refused: a channel it would return to is in radar "
			  "non-occupancy (try after the NOP)",
			  q->token);
		else if (rc)
			P("rollback of %s failed: %s", q->token, strerror(-rc));
		else
			P("rolled back %s\n", q->token);
		evld_log(EVLD_INFO, "ctl", "manual rollback %s by uid %u: %s", q->token,
			 (unsigned int)peer->uid, rc ? strerror(-rc) : "done");
		return rc;
	case EVL_CTL_INJECT:
		return inject(d, q, r);
	case EVL_CTL_SCAN:
		return evld_scan_request(d, q->iface, r);
	case EVL_CTL_CHANNELS:
		return evld_scan_channels(d, q->iface, q->json, r);
	case EVL_CTL_RELOAD:
		rc = evld_reload(d, err, sizeof(err));
		if (rc) {
			evld_log(EVLD_ERR, "evld", "reload refused, old configuration kept: %s",
				 err);
			P("%s", err);
			return rc;
		}
		P("configuration reloaded\n");
		return 0;
	case EVL_CTL_METRICS: {
		struct evl_metrics m = {
			.per = q->metrics.per,
			.retry = q->metrics.retry,
			.throughput_mbps = q->metrics.tput_mbps,
			.disconnects_per_min = q->metrics.disc_per_min,
			.clients = q->metrics.clients,
		};

		rc = evl_engine_metrics(d->e, q->metrics.ap, &m, evld_now());
		if (rc) {
			P("metrics: %s", rc == -ENOENT ? "unknown AP" : strerror(-rc));
			return rc;
		}
		d->dirty = true;
		for (unsigned int i = 0; i < d->n_if; i++)
			if (!strcmp(d->ifs[i].name, q->metrics.ap)) {
				d->ifs[i].m.per = m.per;
				d->ifs[i].m.retry = m.retry;
				d->ifs[i].m.stations = (unsigned int)m.clients;
			}
		evl_engine_tick(d->e, evld_now());
		P("sample taken for %s\n", q->metrics.ap);
		return 0;
	}
	}
	P("unsupported command");
	return -EOPNOTSUPP;
}

int evld_ctl_handle(void *ctx, const struct evl_ctl_req *q, const struct evl_ctl_peer *peer,
		    struct evl_ctl_reply *r)
{
	int rc = handle(ctx, q, peer, r);

	evld_state_sync(ctx); /* the reply promises the change is on disk */
	return rc;
}
