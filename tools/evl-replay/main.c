// SPDX-License-Identifier: GPL-2.0
/*
 * evl-replay: run a scenario (JSON Lines) through the decision core with the sim actuator,
 * print a timeline or (--json) one result object. Format and options: evl-replay(1).
 */
#include <errno.h>
#include <getopt.h>

#include "evl/audit.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <evl/engine.h>
#include <evl/sim.h>
#include "scenario.h"

#define NS 1e9

/* Collects every record for the report and passes it on to the next sink (audit). */
struct collector {
	bool json;
	json_object *actions, *rollbacks, *refused, *rejected, *expired, *notes;
	struct evl_record_sink next;
};

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static void timeline(const struct evl_record *r)
{
	char text[512];

	if (r->kind == EVL_REC_TOKEN_CREATED || r->kind == EVL_REC_DAEMON_START ||
	    r->kind == EVL_REC_DAEMON_STOP) /* the token shows in the action's line */
		return;
	evl_record_text(r, text, sizeof(text));
	printf("t=%-8.1f %s\n", (double)r->mono_ns / NS, text);
}

/* {"chosen": {channel, width, score, parts...}, "runner_up": ...}, as in the audit record */
static json_object *score_json(const struct evl_chan_score *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "channel", json_object_new_int(c->channel));
	json_object_object_add(o, "width", json_object_new_int(c->width));
	json_object_object_add(o, "score", json_object_new_double(c->total));
	json_object_object_add(o, "interference", json_object_new_double(c->interference));
	json_object_object_add(o, "neighbors", json_object_new_double(c->neighbors));
	json_object_object_add(o, "clients", json_object_new_double(c->clients));
	json_object_object_add(o, "dfs", json_object_new_double(c->dfs));
	json_object_object_add(o, "cac", json_object_new_boolean(c->cac));
	return o;
}

static json_object *selection(const struct evl_record *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "chosen", score_json(r->score));
	if (r->runner_up)
		json_object_object_add(o, "runner_up", score_json(r->runner_up));
	return o;
}

static int collect(void *ctx, const struct evl_record *r)
{
	struct collector *col = ctx;
	json_object *o = json_object_new_object();
	const struct evl_change *c = r->n_changes ? &r->changes[0] : NULL;

	if (!col->json)
		timeline(r);
	json_object_object_add(o, "t", json_object_new_double((double)r->mono_ns / NS));
	json_object_object_add(o, "ap", jstr(r->ap));
	switch (r->kind) {
	case EVL_REC_ACTION:
		json_object_object_add(o, "event", jstr(r->event_id));
		json_object_object_add(o, "event_type", jstr(r->event_type));
		json_object_object_add(o, "type", jstr(r->action_type));
		json_object_object_add(o, "param", jstr(c ? c->param : NULL));
		json_object_object_add(o, "from", c ? json_object_new_int64(c->old_value) : NULL);
		json_object_object_add(o, "to", c ? json_object_new_int64(c->new_value) : NULL);
		if (r->n_changes > 1 && !strcmp(r->changes[1].param, "bandwidth"))
			json_object_object_add(o, "bandwidth",
					       json_object_new_int64(r->changes[1].new_value));
		json_object_object_add(o, "status", jstr(r->status));
		json_object_object_add(o, "reason", jstr(r->reason));
		json_object_object_add(o, "token", jstr(r->token));
		json_object_object_add(o, "detect_to_action_us",
				       json_object_new_int64(r->detect_to_action_us));
		if (r->score)
			json_object_object_add(o, "selection", selection(r));
		json_object_array_add(col->actions, o);
		break;
	case EVL_REC_ROLLBACK: {
		json_object *rest = json_object_new_object();

		for (unsigned int i = 0; i < r->n_changes; i++)
			json_object_object_add(rest, r->changes[i].param,
					       json_object_new_int64(r->changes[i].new_value));
		json_object_object_add(o, "token", jstr(r->token));
		json_object_object_add(o, "reason", jstr(r->reason));
		json_object_object_add(o, "automatic",
				       json_object_new_boolean(strcmp(r->reason, "manual") != 0));
		json_object_object_add(o, "status", jstr(r->status));
		json_object_object_add(o, "metric", jstr(r->metric));
		if (r->metric) {
			json_object_object_add(o, "baseline",
					       json_object_new_double(r->metric_baseline));
			json_object_object_add(o, "observed",
					       json_object_new_double(r->metric_observed));
		}
		json_object_object_add(o, "restored", rest);
		json_object_array_add(col->rollbacks, o);
		break;
	}
	case EVL_REC_ROLLBACK_REFUSED:
	case EVL_REC_TOKEN_EXPIRED:
		json_object_object_add(o, "token", jstr(r->token));
		json_object_object_add(o, "reason", jstr(r->reason));
		json_object_array_add(
			r->kind == EVL_REC_TOKEN_EXPIRED ? col->expired : col->refused, o);
		break;
	case EVL_REC_REJECTED:
		json_object_object_add(o, "event", jstr(r->event_id));
		json_object_object_add(o, "event_type", jstr(r->event_type));
		json_object_object_add(o, "reason", jstr(r->reason));
		json_object_array_add(col->rejected, o);
		break;
	case EVL_REC_NOTE:
		json_object_object_add(o, "type", jstr(r->event_type));
		json_object_object_add(o, "status", jstr(r->status));
		json_object_object_add(o, "reason", jstr(r->reason));
		json_object_object_add(o, "source", jstr(r->source));
		if (r->metric)
			json_object_object_add(o, r->metric,
					       json_object_new_double(r->metric_observed));
		json_object_array_add(col->notes, o);
		break;
	default:
		json_object_put(o);
		break;
	}
	return col->next.record ? col->next.record(col->next.ctx, r) : 0;
}

