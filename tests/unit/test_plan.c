// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's channel plan in the core (evl_engine_set_plan): ranking below the AP's TX
 * power, disabled / no-IR / radar channels, any country; client support per width; the
 * wiphy parser on a captured split dump (tests/vm/captures/nl80211-wiphy-*.txt) fed to the
 * core as evld does.
 */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <evl/engine.h>
#include <evl/nl80211.h>
#include <evl/sim.h>
#include <linux/nl80211.h>
#include <netlink/genl/genl.h>

#define CAPTURES "tests/vm/captures"

static struct evl_sim *sim;
static struct evl_engine *eng;

static void start(const char *country, int ch, int bw)
{
	struct evl_core_config cfg;
	struct evl_ap_conf c = {
		.band = EVL_BAND_5G, .channel = ch, .bandwidth = bw, .tx_power = 20};

	evl_core_config_init(&cfg);
	ck_assert_int_eq(evl_core_config_set(&cfg, "country", country), 0);
	sim = evl_sim_new();
	ck_assert_ptr_nonnull(sim);
	eng = evl_engine_new(&cfg, evl_sim_actuator(sim), (struct evl_record_sink){0}, 7);
	ck_assert_ptr_nonnull(eng);
	ck_assert_int_eq(evl_sim_add_ap(sim, "a", &c), 0);
	ck_assert_int_eq(evl_engine_add_ap(eng, "a", &c), 0);
}

static void stop(void)
{
	evl_engine_free(eng);
	evl_sim_free(sim);
}

/* DE as the kernel's regulatory database has it: 149-165 allowed at 25 mW (14 dBm). */
static size_t de_plan(struct evl_plan_chan *p)
{
	size_t n = 0;

	for (int c = 36; c <= 165; c += 4) {
		if (c > 64 && c < 100)
			continue;
		if (c == 148)
			c = 149;
		p[n++] = (struct evl_plan_chan){
			.band = EVL_BAND_5G,
			.channel = c,
			.radar = c >= 52 && c <= 140,
			.disabled = c == 144,
			.no_ir = c == 144,
			.max_power_mbm = c <= 48    ? 2300
					 : c <= 64  ? 2000
					 : c <= 144 ? 2700
						    : 1400,
		};
	}
	return n;
}

static int cands(int *ch)
{
	return evl_engine_radar_candidates(eng, "a", ch, 32);
}

/* A radar move in DE never goes to 149-165 while 36-48 allow the AP's 20 dBm. */
START_TEST(power_ranks_below)
{
	struct evl_plan_chan p[40];
	size_t n = de_plan(p);
	int ch[32], k;

	start("DE", 52, 20);
	ck_assert_int_eq(evl_engine_set_plan(eng, "a", p, n, 2000), 0);
	k = cands(ch);
	ck_assert_int_eq(k, 4);
	ck_assert_mem_eq(ch, ((int[]){36, 40, 44, 48}), 4 * sizeof(int));
	/* TX power unknown: 149-165 are as good (CAC-free, no neighbours) */
	ck_assert_int_eq(evl_engine_set_plan(eng, "a", p, n, 0), 0);
	k = cands(ch);
	ck_assert_int_eq(k, 9);
	ck_assert_int_eq(ch[4], 149);
	ck_assert_int_eq(ch[8], 165);
	/* only the low-power channels are left CAC-free: they rank below, but still win */
	ck_assert_int_eq(evl_engine_set_plan(eng, "a", p, n, 2000), 0);
	for (int c = 36; c <= 48; c += 4)
		ck_assert_int_eq(evl_engine_client_support(eng, "a", c, 20, 1.0), 0);
	for (size_t i = 0; i < n; i++)
		if (p[i].channel <= 48)
			p[i].disabled = true;
	ck_assert_int_eq(evl_engine_set_plan(eng, "a", p, n, 2000), 0);
	k = cands(ch);
	ck_assert_int_eq(k, 5);
	ck_assert_int_eq(ch[0], 149);
	stop();
	/* on 100 at 26 dBm nothing CAC-free allows it: 36-48 (23 dBm) before 149-165 (14) */
	n = de_plan(p);
	start("DE", 100, 20);
	ck_assert_int_eq(evl_engine_set_plan(eng, "a", p, n, 2600), 0);
	ck_assert_int_eq(cands(ch), 4);
	ck_assert_mem_eq(ch, ((int[]){36, 40, 44, 48}), 4 * sizeof(int));
	stop();
}
END_TEST

