// SPDX-License-Identifier: GPL-2.0
/* Scenario parser: every line is checked before anything runs (nothing half-applied). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "scenario.h"

struct ctx {
	char *err;
	size_t errlen;
	int line;
};

static bool fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "line %d: ", c->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

/* Only known keys; a typo is an error, not a silent default. */
static bool keys_ok(struct ctx *c, json_object *o, const char *what, const char *const *allowed)
{
	json_object_object_foreach(o, k, v)
	{
		const char *const *a = allowed;

		(void)v;
		while (*a && strcmp(*a, k))
			a++;
		if (!*a)
			return fail(c, "%s: unknown field \"%s\"", what, k);
	}
	return true;
}

static bool num(struct ctx *c, json_object *o, const char *what, const char *k, bool need,
		double lo, double hi, double *out)
{
	json_object *x;

	if (!json_object_object_get_ex(o, k, &x))
		return need ? fail(c, "%s: missing \"%s\"", what, k) : true;
	if (!json_object_is_type(x, json_type_int) && !json_object_is_type(x, json_type_double))
		return fail(c, "%s: \"%s\" must be a number", what, k);
	*out = json_object_get_double(x);
	if (!isfinite(*out) || *out < lo || *out > hi)
		return fail(c, "%s: \"%s\" = %g is out of range %g..%g", what, k, *out, lo, hi);
	return true;
}

static bool integer(struct ctx *c, json_object *o, const char *what, const char *k, bool need,
		    int lo, int hi, int *out)
{
	json_object *x;
	int64_t v;

	if (!json_object_object_get_ex(o, k, &x))
		return need ? fail(c, "%s: missing \"%s\"", what, k) : true;
	if (!json_object_is_type(x, json_type_int))
		return fail(c, "%s: \"%s\" must be an integer", what, k);
	v = json_object_get_int64(x);
	if (v < lo || v > hi)
		return fail(c, "%s: \"%s\" = %lld is out of range %d..%d", what, k, (long long)v,
			    lo, hi);
	*out = (int)v;
	return true;
}

static bool str(struct ctx *c, json_object *o, const char *what, const char *k, bool need,
		char *out, size_t len)
{
	json_object *x;
	const char *s;

	if (!json_object_object_get_ex(o, k, &x))
		return need ? fail(c, "%s: missing \"%s\"", what, k) : true;
	if (!json_object_is_type(x, json_type_string))
		return fail(c, "%s: \"%s\" must be a string", what, k);
	s = json_object_get_string(x);
	if (!*s || strlen(s) >= len)
		return fail(c, "%s: \"%s\" must be 1..%zu characters", what, k, len - 1);
	strcpy(out, s);
	return true;
}

static const struct step *find_ap(const struct scenario *sc, const char *id)
{
	for (size_t i = 0; i < sc->n; i++)
		if (sc->steps[i].kind == ST_AP && !strcmp(sc->steps[i].ap, id))
			return &sc->steps[i];
	return NULL;
}

static bool known_ap(struct ctx *c, const struct scenario *sc, const char *what, const char *id)
{
	return find_ap(sc, id) ? true
			       : fail(c, "%s: unknown ap \"%s\" (declare it first)", what, id);
}