/* Run due engine work up to @to, tick by tick at each deadline, so timings are exact. */
static void advance(struct evl_engine *e, uint64_t *cur, uint64_t to)
{
	int same = 0;

	while (*cur < to) {
		uint64_t d = evl_engine_next_deadline(e);

		if (d >= to) /* work due at @to runs after that instant's lines are applied */
			break;
		if (d <= *cur) {
			d = *cur;
			if (++same > 3) /* nothing left that can progress at this instant */
				break;
		} else {
			same = 0;
		}
		evl_engine_tick(e, d);
		*cur = d;
	}
	*cur = to;
}

static void apply(struct evl_engine *e, struct evl_sim *sim, const struct step *s, bool json)
{
	struct evl_event ev;
	int err = 0;

	switch (s->kind) {
	case ST_AP:
		err = evl_sim_add_ap(sim, s->ap, &s->conf);
		if (!err && *s->bss.ssid)
			err = evl_sim_set_bss(sim, s->ap, &s->bss);
		if (!err)
			err = evl_engine_add_ap(e, s->ap, &s->conf);
		break;
	case ST_REPORT: {
		struct evl_chan_report rep = s->report;

		if (s->measured)
			rep.measured_ns = s->t_ns ? s->t_ns : 1; /* 0 would mean timeless */
		err = evl_engine_chan_report(e, s->ap, s->channel, &rep);
		break;
	}
	case ST_DFS:
		err = evl_engine_dfs_state(e, s->ap, s->channel, s->dfs);
		break;
	case ST_PLAN:
		err = evl_engine_set_plan(e, s->ap, s->plan, s->n_plan, s->tx_mbm);
		break;
	case ST_EVENT:
		ev = s->ev;
		ev.ts_ns = ev.detect_ns = s->t_ns;
		evl_engine_submit(e, &ev, s->t_ns); /* gate rejections arrive as records */
		break;
	case ST_METRICS:
		err = evl_engine_metrics(e, s->ap, &s->m, s->t_ns);
		break;
	case ST_ROLLBACK:
		err = *s->token ? evl_engine_rollback_token(e, s->token, s->t_ns)
				: evl_engine_rollback_ap(e, s->ap, s->t_ns);
		if (err == -EBUSY) /* refused: already reported as a record */
			err = 0;
		break;
	case ST_RADAR:
		err = evl_engine_radar_report(e, s->ap, s->channel, s->t_ns, s->source, s->t_ns);
		break;
	case ST_SURVEY:
		err = evl_engine_survey_report(e, s->ap, s->burst, s->sat, s->source, s->t_ns);
		break;
	case ST_CHURN:
		err = evl_engine_station_churn(e, s->ap, (unsigned int)s->assoc, s->t_ns, s->source,
					       s->t_ns);
		break;
	case ST_HW: /* the simulated radio goes missing or comes back with the fact */
		if (s->hw == EVL_HW_GONE || s->hw == EVL_HW_BACK)
			evl_sim_set_gone(sim, s->ap, s->hw == EVL_HW_GONE);
		err = evl_engine_hw_fact(e, s->ap, s->hw, s->source, s->t_ns);
		break;
	case ST_END:
		break;
	}
	if (err > 0) /* facts: the set of events they made */
		err = 0;
	if (err && !json)
		printf("t=%-8.1f line %d: %s: %s\n", (double)s->t_ns / NS, s->line,
		       s->kind == ST_ROLLBACK ? "rollback not done" : "not applied",
		       err == -ENOENT ? "nothing live to roll back" : strerror(-err));
}