/* Every radar move lands in the CAC-free, full-power block: 40 seeds' worth of radars. */
START_TEST(radar_moves_follow_the_plan)
{
	struct evl_plan_chan p[40];
	size_t n = de_plan(p);
	struct evl_event ev = {.type = EVL_EV_DFS_RADAR,
			       .severity = EVL_SEV_CRITICAL,
			       .confidence = 1,
			       .channel = 52,
			       .radio = EVL_BAND_5G,
			       .source = "test"};
	struct evl_ap_conf c;

	for (int t = 0; t < 40; t++) {
		start("DE", 52, 20);
		ck_assert_int_eq(evl_engine_set_plan(eng, "a", p, n, 2000), 0);
		snprintf(ev.id, sizeof(ev.id), "r%d", t);
		snprintf(ev.ap, sizeof(ev.ap), "a");
		ev.ts_ns = ev.detect_ns = 1000000ull * (uint64_t)(t + 1);
		ck_assert_int_eq(evl_engine_submit(eng, &ev, ev.ts_ns), 0);
		evl_engine_tick(eng, ev.ts_ns);
		ck_assert_int_eq(evl_sim_get(sim, "a", &c), 0);
		ck_assert_int_ge(c.channel, 36);
		ck_assert_int_le(c.channel, 48);
		stop();
	}
}
END_TEST

/* A country without a built-in plan: accepted, world plan until the kernel's arrives. */
START_TEST(any_country)
{
	struct evl_plan_chan p[] = {
		{.band = EVL_BAND_5G, .channel = 36, .max_power_mbm = 2300},
		{.band = EVL_BAND_5G, .channel = 40, .no_ir = true},		    /* no AP */
		{.band = EVL_BAND_5G, .channel = 44, .radar = true, .no_ir = true}, /* DFS */
		{.band = EVL_BAND_5G, .channel = 52, .radar = true, .no_ir = true},
		{.band = EVL_BAND_5G, .channel = 56, .radar = true, .no_ir = true},
		{.band = EVL_BAND_2G, .channel = 1},
	};
	int ch[32];
	bool ok, dfs;
	int mbm;

	start("FR", 52, 20);
	ck_assert_int_eq(cands(ch), 4); /* the world plan: 36-48 */
	ck_assert_int_eq(evl_engine_set_plan(eng, "a", p, sizeof(p) / sizeof(p[0]), 2000), 0);
	ck_assert_int_eq(cands(ch), 1);
	ck_assert_int_eq(ch[0], 36);
	ck_assert_int_eq(evl_engine_plan_chan(eng, "a", 44, &ok, &dfs, &mbm), 0);
	ck_assert(ok && dfs);
	ck_assert_int_eq(evl_engine_plan_chan(eng, "a", 40, &ok, &dfs, &mbm), 0);
	ck_assert(!ok && !dfs);
	ck_assert_int_eq(evl_engine_plan_chan(eng, "a", 36, &ok, &dfs, &mbm), 0);
	ck_assert(ok && !dfs && mbm == 2300);
	ck_assert_int_eq(evl_engine_plan_chan(eng, "a", 100, &ok, NULL, NULL), 0);
	ck_assert(!ok); /* not in the kernel's list */
	/* bad input: nothing applied */
	p[1].channel = 38;
	ck_assert_int_eq(evl_engine_set_plan(eng, "a", p, sizeof(p) / sizeof(p[0]), 2000), -EINVAL);
	p[1].channel = 40;
	ck_assert_int_eq(evl_engine_set_plan(eng, "a", p, 1, -5), -EINVAL);
	ck_assert_int_eq(evl_engine_set_plan(eng, "b", p, 1, 0), -ENOENT);
	ck_assert_int_eq(evl_engine_set_plan(eng, "a", NULL, 1, 0), -EINVAL);
	ck_assert_int_eq(cands(ch), 1);
	/* nothing of the AP's band, or n = 0: the built-in plan again */
	ck_assert_int_eq(evl_engine_set_plan(eng, "a", &p[5], 1, 0), 0);
	ck_assert_int_eq(cands(ch), 4);
	ck_assert_int_eq(evl_engine_set_plan(eng, "a", p, sizeof(p) / sizeof(p[0]), 2000), 0);
	ck_assert_int_eq(cands(ch), 1);
	ck_assert_int_eq(evl_engine_set_plan(eng, "a", NULL, 0, 0), 0);
	ck_assert_int_eq(cands(ch), 4);
	stop();
}
END_TEST