static bool parse_site(struct ctx *c, json_object *o, struct scenario *sc)
{
	static const char *const k[] = {"country", "start", NULL};
	char cc[8] = "00", start[32] = "";
	struct evl_core_config cfg;
	struct tm tm = {0};
	const char *end;

	if (!keys_ok(c, o, "site", k) || !str(c, o, "site", "country", false, cc, sizeof(cc)) ||
	    !str(c, o, "site", "start", false, start, sizeof(start)))
		return false;
	evl_core_config_init(&cfg);
	if (evl_core_config_set(&cfg, "country", cc))
		return fail(c, "site: country \"%s\" is not a country code (US, DE, 00, FR, ...)",
			    cc);
	sc->country = cfg.country; /* no built-in plan: the world's, until a plan line */
	if (*start) {
		end = strptime(start, "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (!end || *end)
			return fail(c, "site: start \"%s\" is not YYYY-MM-DDTHH:MM:SSZ", start);
		sc->start_unix = timegm(&tm);
	}
	return true;
}

static bool parse_ap(struct ctx *c, json_object *o, const struct scenario *sc, struct step *s)
{
	static const char *const k[] = {"id",	   "band",    "channel", "bandwidth", "tx_power",
					"obss_pd", "max_sta", "ssid",	 "bssid",     NULL};
	char band[8];
	unsigned int b[6];
	int n = 0;

	s->conf = (struct evl_ap_conf){.bandwidth = 20, .tx_power = 20, .state = EVL_AP_UP};
	if (!keys_ok(c, o, "ap", k) || !str(c, o, "ap", "id", true, s->ap, sizeof(s->ap)) ||
	    !str(c, o, "ap", "band", true, band, sizeof(band)) ||
	    !integer(c, o, "ap", "channel", true, 1, 233, &s->conf.channel) ||
	    !integer(c, o, "ap", "bandwidth", false, 20, 160, &s->conf.bandwidth) ||
	    !integer(c, o, "ap", "tx_power", false, -10, 36, &s->conf.tx_power) ||
	    !integer(c, o, "ap", "obss_pd", false, -82, 0, &s->conf.obss_pd) ||
	    !integer(c, o, "ap", "max_sta", false, 0, 2007, &s->conf.max_sta) ||
	    !str(c, o, "ap", "ssid", false, s->bss.ssid, sizeof(s->bss.ssid)) ||
	    !str(c, o, "ap", "bssid", false, s->bss.bssid, sizeof(s->bss.bssid)))
		return false;
	if (*s->bss.bssid && (sscanf(s->bss.bssid, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2],
				     &b[3], &b[4], &b[5], &n) != 6 ||
			      n != 17 || s->bss.bssid[n]))
		return fail(c, "ap: bssid \"%s\" is not an address like 02:00:00:00:01:00",
			    s->bss.bssid);
	if (!*s->bss.ssid != !*s->bss.bssid)
		return fail(c, "ap: give both \"ssid\" and \"bssid\" or neither");
	if (evl_chan_band_parse(band, &s->conf.band))
		return fail(c, "ap: band \"%s\" unknown (2g, 5g or 6g)", band);
	if (find_ap(sc, s->ap))
		return fail(c, "ap: \"%s\" declared twice", s->ap);
	if (evl_chan_to_freq(s->conf.band, s->conf.channel) < 0)
		return fail(c, "ap: channel %d does not exist in band %s", s->conf.channel, band);
	if (s->conf.bandwidth != 20 && s->conf.bandwidth != 40 && s->conf.bandwidth != 80 &&
	    s->conf.bandwidth != 160)
		return fail(c, "ap: bandwidth %d (20, 40, 80 or 160)", s->conf.bandwidth);
	s->kind = ST_AP;
	return true;
}

static bool parse_report(struct ctx *c, json_object *o, const struct scenario *sc, struct step *s)
{
	static const char *const k[] = {"ap",
					"channel",
					"interference",
					"neighbors",
					"client_support",
					"neighbor_load",
					"strongest_dbm",
					"measured",
					NULL};
	const char *w = "channel_report";
	json_object *m;

	s->report = (struct evl_chan_report){.client_support = 1.0};
	s->kind = ST_REPORT;
	if (json_object_object_get_ex(o, "measured", &m)) {
		if (!json_object_is_type(m, json_type_boolean))
			return fail(c, "%s: \"measured\" must be true or false", w);
		s->measured = json_object_get_boolean(m);
	}
	return keys_ok(c, o, w, k) && str(c, o, w, "ap", true, s->ap, sizeof(s->ap)) &&
	       known_ap(c, sc, w, s->ap) &&
	       integer(c, o, w, "channel", true, 1, EVL_CHAN_MAX - 1, &s->channel) &&
	       num(c, o, w, "interference", false, 0, 1, &s->report.interference) &&
	       integer(c, o, w, "neighbors", false, 0, 10000, &s->report.neighbors) &&
	       num(c, o, w, "client_support", false, 0, 1, &s->report.client_support) &&
	       num(c, o, w, "neighbor_load", false, 0, 10000, &s->report.neighbor_load) &&
	       integer(c, o, w, "strongest_dbm", false, -120, 0, &s->report.strongest_dbm);
}

