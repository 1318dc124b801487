// SPDX-License-Identifier: GPL-2.0
/*
 * Engine state <-> JSON for the daemon's state file: live tokens, NOP list, per-AP baselines,
 * running hardware failovers (an AP evld stopped must be brought back after a restart).
 * Times are engine time (monotonic ns). Loading is all or nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "engine_int.h"

#define STATE_VERSION 1

json_object *evl_ap_conf_json(const struct evl_ap_conf *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "band", json_object_new_string(evl_chan_band_name(c->band)));
	json_object_object_add(o, "channel", json_object_new_int(c->channel));
	json_object_object_add(o, "bandwidth", json_object_new_int(c->bandwidth));
	json_object_object_add(o, "tx_power", json_object_new_int(c->tx_power));
	json_object_object_add(o, "obss_pd", json_object_new_int(c->obss_pd));
	json_object_object_add(o, "max_sta", json_object_new_int(c->max_sta));
	json_object_object_add(o, "state",
			       json_object_new_string(c->state == EVL_AP_UP ? "up" : "disabled"));
	return o;
}

static json_object *metrics_json(const struct evl_metrics *m)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "per", json_object_new_double(m->per));
	json_object_object_add(o, "retry", json_object_new_double(m->retry));
	json_object_object_add(o, "throughput_mbps", json_object_new_double(m->throughput_mbps));
	json_object_object_add(o, "disconnects_per_min",
			       json_object_new_double(m->disconnects_per_min));
	json_object_object_add(o, "clients", json_object_new_int(m->clients));
	return o;
}

char *evl_engine_save_state(const struct evl_engine *e)
{
	json_object *root = json_object_new_object(), *toks = json_object_new_array();
	json_object *nops = json_object_new_array(), *bases = json_object_new_array();
	char *out;

	json_object_object_add(root, "version", json_object_new_int(STATE_VERSION));
	json_object_object_add(root, "clock", json_object_new_string("monotonic_ns"));
	for (size_t i = 0; i < e->ntok; i++) {
		const struct token *t = &e->tok[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_string(t->id));
		json_object_object_add(o, "ap", json_object_new_string(e->aps[t->ap].id));
		json_object_object_add(o, "event_id", json_object_new_string(t->event_id));
		json_object_object_add(o, "event_type",
				       json_object_new_string(evl_event_type_name(t->etype)));
		json_object_object_add(o, "action",
				       json_object_new_string(evl_action_name(t->action)));
		json_object_object_add(o, "prev", evl_ap_conf_json(&t->prev));
		json_object_object_add(o, "next", evl_ap_conf_json(&t->next));
		json_object_object_add(o, "created_ns", json_object_new_int64((int64_t)t->created));
		json_object_object_add(o, "monitor_until_ns",
				       json_object_new_int64((int64_t)t->monitor_until));
		json_object_object_add(o, "expires_ns", json_object_new_int64((int64_t)t->expires));
		json_object_object_add(o, "monitoring", json_object_new_boolean(t->monitoring));
		json_object_object_add(o, "bad_samples", json_object_new_int((int)t->bad));
		json_object_object_add(o, "baseline",
				       t->has_baseline ? metrics_json(&t->baseline) : NULL);
		json_object_array_add(toks, o);
	}
	for (size_t i = 0; i < e->nnop; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "ap", json_object_new_string(e->aps[e->nop[i].ap].id));
		json_object_object_add(o, "channel", json_object_new_int(e->nop[i].channel));
		json_object_object_add(o, "until_ns",
				       json_object_new_int64((int64_t)e->nop[i].until));
		json_object_array_add(nops, o);
	}
	for (size_t i = 0; i < e->n_aps; i++) {
		json_object *o;

		if (!e->aps[i].has_metrics)
			continue;
		o = metrics_json(&e->aps[i].last);
		json_object_object_add(o, "ap", json_object_new_string(e->aps[i].id));
		json_object_array_add(bases, o);
	}
	json_object_object_add(root, "tokens", toks);
	json_object_object_add(root, "nop", nops);
	json_object_object_add(root, "baselines", bases);
	json_object_object_add(root, "failovers", evl_hw_save(e));
	out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return out;
}

/* Typed getters: false when missing or of the wrong type. */
static bool get_int64(json_object *o, const char *k, int64_t *v)
{
	json_object *x;

	if (!json_object_object_get_ex(o, k, &x) || !json_object_is_type(x, json_type_int))
		return false;
	*v = json_object_get_int64(x);
	return true;
}