static void print_json(struct evl_engine *e, struct evl_sim *sim, struct collector *col)
{
	json_object *root = json_object_new_object(), *st;
	json_object *aps = json_object_new_array(), *nop = json_object_new_array();
	json_object *toks = json_object_new_array();
	struct evl_stats s;
	size_t n;

	evl_engine_stats(e, &s);
	st = evl_stats_json(&s);
	n = evl_engine_aps(e, NULL, 0);
	struct evl_ap_info *ai = calloc(n + 1, sizeof(*ai));

	evl_engine_aps(e, ai, ai ? n : 0);
	for (size_t i = 0; ai && i < n; i++) {
		struct evl_ap_conf c;
		json_object *o;

		if (evl_sim_get(sim, ai[i].id, &c)) /* the radio's truth */
			c = ai[i].conf;
		o = evl_ap_conf_json(&c);
		json_object_object_add(o, "id", json_object_new_string(ai[i].id));
		json_object_object_add(o, "hw_phase",
				       json_object_new_string(evl_hw_phase_name(ai[i].hw_phase)));
		json_object_object_add(o, "hw_restarts", json_object_new_int64(ai[i].hw_restarts));
		json_object_object_add(o, "btm_requests",
				       json_object_new_int(evl_sim_btm(sim, ai[i].id, NULL)));
		json_object_array_add(aps, o);
	}
	free(ai);
	n = evl_engine_nop(e, NULL, 0);
	if (n) {
		struct evl_nop_info *ni = calloc(n, sizeof(*ni));

		evl_engine_nop(e, ni, n);
		for (size_t i = 0; i < n; i++) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "ap", json_object_new_string(ni[i].ap));
			json_object_object_add(o, "channel", json_object_new_int(ni[i].channel));
			json_object_object_add(o, "until",
					       json_object_new_double((double)ni[i].until_ns / NS));
			json_object_array_add(nop, o);
		}
		free(ni);
	}
	n = evl_engine_tokens(e, NULL, 0);
	if (n) {
		struct evl_token_info *ti = calloc(n, sizeof(*ti));

		evl_engine_tokens(e, ti, n);
		for (size_t i = 0; i < n; i++) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "token", json_object_new_string(ti[i].id));
			json_object_object_add(o, "ap", json_object_new_string(ti[i].ap));
			json_object_object_add(
				o, "action", json_object_new_string(evl_action_name(ti[i].action)));
			json_object_object_add(
				o, "expires",
				json_object_new_double((double)ti[i].expires_ns / NS));
			json_object_array_add(toks, o);
		}
		free(ti);
	}
	json_object_object_add(root, "stats", st);
	json_object_object_add(root, "aps", aps);
	json_object_object_add(root, "actions", json_object_get(col->actions));
	json_object_object_add(root, "rollbacks", json_object_get(col->rollbacks));
	json_object_object_add(root, "rollbacks_refused", json_object_get(col->refused));
	json_object_object_add(root, "tokens_expired", json_object_get(col->expired));
	json_object_object_add(root, "rejected", json_object_get(col->rejected));
	json_object_object_add(root, "notes", json_object_get(col->notes));
	json_object_object_add(root, "nop", nop);
	json_object_object_add(root, "tokens", toks);
	printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								    JSON_C_TO_STRING_SPACED));
	json_object_put(root);
}

static void print_status(struct evl_engine *e)
{
	struct evl_stats s;
	char view[1024];

	evl_engine_stats(e, &s);
	evl_stats_status(&s, view, sizeof(view));
	printf("\n%s", view);
}

static char *read_all(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (!nb) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
	} else if (buf) {
		buf[len] = 0;
		if (memchr(buf, 0, len)) {
			free(buf);
			buf = NULL;
			errno = EILSEQ;
		}
	}
	if (f != stdin)
		fclose(f);
	return buf;
}