static bool parse_dfs(struct ctx *c, json_object *o, const struct scenario *sc, struct step *s)
{
	static const char *const k[] = {"ap", "channel", "state", NULL};
	static const char *const names[] = {"unknown", "usable", "available", "unavailable"};
	char st[16];

	s->kind = ST_DFS;
	if (!keys_ok(c, o, "dfs_state", k) ||
	    !str(c, o, "dfs_state", "ap", true, s->ap, sizeof(s->ap)) ||
	    !known_ap(c, sc, "dfs_state", s->ap) ||
	    !integer(c, o, "dfs_state", "channel", true, 1, EVL_CHAN_MAX - 1, &s->channel) ||
	    !str(c, o, "dfs_state", "state", true, st, sizeof(st)))
		return false;
	for (int i = 0; i < 4; i++)
		if (!strcmp(st, names[i])) {
			s->dfs = i;
			return true;
		}
	return fail(c, "dfs_state: state \"%s\" (usable, available, unavailable)", st);
}

static bool flag(struct ctx *c, json_object *o, const char *what, const char *k, bool *out)
{
	json_object *x;

	if (!json_object_object_get_ex(o, k, &x))
		return true;
	if (!json_object_is_type(x, json_type_boolean))
		return fail(c, "%s: \"%s\" must be true or false", what, k);
	*out = json_object_get_boolean(x);
	return true;
}

/* Raw facts, as evld gathers them: {"radar": {"ap", "channel"?, "source"?}},
 * {"survey": {"ap", "burst"?, "sat"?}}, {"churn": {"ap", "associations"}},
 * {"hw": {"ap", "fact", "source"?}}. */
static bool parse_fact(struct ctx *c, const char *w, json_object *o, const struct scenario *sc,
		       struct step *s)
{
	static const char *const kr[] = {"ap", "channel", "source", NULL};
	static const char *const ks[] = {"ap", "burst", "sat", NULL};
	static const char *const kc[] = {"ap", "associations", NULL};
	static const char *const kh[] = {"ap", "fact", "source", NULL};
	char fact[16];

	strcpy(s->source, "ebpf");
	if (!keys_ok(c, o, w,
		     !strcmp(w, "radar")    ? kr
		     : !strcmp(w, "survey") ? ks
		     : !strcmp(w, "hw")	    ? kh
					    : kc) ||
	    !str(c, o, w, "ap", true, s->ap, sizeof(s->ap)) || !known_ap(c, sc, w, s->ap))
		return false;
	if (!strcmp(w, "radar")) {
		s->kind = ST_RADAR;
		if (!integer(c, o, w, "channel", false, 0, EVL_CHAN_MAX - 1, &s->channel) ||
		    !str(c, o, w, "source", false, s->source, sizeof(s->source)))
			return false;
		if (strcmp(s->source, "ebpf") && strcmp(s->source, "nl80211") &&
		    strcmp(s->source, "hostapd"))
			return fail(c, "radar: source \"%s\" (ebpf, nl80211 or hostapd)",
				    s->source);
		return true;
	}
	if (!strcmp(w, "survey")) {
		s->kind = ST_SURVEY;
		strcpy(s->source, "nl80211");
		return flag(c, o, w, "burst", &s->burst) && flag(c, o, w, "sat", &s->sat);
	}
	if (!strcmp(w, "hw")) {
		s->kind = ST_HW;
		if (!str(c, o, w, "fact", true, fact, sizeof(fact)) ||
		    !str(c, o, w, "source", false, s->source, sizeof(s->source)))
			return false;
		if (evl_hw_fact_parse(fact, &s->hw))
			return fail(c, "hw: fact \"%s\" (restart, up, gone or back)", fact);
		if (strcmp(s->source, "ebpf") && strcmp(s->source, "nl80211") &&
		    strcmp(s->source, "hostapd") && strcmp(s->source, "rtnetlink"))
			return fail(c, "hw: source \"%s\" (ebpf, nl80211, hostapd or rtnetlink)",
				    s->source);
		return true;
	}
	s->kind = ST_CHURN;
	return integer(c, o, w, "associations", true, 0, 1000000, &s->assoc);
}