/* Clients that cannot use a channel or width lower its score (w_clients). */
START_TEST(client_support_steers)
{
	int ch[32];

	start("DE", 52, 80);
	ck_assert_int_eq(cands(ch), 4);
	ck_assert_int_eq(evl_engine_client_support(eng, "a", 36, 80, 0.5), 0);
	ck_assert_int_eq(cands(ch), 4); /* the only CAC-free 80 MHz block */
	stop();
	start("DE", 52, 20);
	for (int c = 36; c <= 44; c += 4)
		ck_assert_int_eq(evl_engine_client_support(eng, "a", c, 20, 0.0), 0);
	ck_assert_int_eq(cands(ch), 1);
	ck_assert_int_eq(ch[0], 48);
	ck_assert_int_eq(evl_engine_client_support(eng, "a", 36, 30, 0.5), -EINVAL);
	ck_assert_int_eq(evl_engine_client_support(eng, "a", 36, 20, 1.5), -EINVAL);
	ck_assert_int_eq(evl_engine_client_support(eng, "a", 0, 20, 0.5), -EINVAL);
	ck_assert_int_eq(evl_engine_client_support(eng, "x", 36, 20, 0.5), -ENOENT);
	stop();
}
END_TEST

/* One hex line of the capture -> an nl_msg (NULL at the end). */
static struct nl_msg *next_msg(FILE *f)
{
	static char line[65536];
	static unsigned char buf[32768];
	size_t n = 0;

	if (!fgets(line, sizeof(line), f))
		return NULL;
	for (char *p = line; p[0] && p[1] && p[0] != '\n'; p += 2) {
		unsigned int b;

		ck_assert_int_eq(sscanf(p, "%2x", &b), 1);
		ck_assert_uint_lt(n, sizeof(buf));
		buf[n++] = (unsigned char)b;
	}
	ck_assert_uint_ge(n, sizeof(struct nlmsghdr));
	return nlmsg_convert((struct nlmsghdr *)buf);
}

static void load_capture(const char *cc, struct evl_chanlist *l)
{
	char path[256];
	struct nl_msg *m;
	const char *err = NULL;
	FILE *f;
	int msgs = 0;

	snprintf(path, sizeof(path), CAPTURES "/nl80211-wiphy-%s.txt", cc);
	f = fopen(path, "r");
	ck_assert_msg(f, "%s: %m", path);
	memset(l, 0, sizeof(*l));
	l->wiphy = -1;
	while ((m = next_msg(f))) {
		ck_assert_msg(!evl_nl80211_parse_wiphy(m, l, &err), "%s: %s", path, err);
		nlmsg_free(m);
		msgs++;
	}
	fclose(f);
	ck_assert_int_gt(msgs, 1); /* a split dump */
}

static const struct evl_chan *chan(const struct evl_chanlist *l, int mhz)
{
	const struct evl_chan *c = evl_chanlist_find(l, mhz);

	ck_assert_msg(c, "%d MHz not in the capture", mhz);
	return c;
}