/* Audit timestamps: the scenario's site.start plus engine time. */
static int64_t replay_wall_us(void *ctx, uint64_t mono_ns)
{
	return *(const int64_t *)ctx * 1000000 + (int64_t)(mono_ns / 1000);
}

static int usage(bool help)
{
	fprintf(help ? stdout : stderr,
		"usage: evl-replay SCENARIO.jsonl|- [--seed N] [--json]\n"
		"                  [--audit-dir DIR --audit-key FILE --site-secret FILE]\n"
		"Runs a scenario through the decision core with simulated APs; the scenario\n"
		"format is in evl-replay(1).\n");
	return help ? 0 : 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seed", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"audit-dir", required_argument, NULL, 'D'},
		{"audit-key", required_argument, NULL, 'K'},
		{"site-secret", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct collector col = {0};
	struct evl_core_config cfg;
	struct scenario sc;
	struct evl_engine *e = NULL;
	struct evl_sim *sim = NULL;
	struct evl_audit_opts aopts = {.durability = EVL_AUDIT_SYNC_NONE,
				       .wall_us = replay_wall_us};
	struct evl_audit *audit = NULL;
	unsigned long long seed = 1;
	uint64_t cur = 0;
	char err[256], *text, *end;
	int c, ret = 1;

	while ((c = getopt_long(argc, argv, "s:jh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno || !*optarg || *end) {
				fprintf(stderr, "evl-replay: --seed '%s' is not a number\n",
					optarg);
				return 2;
			}
			break;
		case 'j':
			col.json = true;
			break;
		case 'D':
			aopts.dir = optarg;
			break;
		case 'K':
			aopts.key_file = optarg;
			break;
		case 'S':
			aopts.secret_file = optarg;
			break;
		default: /* -h, --help, or a bad option */
			return usage(c == 'h');
		}
	}
	if (optind != argc - 1) {
		return usage(false);
	}
	if ((aopts.dir || aopts.key_file || aopts.secret_file) &&
	    !(aopts.dir && aopts.key_file && aopts.secret_file)) {
		fprintf(stderr,
			"evl-replay: --audit-dir, --audit-key and --site-secret go together\n");
		return 2;
	}
	text = read_all(argv[optind]);
	if (!text) {
		fprintf(stderr, "evl-replay: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	c = scenario_parse(text, &sc, err, sizeof(err));
	free(text);
	if (c) {
		fprintf(stderr, "evl-replay: %s: %s\n", argv[optind], err);
		return 1;
	}

	evl_core_config_init(&cfg);
	cfg.country = sc.country;
	cfg.unix_base_s = sc.start_unix;
	if (aopts.dir) {
		aopts.wall_ctx = &sc.start_unix;
		audit = evl_audit_open(&aopts);
		if (!audit) {
			fprintf(stderr, "evl-replay: audit: %s\n", evl_audit_errmsg());
			goto out;
		}
		col.next = evl_audit_sink(audit);
	}
	col.actions = json_object_new_array();
	col.rollbacks = json_object_new_array();
	col.refused = json_object_new_array();
	col.rejected = json_object_new_array();
	col.expired = json_object_new_array();
	col.notes = json_object_new_array();
	sim = evl_sim_new();
	if (sim)
		e = evl_engine_new(&cfg, evl_sim_actuator(sim),
				   (struct evl_record_sink){collect, &col}, seed);
	if (!e) {
		fprintf(stderr, "evl-replay: %s\n", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < sc.n; i++) {
		advance(e, &cur, sc.steps[i].t_ns);
		apply(e, sim, &sc.steps[i], col.json);
		/* lines with the same t are all applied before the queue runs (priorities) */
		if (i + 1 == sc.n || sc.steps[i + 1].t_ns != sc.steps[i].t_ns)
			evl_engine_tick(e, cur);
	}
	if (col.json)
		print_json(e, sim, &col);
	else
		print_status(e);
	ret = 0;
out:
	evl_engine_free(e);
	evl_sim_free(sim);
	evl_audit_close(audit);
	scenario_free(&sc);
	json_object_put(col.actions);
	json_object_put(col.rollbacks);
	json_object_put(col.refused);
	json_object_put(col.rejected);
	json_object_put(col.expired);
	json_object_put(col.notes);
	return ret;
}