static bool get_int(json_object *o, const char *k, int *v)
{
	int64_t x;

	if (!get_int64(o, k, &x) || x < -100000 || x > 100000)
		return false;
	*v = (int)x;
	return true;
}

static bool get_num(json_object *o, const char *k, double *v)
{
	json_object *x;

	if (!json_object_object_get_ex(o, k, &x) ||
	    !(json_object_is_type(x, json_type_double) || json_object_is_type(x, json_type_int)))
		return false;
	*v = json_object_get_double(x);
	return *v >= 0;
}

static const char *get_str(json_object *o, const char *k)
{
	json_object *x;

	if (!json_object_object_get_ex(o, k, &x) || !json_object_is_type(x, json_type_string))
		return NULL;
	return json_object_get_string(x);
}

int evl_ap_conf_from_json(json_object *o, struct evl_ap_conf *c)
{
	const char *st = get_str(o, "state");
	struct evl_ap_conf n = {0};

	if (!o || !json_object_is_type(o, json_type_object) ||
	    evl_chan_band_parse(get_str(o, "band"), &n.band) ||
	    !get_int(o, "channel", &n.channel) || !get_int(o, "bandwidth", &n.bandwidth) ||
	    !get_int(o, "tx_power", &n.tx_power) || !get_int(o, "obss_pd", &n.obss_pd) ||
	    !get_int(o, "max_sta", &n.max_sta) || !st || evl_chan_to_freq(n.band, n.channel) < 0 ||
	    (n.bandwidth != 20 && n.bandwidth != 40 && n.bandwidth != 80 && n.bandwidth != 160) ||
	    n.tx_power < -10 || n.tx_power > 40 || n.obss_pd < -82 || n.obss_pd > 0 ||
	    n.max_sta < 0 || n.max_sta > 2007)
		return -EINVAL;
	if (!strcmp(st, "up"))
		n.state = EVL_AP_UP;
	else if (!strcmp(st, "disabled"))
		n.state = EVL_AP_DISABLED;
	else
		return -EINVAL;
	*c = n;
	return 0;
}

static bool parse_metrics(json_object *o, struct evl_metrics *m)
{
	return o && json_object_is_type(o, json_type_object) && get_num(o, "per", &m->per) &&
	       get_num(o, "retry", &m->retry) &&
	       get_num(o, "throughput_mbps", &m->throughput_mbps) &&
	       get_num(o, "disconnects_per_min", &m->disconnects_per_min) &&
	       get_int(o, "clients", &m->clients);
}

static json_object *get_array(json_object *o, const char *k)
{
	json_object *x;

	if (!json_object_object_get_ex(o, k, &x) || !json_object_is_type(x, json_type_array))
		return NULL;
	return x;
}

static bool parse_token(const struct evl_engine *e, json_object *o, struct token *t, bool *skip)
{
	const char *id = get_str(o, "id"), *ap = get_str(o, "ap"), *ev = get_str(o, "event_id");
	const struct ap *a;
	json_object *b = NULL, *x;
	int64_t c, m, x64;
	int bad;

	memset(t, 0, sizeof(*t));
	if (!id || !ap || !ev || strlen(id) >= sizeof(t->id) || strlen(ev) >= sizeof(t->event_id) ||
	    evl_event_type_parse(get_str(o, "event_type"), &t->etype) ||
	    evl_action_parse(get_str(o, "action"), &t->action) ||
	    !json_object_object_get_ex(o, "prev", &x) || evl_ap_conf_from_json(x, &t->prev) ||
	    !json_object_object_get_ex(o, "next", &x) || evl_ap_conf_from_json(x, &t->next) ||
	    !get_int64(o, "created_ns", &c) || !get_int64(o, "monitor_until_ns", &m) ||
	    !get_int64(o, "expires_ns", &x64) || c < 0 || m < 0 || x64 < 0 ||
	    !json_object_object_get_ex(o, "monitoring", &x) ||
	    !json_object_is_type(x, json_type_boolean) || !get_int(o, "bad_samples", &bad) ||
	    bad < 0 || !json_object_object_get_ex(o, "baseline", &b))
		return false;
	t->monitoring = json_object_get_boolean(x);
	if (b && !(t->has_baseline = parse_metrics(b, &t->baseline)))
		return false;
	strcpy(t->id, id);
	strcpy(t->event_id, ev);
	t->created = (uint64_t)c;
	t->monitor_until = (uint64_t)m;
	t->expires = (uint64_t)x64;
	t->bad = (unsigned int)bad;
	a = evl_engine_find_ap(e, ap);
	*skip = !a;
	t->ap = a ? (size_t)(a - e->aps) : 0;
	return true;
}