/* {"plan": {"ap", "tx_power_dbm"?, "channels": [{"channel", "max_dbm"?, "radar"?, "no_ir"?,
 * "disabled"?}, ...]}}: the AP's band; an empty list goes back to the built-in plan. */
static bool parse_plan(struct ctx *c, json_object *o, const struct scenario *sc, struct step *s)
{
	static const char *const k[] = {"ap", "tx_power_dbm", "channels", NULL};
	static const char *const kc[] = {"channel", "max_dbm", "radar", "no_ir", "disabled", NULL};
	const char *w = "plan";
	const struct step *ap;
	json_object *list;
	double tx = 0;
	size_t n;

	s->kind = ST_PLAN;
	if (!keys_ok(c, o, w, k) || !str(c, o, w, "ap", true, s->ap, sizeof(s->ap)) ||
	    !known_ap(c, sc, w, s->ap) || !num(c, o, w, "tx_power_dbm", false, 0, 40, &tx))
		return false;
	if (!json_object_object_get_ex(o, "channels", &list) ||
	    !json_object_is_type(list, json_type_array))
		return fail(c, "plan: \"channels\" must be an array");
	ap = find_ap(sc, s->ap);
	s->tx_mbm = (int)lround(tx * 100);
	n = json_object_array_length(list);
	if (n > EVL_CHAN_MAX)
		return fail(c, "plan: %zu channels (at most %d)", n, EVL_CHAN_MAX);
	s->plan = n ? calloc(n, sizeof(*s->plan)) : NULL;
	if (n && !s->plan)
		return fail(c, "out of memory");
	s->n_plan = n;
	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(list, i);
		struct evl_plan_chan *p = &s->plan[i];
		double dbm = 0;

		if (!json_object_is_type(x, json_type_object))
			return fail(c, "plan: channels[%zu] must be an object", i);
		p->band = ap->conf.band;
		if (!keys_ok(c, x, w, kc) ||
		    !integer(c, x, w, "channel", true, 1, EVL_CHAN_MAX - 1, &p->channel) ||
		    !num(c, x, w, "max_dbm", false, 0, 40, &dbm) ||
		    !flag(c, x, w, "radar", &p->radar) || !flag(c, x, w, "no_ir", &p->no_ir) ||
		    !flag(c, x, w, "disabled", &p->disabled))
			return false;
		if (evl_chan_to_freq(p->band, p->channel) < 0)
			return fail(c, "plan: channel %d does not exist in band %s", p->channel,
				    evl_chan_band_name(p->band));
		p->max_power_mbm = (int)lround(dbm * 100);
	}
	return true;
}