/* evld's path: the wiphy dump of the VM's hwsim radio under DE, into the core. */
START_TEST(captured_wiphy_de)
{
	struct evl_chanlist *l = calloc(1, sizeof(*l));
	struct evl_plan_chan p[EVL_CHANLIST_MAX];
	size_t n = 0;
	int ch[32];

	ck_assert_ptr_nonnull(l);
	load_capture("DE", l);
	ck_assert(!chan(l, 5180)->radar && chan(l, 5180)->max_power_mbm == 2300);
	ck_assert(chan(l, 5260)->radar && chan(l, 5260)->max_power_mbm == 2000);
	ck_assert(chan(l, 5500)->radar && chan(l, 5500)->max_power_mbm == 2600);
	ck_assert(!chan(l, 5745)->disabled && chan(l, 5745)->max_power_mbm == 1300);
	ck_assert(chan(l, 2472)->channel == 13 && !chan(l, 2472)->disabled);
	for (size_t i = 0; i < l->n; i++)
		p[n++] = (struct evl_plan_chan){.band = l->ch[i].band,
						.channel = l->ch[i].channel,
						.disabled = l->ch[i].disabled,
						.no_ir = l->ch[i].no_ir,
						.radar = l->ch[i].radar,
						.max_power_mbm = l->ch[i].max_power_mbm};
	start("DE", 52, 20);
	ck_assert_int_eq(evl_engine_set_plan(eng, "a", p, n, 2000), 0);
	ck_assert_int_eq(cands(ch), 4);
	ck_assert_mem_eq(ch, ((int[]){36, 40, 44, 48}), 4 * sizeof(int));
	ck_assert_int_eq(evl_engine_set_plan(eng, "a", p, n, 0), 0);
	ck_assert_int_gt(cands(ch), 4); /* 149-165: allowed by the kernel, not by the table */
	stop();
	free(l);
}
END_TEST

/* FR and JP: countries the core has no table for. */
START_TEST(captured_wiphy_fr_jp)
{
	struct evl_chanlist *l = calloc(1, sizeof(*l));

	ck_assert_ptr_nonnull(l);
	load_capture("FR", l);
	ck_assert(chan(l, 5260)->radar && !chan(l, 5180)->radar && !chan(l, 5180)->disabled);
	load_capture("JP", l);
	ck_assert(chan(l, 5500)->radar && !chan(l, 5180)->disabled);
	ck_assert(chan(l, 5180)->max_power_mbm == 2000 && chan(l, 5745)->disabled);
	ck_assert(!chan(l, 2484)->disabled); /* channel 14 */
	free(l);
}
END_TEST

/* A regulatory change (iw reg set, a country IE) is an event: evld re-reads the plans. */
START_TEST(reg_change_event)
{
	struct evl_nl_event ev;
	const char *err = NULL;
	struct nl_msg *m = nlmsg_alloc();

	ck_assert_ptr_nonnull(genlmsg_put(m, 0, 0, 28, 0, 0, NL80211_CMD_REG_CHANGE, 0));
	nla_put_string(m, NL80211_ATTR_REG_ALPHA2, "FR");
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), 0);
	ck_assert_int_eq(ev.type, EVL_NL_EV_REG_CHANGE);
	ck_assert_int_eq(ev.wiphy, -1); /* every radio */
	nlmsg_free(m);
	m = nlmsg_alloc();
	ck_assert_ptr_nonnull(genlmsg_put(m, 0, 0, 28, 0, 0, NL80211_CMD_WIPHY_REG_CHANGE, 0));
	nla_put_u32(m, NL80211_ATTR_WIPHY, 3);
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), 0);
	ck_assert_int_eq(ev.type, EVL_NL_EV_REG_CHANGE);
	ck_assert_int_eq(ev.wiphy, 3);
	nlmsg_free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("core");
	TCase *cap = tcase_create("captures");

	tcase_add_test(tc, power_ranks_below);
	tcase_add_test(tc, radar_moves_follow_the_plan);
	tcase_add_test(tc, any_country);
	tcase_add_test(tc, client_support_steers);
	tcase_add_test(cap, captured_wiphy_de);
	tcase_add_test(cap, captured_wiphy_fr_jp);
	tcase_add_test(cap, reg_change_event);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, cap);
	return evl_check_run(s);
}