int evl_engine_load_state(struct evl_engine *e, const char *json)
{
	json_object *root = json ? json_tokener_parse(json) : NULL, *toks, *nops, *bases;
	struct token *tv = NULL;
	struct nop *nv = NULL;
	size_t nt = 0, nn = 0, nb, skipped = 0;
	struct evl_metrics *bv = NULL;
	const struct ap **ba = NULL;
	int64_t ver;
	int ret = -EINVAL;

	if (!root || !json_object_is_type(root, json_type_object) ||
	    !get_int64(root, "version", &ver) || ver != STATE_VERSION ||
	    !(toks = get_array(root, "tokens")) || !(nops = get_array(root, "nop")) ||
	    !(bases = get_array(root, "baselines")))
		goto out;
	if (evl_hw_load(e, root, false) < 0) /* optional; checked before anything changes */
		goto out;
	nb = json_object_array_length(bases);
	tv = calloc(json_object_array_length(toks) + 1, sizeof(*tv));
	nv = calloc(json_object_array_length(nops) + 1, sizeof(*nv));
	bv = calloc(nb + 1, sizeof(*bv));
	ba = calloc(nb + 1, sizeof(*ba));
	if (!tv || !nv || !bv || !ba) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(toks); i++) {
		bool skip;

		if (!parse_token(e, json_object_array_get_idx(toks, i), &tv[nt], &skip))
			goto out;
		skipped += skip;
		nt += !skip;
	}
	for (size_t i = 0; i < json_object_array_length(nops); i++) {
		json_object *o = json_object_array_get_idx(nops, i);
		const struct ap *a = evl_engine_find_ap(e, get_str(o, "ap"));
		int64_t until;
		int ch;

		if (!get_str(o, "ap") || !get_int(o, "channel", &ch) || ch <= 0 ||
		    ch >= EVL_CHAN_MAX || !get_int64(o, "until_ns", &until) || until < 0)
			goto out;
		if (!a) {
			skipped++;
			continue;
		}
		nv[nn++] = (struct nop){(size_t)(a - e->aps), ch, (uint64_t)until};
	}
	for (size_t i = 0; i < nb; i++) {
		json_object *o = json_object_array_get_idx(bases, i);

		if (!get_str(o, "ap") || !parse_metrics(o, &bv[i]))
			goto out;
		ba[i] = evl_engine_find_ap(e, get_str(o, "ap"));
		skipped += !ba[i];
	}
	/* everything parsed: commit */
	free(e->tok);
	e->tok = tv;
	e->ntok = nt;
	e->tok_cap = json_object_array_length(toks) + 1;
	tv = NULL;
	free(e->nop);
	e->nop = nv;
	e->arm_dirty = true;
	e->nnop = nn;
	nv = NULL;
	for (size_t i = 0; i < nb; i++)
		if (ba[i]) {
			struct ap *a = &e->aps[ba[i] - e->aps];

			a->last = bv[i];
			a->has_metrics = true;
		}
	ret = (int)skipped + evl_hw_load(e, root, true);
out:
	free(tv);
	free(nv);
	free(bv);
	free(ba);
	json_object_put(root);
	return ret;
}
