// SPDX-License-Identifier: GPL-2.0
/* The `sim` actuator: in-memory APs behind struct evl_act_ops. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <evl/sim.h>

struct sim_ap {
	char id[64];
	struct evl_ap_conf conf;   /* what the radio has */
	struct evl_ap_conf staged; /* pending mode: change awaiting completion */
	bool has_staged;
	int fallback[EVL_SIM_FALLBACK_MAX]; /* the radio's own radar fallback */
	int n_fallback;
	struct evl_ap_bss bss;		/* "" until set */
	bool gone;			/* the radio is missing: enabling it fails */
	unsigned int btm;		/* BSS transition requests made */
	struct evl_bss_target btm_last; /* ... the last one */
};

struct evl_sim {
	struct sim_ap *aps;
	size_t n;
	int fail_next;
	bool pending;
	unsigned int calls;
};

struct evl_sim *evl_sim_new(void)
{
	return calloc(1, sizeof(struct evl_sim));
}

void evl_sim_free(struct evl_sim *s)
{
	if (!s)
		return;
	free(s->aps);
	free(s);
}

static struct sim_ap *find(const struct evl_sim *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->aps[i].id, id))
			return &s->aps[i];
	return NULL;
}

int evl_sim_add_ap(struct evl_sim *s, const char *id, const struct evl_ap_conf *conf)
{
	struct sim_ap *a;

	if (!id || strlen(id) >= sizeof(a->id))
		return -EINVAL;
	if (find(s, id))
		return -EEXIST;
	a = realloc(s->aps, (s->n + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	s->aps = a;
	a = &s->aps[s->n++];
	memset(a, 0, sizeof(*a));
	strcpy(a->id, id);
	a->conf = *conf;
	return 0;
}

int evl_sim_get(const struct evl_sim *s, const char *id, struct evl_ap_conf *out)
{
	const struct sim_ap *a = find(s, id);

	if (!a)
		return -ENOENT;
	*out = a->conf;
	return 0;
}

void evl_sim_fail_next(struct evl_sim *s, int err)
{
	s->fail_next = err;
}

void evl_sim_set_pending(struct evl_sim *s, bool pending)
{
	s->pending = pending;
}

int evl_sim_complete(struct evl_sim *s, const char *id, bool ok)
{
	struct sim_ap *a = find(s, id);

	if (!a || !a->has_staged)
		return -ENOENT;
	if (ok)
		a->conf = a->staged;
	a->has_staged = false;
	return 0;
}

unsigned int evl_sim_calls(const struct evl_sim *s)
{
	return s->calls;
}

/* Common path of every setter: fault injection, then apply now or stage. */
static int apply(struct evl_sim *s, const char *id, const struct evl_ap_conf *next)
{
	struct sim_ap *a = find(s, id);
	int err;

	s->calls++;
	if (!a)
		return -ENOENT;
	if (s->fail_next) {
		err = s->fail_next;
		s->fail_next = 0;
		return err;
	}
	if (s->pending) {
		a->staged = *next;
		a->has_staged = true;
		return EVL_ACT_PENDING;
	}
	if (a->gone && next->state == EVL_AP_UP && a->conf.state != EVL_AP_UP)
		return -ENODEV;
	a->conf = *next;
	return 0;
}

static int sim_get_conf(void *ctx, const char *ap, struct evl_ap_conf *out)
{
	return evl_sim_get(ctx, ap, out);
}

/* Start from the radio's configuration (or the staged one if a change is in flight). */
static int base(struct evl_sim *s, const char *id, struct evl_ap_conf *c)
{
	struct sim_ap *a = find(s, id);

	if (!a)
		return -ENOENT;
	*c = a->has_staged ? a->staged : a->conf;
	return 0;
}

static int sim_switch_channel(void *ctx, const char *ap, const struct evl_chandef *to, bool radar)
{
	struct evl_ap_conf c = {0};
	(void)radar;

	if (base(ctx, ap, &c))
		return apply(ctx, ap, &c);
	if (to->band != c.band)
		return -EINVAL;
	c.channel = to->channel;
	c.bandwidth = to->width;
	return apply(ctx, ap, &c);
}

#define SIM_SETTER(name, field, type)                            \
	static int sim_##name(void *ctx, const char *ap, type v) \
	{                                                        \
		struct evl_ap_conf c = {0};                      \
		if (!base(ctx, ap, &c))                          \
			c.field = v;                             \
		return apply(ctx, ap, &c);                       \
	}

SIM_SETTER(set_tx_power, tx_power, int)
SIM_SETTER(set_obss_pd, obss_pd, int)
SIM_SETTER(set_max_sta, max_sta, int)
SIM_SETTER(set_state, state, enum evl_ap_state)

/* Stored like hostapd's chanlist; not counted and never failed: no action of its own. */
static int sim_set_radar_fallback(void *ctx, const char *ap, const int *chans, int n)
{
	struct sim_ap *a = find(ctx, ap);

	if (!a)
		return -ENOENT;
	if (n < 0 || n > EVL_SIM_FALLBACK_MAX || (n && !chans))
		return -EINVAL;
	memcpy(a->fallback, chans, (size_t)n * sizeof(*chans));
	a->n_fallback = n;
	return 0;
}

int evl_sim_radar_fallback(const struct evl_sim *s, const char *id, int *chans, int max)
{
	const struct sim_ap *a = find(s, id);

	if (!a)
		return -ENOENT;
	for (int i = 0; i < a->n_fallback && i < max; i++)
		chans[i] = a->fallback[i];
	return a->n_fallback;
}

int evl_sim_set_bss(struct evl_sim *s, const char *id, const struct evl_ap_bss *bss)
{
	struct sim_ap *a = find(s, id);

	if (!a || !bss)
		return a ? -EINVAL : -ENOENT;
	a->bss = *bss;
	return 0;
}

int evl_sim_set_gone(struct evl_sim *s, const char *id, bool gone)
{
	struct sim_ap *a = find(s, id);

	if (!a)
		return -ENOENT;
	a->gone = gone;
	return 0;
}

int evl_sim_btm(const struct evl_sim *s, const char *id, struct evl_bss_target *last)
{
	const struct sim_ap *a = find(s, id);

	if (!a)
		return -ENOENT;
	if (last)
		*last = a->btm_last;
	return (int)a->btm;
}

static int sim_get_bss(void *ctx, const char *ap, struct evl_ap_bss *out)
{
	struct sim_ap *a = find(ctx, ap);

	if (!a)
		return -ENOENT;
	if (!a->bss.ssid[0])
		return -ENODATA;
	*out = a->bss;
	return 0;
}

/* Counted like a setter and subject to evl_sim_fail_next(); the stations are not modelled. */
static int sim_bss_transition(void *ctx, const char *ap, const struct evl_bss_target *to)
{
	struct evl_sim *s = ctx;
	struct sim_ap *a = find(s, ap);
	int err;

	s->calls++;
	if (!a || !to)
		return a ? -EINVAL : -ENOENT;
	if (s->fail_next) {
		err = s->fail_next;
		s->fail_next = 0;
		return err;
	}
	if (a->gone)
		return -ENODEV;
	a->btm++;
	a->btm_last = *to;
	return 0;
}

static void sim_destroy(void *ctx)
{
	evl_sim_free(ctx);
}

const struct evl_act_ops evl_sim_ops = {
	.name = "sim",
	.get_conf = sim_get_conf,
	.switch_channel = sim_switch_channel,
	.set_tx_power = sim_set_tx_power,
	.set_obss_pd = sim_set_obss_pd,
	.set_max_sta = sim_set_max_sta,
	.set_state = sim_set_state,
	.set_radar_fallback = sim_set_radar_fallback,
	.get_bss = sim_get_bss,
	.bss_transition = sim_bss_transition,
	.destroy = sim_destroy,
};