static bool parse_event(struct ctx *c, json_object *o, const struct scenario *sc, struct step *s)
{
	static const char *const k[] = {"id",	      "type",	 "severity", "ap", "radio",
					"confidence", "channel", "ended",    NULL};
	static const enum evl_severity def_sev[EVL_EV_TYPE_MAX] = {
		EVL_SEV_CRITICAL, EVL_SEV_HIGH,	  EVL_SEV_HIGH,	  EVL_SEV_MEDIUM,
		EVL_SEV_CRITICAL, EVL_SEV_MEDIUM, EVL_SEV_MEDIUM,
	};
	struct evl_event *ev = &s->ev;
	char type[32], sev[16] = "", radio[8] = "";
	const struct step *ap;
	json_object *x;

	s->kind = ST_EVENT;
	ev->confidence = 1.0;
	ev->source = "replay";
	if (!keys_ok(c, o, "event", k) || !str(c, o, "event", "id", true, ev->id, sizeof(ev->id)) ||
	    !str(c, o, "event", "type", true, type, sizeof(type)) ||
	    !str(c, o, "event", "severity", false, sev, sizeof(sev)) ||
	    !str(c, o, "event", "ap", true, ev->ap, sizeof(ev->ap)) ||
	    !str(c, o, "event", "radio", false, radio, sizeof(radio)) ||
	    !num(c, o, "event", "confidence", false, 0, 1, &ev->confidence) ||
	    !integer(c, o, "event", "channel", false, 0, EVL_CHAN_MAX - 1, &ev->channel))
		return false;
	if (evl_event_type_parse(type, &ev->type))
		return fail(c, "event: type \"%s\" unknown", type);
	ev->severity = def_sev[ev->type];
	if (*sev && evl_severity_parse(sev, &ev->severity))
		return fail(c, "event: severity \"%s\" (critical, high, medium, low)", sev);
	ap = find_ap(sc, ev->ap); /* an undeclared AP is the engine's to reject (unknown_ap) */
	ev->radio = ap ? ap->conf.band : EVL_BAND_5G;
	if (*radio && evl_chan_band_parse(radio, &ev->radio))
		return fail(c, "event: radio \"%s\" (2g, 5g or 6g)", radio);
	if (json_object_object_get_ex(o, "ended", &x)) {
		if (!json_object_is_type(x, json_type_boolean))
			return fail(c, "event: \"ended\" must be true or false");
		ev->ended = json_object_get_boolean(x);
	}
	return true;
}

static bool parse_metrics(struct ctx *c, json_object *o, const struct scenario *sc, struct step *s)
{
	static const char *const k[] = {
		"ap", "per", "retry", "throughput_mbps", "disconnects_per_min", "clients", NULL};
	const char *w = "metrics";

	s->kind = ST_METRICS;
	return keys_ok(c, o, w, k) && str(c, o, w, "ap", true, s->ap, sizeof(s->ap)) &&
	       known_ap(c, sc, w, s->ap) && num(c, o, w, "per", true, 0, 1, &s->m.per) &&
	       num(c, o, w, "retry", true, 0, 1, &s->m.retry) &&
	       num(c, o, w, "throughput_mbps", true, 0, 1e6, &s->m.throughput_mbps) &&
	       num(c, o, w, "disconnects_per_min", false, 0, 1e6, &s->m.disconnects_per_min) &&
	       integer(c, o, w, "clients", false, 0, 100000, &s->m.clients);
}

static bool parse_rollback(struct ctx *c, json_object *o, const struct scenario *sc, struct step *s)
{
	static const char *const k[] = {"ap", "token", NULL};

	s->kind = ST_ROLLBACK;
	if (!keys_ok(c, o, "rollback", k) ||
	    !str(c, o, "rollback", "ap", false, s->ap, sizeof(s->ap)) ||
	    !str(c, o, "rollback", "token", false, s->token, sizeof(s->token)))
		return false;
	if (!*s->ap == !*s->token)
		return fail(c, "rollback: give exactly one of \"ap\" or \"token\"");
	return !*s->ap || known_ap(c, sc, "rollback", s->ap);
}

static bool parse_line(struct ctx *c, json_object *o, struct scenario *sc, double *last_t,
		       bool *ended)
{
	static const char *const payloads[] = {
		"site",	    "ap",    "channel_report", "dfs_state", "event", "metrics",
		"rollback", "radar", "survey",	       "churn",	    "hw",    "end",   "plan"};
	const char *name = NULL;
	json_object *p = NULL;
	struct step *s;
	double t = *last_t;
	int n = 0;

	if (!json_object_is_type(o, json_type_object))
		return fail(c, "not a JSON object");
	json_object_object_foreach(o, k, v)
	{
		size_t i;

		if (!strcmp(k, "t"))
			continue;
		for (i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++)
			if (!strcmp(k, payloads[i]))
				break;
		if (i == sizeof(payloads) / sizeof(payloads[0]))
			return fail(c, "unknown field \"%s\"", k);
		name = payloads[i];
		p = v;
		n++;
	}
	if (n != 1)
		return fail(c,
			    "needs exactly one of site, ap, channel_report, dfs_state, event, "
			    "metrics, rollback, radar, survey, churn, hw, plan, end (has %d)",
			    n);
	if (!json_object_is_type(p, json_type_object))
		return fail(c, "\"%s\" must be an object", name);
	if (!num(c, o, "line", "t", !!strcmp(name, "rollback") && !!strcmp(name, "site"), 0, 1e9,
		 &t))
		return false;
	if (t < *last_t)
		return fail(c, "t = %g goes back in time (previous %g)", t, *last_t);
	if (*ended)
		return fail(c, "line after \"end\"");
	*last_t = t;
	if (!strcmp(name, "site")) {
		if (sc->n)
			return fail(c, "site must come before every other line");
		return parse_site(c, p, sc);
	}
	s = realloc(sc->steps, (sc->n + 1) * sizeof(*s));
	if (!s)
		return fail(c, "out of memory");
	sc->steps = s;
	s = &sc->steps[sc->n];
	memset(s, 0, sizeof(*s));
	s->line = c->line;
	s->t_ns = (uint64_t)llround(t * 1e9);
	if (!strcmp(name, "end")) {
		s->kind = ST_END;
		*ended = true;
	} else if (!((!strcmp(name, "ap") && parse_ap(c, p, sc, s)) ||
		     (!strcmp(name, "channel_report") && parse_report(c, p, sc, s)) ||
		     (!strcmp(name, "dfs_state") && parse_dfs(c, p, sc, s)) ||
		     (!strcmp(name, "event") && parse_event(c, p, sc, s)) ||
		     (!strcmp(name, "metrics") && parse_metrics(c, p, sc, s)) ||
		     (!strcmp(name, "rollback") && parse_rollback(c, p, sc, s)) ||
		     (!strcmp(name, "plan") && parse_plan(c, p, sc, s)) ||
		     ((!strcmp(name, "radar") || !strcmp(name, "survey") ||
		       !strcmp(name, "churn") || !strcmp(name, "hw")) &&
		      parse_fact(c, name, p, sc, s)))) {
		free(s->plan); /* a half-parsed plan */
		return false;
	}
	sc->n++;
	return true;
}

int scenario_parse(const char *text, struct scenario *sc, char *err, size_t errlen)
{
	struct ctx c = {err, errlen, 0};
	double last_t = 0;
	bool ended = false;
	const char *p = text;

	memset(sc, 0, sizeof(*sc));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		json_tokener *tok;
		json_object *o;
		bool ok;

		c.line++;
		if (strspn(p, " \t\r") >= len) { /* blank line */
			p += len + !!nl;
			continue;
		}
		tok = json_tokener_new();
		if (!tok) {
			fail(&c, "out of memory");
			goto bad;
		}
		o = json_tokener_parse_ex(tok, p, (int)len);
		ok = o && json_tokener_get_error(tok) == json_tokener_success &&
		     strspn(p + json_tokener_get_parse_end(tok), " \t\r") ==
			     len - json_tokener_get_parse_end(tok);
		json_tokener_free(tok);
		if (!ok) {
			json_object_put(o);
			fail(&c, "not valid JSON");
			goto bad;
		}
		ok = parse_line(&c, o, sc, &last_t, &ended);
		json_object_put(o);
		if (!ok)
			goto bad;
		p += len + !!nl;
	}
	return 0;
bad:
	scenario_free(sc);
	return -EINVAL;
}

void scenario_free(struct scenario *sc)
{
	for (size_t i = 0; sc->steps && i < sc->n; i++)
		free(sc->steps[i].plan);
	free(sc->steps);
	sc->steps = NULL;
	sc->n = 0;
}
