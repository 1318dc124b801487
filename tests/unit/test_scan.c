// SPDX-License-Identifier: GPL-2.0
/*
 * Off-channel scans: the nl80211 scan messages evld sends and parses (built here, and as the
 * VM captured them: tests/vm/captures/nl80211-*.hex from 82-scan-select), the digest into
 * neighbours and interference per channel, and the control requests scan / channels.
 */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/nl80211.h>
#include <netlink/genl/genl.h>

#include <evl/ctl.h>
#include <evl/nl80211.h>
#include <evl/scan.h>

#ifndef CAPTURES
#define CAPTURES "tests/vm/captures"
#endif

static struct nl_msg *reply(int cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(genlmsg_put(m, 0, 0, 28, 0, 0, (uint8_t)cmd, 0));
	return m;
}

static struct nl_msg *bss_msg(int freq, int mbm, const unsigned char *ie, int ie_len)
{
	static const unsigned char mac[6] = {2, 0, 0, 0, 8, 0};
	struct nl_msg *m = reply(NL80211_CMD_NEW_SCAN_RESULTS);
	struct nlattr *n;

	nla_put_u32(m, NL80211_ATTR_IFINDEX, 3);
	n = nla_nest_start(m, NL80211_ATTR_BSS);
	nla_put(m, NL80211_BSS_BSSID, 6, mac);
	nla_put_u32(m, NL80211_BSS_FREQUENCY, (uint32_t)freq);
	nla_put_u32(m, NL80211_BSS_SIGNAL_MBM, (uint32_t)mbm);
	if (ie)
		nla_put(m, NL80211_BSS_INFORMATION_ELEMENTS, ie_len, ie);
	nla_nest_end(m, n);
	return m;
}

START_TEST(trigger_scan_message)
{
	const int f[] = {5180, 5200, 5220};
	struct nlattr *tb[NL80211_ATTR_MAX + 1], *a;
	struct nl_msg *m = evl_nl80211_msg_trigger_scan(28, 7, f, 3, true);
	int rem, n = 0;

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(genlmsg_hdr(nlmsg_hdr(m))->cmd, NL80211_CMD_TRIGGER_SCAN);
	ck_assert_int_eq(genlmsg_parse(nlmsg_hdr(m), 0, tb, NL80211_ATTR_MAX, NULL), 0);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_IFINDEX]), 7);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_SCAN_FLAGS]), NL80211_SCAN_FLAG_AP);
	ck_assert_ptr_null(tb[NL80211_ATTR_SCAN_SSIDS]); /* passive */
	nla_for_each_nested(a, tb[NL80211_ATTR_SCAN_FREQUENCIES], rem)
		ck_assert_uint_eq(nla_get_u32(a), (uint32_t)f[n++]);
	ck_assert_int_eq(n, 3);
	nlmsg_free(m);
	ck_assert_ptr_null(evl_nl80211_msg_trigger_scan(28, 0, f, 3, true));
	ck_assert_ptr_null(evl_nl80211_msg_trigger_scan(28, 7, NULL, 3, true));
	m = evl_nl80211_msg_abort_scan(28, 7);
	ck_assert_int_eq(genlmsg_hdr(nlmsg_hdr(m))->cmd, NL80211_CMD_ABORT_SCAN);
	nlmsg_free(m);
	m = evl_nl80211_msg_scan_dump(28, 7);
	ck_assert(nlmsg_hdr(m)->nlmsg_flags & NLM_F_DUMP);
	nlmsg_free(m);
}
END_TEST

START_TEST(bss_width_from_elements)
{
	/* HT operation: primary 36, secondary above, 40 MHz; VHT operation: 80 MHz around 42 */
	unsigned char ie[] = {0, 3, 'n', 'b', '1', 61, 22, 36, 0x05, 0, 0, 0,	0, 0, 0,  0, 0, 0,
			      0, 0, 0,	 0,   0,   0,  0,  0,  0,    0, 0, 192, 5, 1, 42, 0, 0, 0};
	struct evl_bss b;
	const char *err = NULL;
	struct nl_msg *m = bss_msg(5180, -6200, ie, sizeof(ie));

	ck_assert_int_eq(evl_nl80211_parse_bss(m, &b, &err), 0);
	ck_assert_int_eq(b.freq, 5180);
	ck_assert(b.have_signal);
	ck_assert_int_eq(b.signal_dbm, -62);
	ck_assert_int_eq(b.width_mhz, 80);
	ck_assert_int_eq(b.center_freq1, 5210);
	nlmsg_free(m);
	ie[31] = 0; /* VHT says 20/40: HT's 40 MHz above */
	m = bss_msg(5180, -6200, ie, sizeof(ie));
	ck_assert_int_eq(evl_nl80211_parse_bss(m, &b, &err), 0);
	ck_assert_int_eq(b.width_mhz, 40);
	ck_assert_int_eq(b.center_freq1, 5190);
	nlmsg_free(m);
	ie[5 + 3] = 0x04; /* width bit without a secondary channel: 20 MHz */
	m = bss_msg(5180, -6200, ie, sizeof(ie));
	ck_assert_int_eq(evl_nl80211_parse_bss(m, &b, &err), 0);
	ck_assert_int_eq(b.width_mhz, 20);
	nlmsg_free(m);
	ie[1] = 200; /* an element running past the end is ignored, not read */
	m = bss_msg(5180, -6200, ie, sizeof(ie));
	ck_assert_int_eq(evl_nl80211_parse_bss(m, &b, &err), 0);
	ck_assert_int_eq(b.width_mhz, 20);
	nlmsg_free(m);
	/* no BSS nest: refused with a reason */
	m = reply(NL80211_CMD_NEW_SCAN_RESULTS);
	ck_assert_int_eq(evl_nl80211_parse_bss(m, &b, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "NL80211_ATTR_BSS"));
	nlmsg_free(m);
}
END_TEST

START_TEST(scan_events)
{
	struct evl_nl_event ev;
	const char *err = NULL;
	struct nl_msg *m = reply(NL80211_CMD_NEW_SCAN_RESULTS);

	nla_put_u32(m, NL80211_ATTR_WIPHY, 2);
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 9);
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), 0);
	ck_assert_int_eq(ev.type, EVL_NL_EV_SCAN_DONE);
	ck_assert_int_eq(ev.ifindex, 9);
	ck_assert_int_eq(ev.wiphy, 2);
	nlmsg_free(m);
	m = reply(NL80211_CMD_SCAN_ABORTED);
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 9);
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), 0);
	ck_assert_int_eq(ev.type, EVL_NL_EV_SCAN_ABORTED);
	nlmsg_free(m);
	m = reply(NL80211_CMD_TRIGGER_SCAN);
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "IFINDEX"));
	nlmsg_free(m);
	m = reply(NL80211_CMD_NEW_STATION);
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), -ENOENT);
	nlmsg_free(m);
}
END_TEST

START_TEST(interference_like_acs)
{
	struct evl_survey s = {.freq = 5180,
			       .have = EVL_SURVEY_TIME | EVL_SURVEY_BUSY | EVL_SURVEY_TX |
				       EVL_SURVEY_NOISE,
			       .time_ms = 1000,
			       .busy_ms = 300,
			       .tx_ms = 100,
			       .noise_dbm = -92};
	double f;

	ck_assert_int_eq(evl_air_interference(&s, -92, &f), 0);
	ck_assert_double_eq_tol(f, 200.0 / 900.0, 1e-9); /* own tx is not interference */
	s.noise_dbm = -89;				 /* 3 dB above the band's floor */
	ck_assert_int_eq(evl_air_interference(&s, -92, &f), 0);
	ck_assert_double_eq_tol(f, 200.0 / 900.0 * 1.99526, 1e-4);
	s.busy_ms = 1000, s.noise_dbm = -70;
	ck_assert_int_eq(evl_air_interference(&s, -92, &f), 0);
	ck_assert_double_eq(f, 1.0);
	s.have = EVL_SURVEY_NOISE;
	ck_assert_int_eq(evl_air_interference(&s, -92, &f), -EINVAL);
}
END_TEST

START_TEST(digest_counts_per_channel)
{
	struct evl_bss b[4] = {
		{.freq = 5180, .width_mhz = 20, .have_signal = true, .signal_dbm = -50},
		{.freq = 5200,
		 .width_mhz = 80,
		 .center_freq1 = 5210,
		 .have_signal = true,
		 .signal_dbm = -80},
		{.freq = 5220, .width_mhz = 20, .have_signal = true, .signal_dbm = -95}, /* floor */
		{.freq = 2437, .width_mhz = 20, .have_signal = true, .signal_dbm = -40}, /* 2.4 */
	};
	struct evl_survey sv[2] = {
		{.freq = 5180,
		 .have = EVL_SURVEY_TIME | EVL_SURVEY_BUSY | EVL_SURVEY_NOISE,
		 .time_ms = 800,
		 .busy_ms = 100,
		 .noise_dbm = -92},
		{.freq = 5200,
		 .have = EVL_SURVEY_TIME | EVL_SURVEY_BUSY | EVL_SURVEY_NOISE,
		 .time_ms = 800,
		 .busy_ms = 100,
		 .noise_dbm = -92},
	};
	static struct evl_air_chan a[EVL_CHAN_MAX];

	ck_assert_int_eq(evl_air_digest(EVL_BAND_5G, b, 4, sv, 2, -85, a), 2);
	ck_assert_int_eq(a[36].neighbors, 2); /* the 80 MHz BSS covers 36-48 */
	ck_assert_int_eq(a[40].neighbors, 1);
	ck_assert_int_eq(a[48].neighbors, 1);
	ck_assert_int_eq(a[44].neighbors, 1);
	ck_assert_int_eq(a[52].neighbors, 0);
	ck_assert_int_eq(a[36].strongest_dbm, -50);
	ck_assert_double_eq_tol(a[36].load, 1.0 + 0.25 + 0.75 * 5 / 30.0, 1e-9);
	ck_assert(a[36].have_survey && !a[44].have_survey);
	ck_assert_double_eq_tol(a[36].interference, 0.125, 1e-9);
	ck_assert_double_eq(evl_air_weight(-86, -85), 0);
	ck_assert_double_eq(evl_air_weight(-30, -85), 1);
}
END_TEST

/* Hex lines of a capture (whole netlink messages) -> count of messages fn accepted. */
static int each_capture(const char *name, int (*fn)(struct nl_msg *m, void *arg), void *arg)
{
	char path[512], *line = NULL;
	size_t cap = 0;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", CAPTURES, name);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "capture %s missing (tests/vm/update-captures.sh)", path);
	while (getline(&line, &cap, f) > 0) {
		size_t len = strlen(line) / 2;
		unsigned char *buf = calloc(1, len + 1);
		struct nl_msg *m;

		for (size_t i = 0; i < len; i++)
			sscanf(line + 2 * i, "%2hhx", &buf[i]);
		if (len < NLMSG_HDRLEN || ((struct nlmsghdr *)buf)->nlmsg_type == NLMSG_DONE) {
			free(buf);
			continue;
		}
		m = nlmsg_convert((struct nlmsghdr *)buf);
		free(buf);
		ck_assert_ptr_nonnull(m);
		n += fn(m, arg) == 0;
		nlmsg_free(m);
	}
	free(line);
	fclose(f);
	return n;
}

struct caps {
	struct evl_bss b[16];
	struct evl_survey s[64];
	int nb, ns;
};

static int bss_of(struct nl_msg *m, void *arg)
{
	struct caps *c = arg;
	const char *err = NULL;
	int r = evl_nl80211_parse_bss(m, &c->b[c->nb < 15 ? c->nb : 15], &err);

	ck_assert_msg(r == 0, "captured BSS refused: %s", err ? err : "?");
	c->nb++;
	return r;
}

static int survey_of(struct nl_msg *m, void *arg)
{
	struct caps *c = arg;
	const char *err = NULL;
	int r = evl_nl80211_parse_survey(m, &c->s[c->ns < 63 ? c->ns : 63], &err);

	ck_assert_msg(r == 0, "captured survey refused: %s", err ? err : "?");
	c->ns++;
	return r;
}

static int event_of(struct nl_msg *m, void *arg)
{
	int *done = arg;
	struct evl_nl_event ev;
	const char *err = NULL;

	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), 0);
	ck_assert_int_gt(ev.ifindex, 0);
	*done += ev.type == EVL_NL_EV_SCAN_DONE;
	return 0;
}

/* 82-scan-select, round A: wlan0 on 52 hears neighbours on 36, 40 and 44 (20 MHz). */
START_TEST(captured_scan_and_survey)
{
	static struct caps c;
	static struct evl_air_chan a[EVL_CHAN_MAX];
	int done = 0;

	ck_assert_int_eq(each_capture("nl80211-scan-dump.hex", bss_of, &c), 3);
	/* hwsim keeps the survey of the last scan request only (evld reads it after each slice):
	 * 132, 136, 140 and the in-use 52 without time */
	ck_assert_int_eq(each_capture("nl80211-survey-dump.hex", survey_of, &c), 4);
	ck_assert_int_eq(evl_air_digest(EVL_BAND_5G, c.b, (size_t)c.nb, c.s, (size_t)c.ns, -85, a),
			 3);
	ck_assert_int_eq(a[36].neighbors, 1);
	ck_assert_int_eq(a[40].neighbors, 1);
	ck_assert_int_eq(a[44].neighbors, 1);
	ck_assert_int_eq(a[48].neighbors, 0);
	ck_assert_double_eq(a[36].load, 1.0); /* far above the floor */
	for (int i = 0; i < c.nb; i++) {
		ck_assert_int_eq(c.b[i].width_mhz, 20);
		ck_assert(c.b[i].have_signal);
		ck_assert_int_eq(c.b[i].signal_dbm, c.b[0].signal_dbm); /* hwsim: one level */
		ck_assert_int_lt(c.b[i].signal_dbm, 0);
	}
	ck_assert(a[132].have_survey && a[136].have_survey && a[140].have_survey);
	ck_assert(!a[52].have_survey && !a[48].have_survey);
	ck_assert_double_eq_tol(a[132].interference, 14.0 / 112.0, 1e-9); /* busy 1/8 of dwell */
	ck_assert_int_ge(each_capture("nl80211-scan-mcast.hex", event_of, &done), 2);
	ck_assert_int_ge(done, 1);
}
END_TEST

START_TEST(control_requests)
{
	struct evl_ctl_req r;
	char err[128];

	ck_assert_int_eq(evl_ctl_parse("scan wlan0", 10, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, EVL_CTL_SCAN);
	ck_assert_str_eq(r.iface, "wlan0");
	ck_assert_int_eq(evl_ctl_parse("channels wlan1 --json", 21, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, EVL_CTL_CHANNELS);
	ck_assert(r.json);
	ck_assert_str_eq(r.iface, "wlan1");
	ck_assert_int_eq(evl_ctl_parse("scan", 4, &r, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "usage: scan IFACE");
	ck_assert_int_eq(evl_ctl_parse("scan wlan0 --json", 17, &r, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(evl_ctl_parse("channels w;x", 12, &r, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "bad interface name"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scan");
	TCase *tc = tcase_create("scan");

	tcase_add_test(tc, trigger_scan_message);
	tcase_add_test(tc, bss_width_from_elements);
	tcase_add_test(tc, scan_events);
	tcase_add_test(tc, interference_like_acs);
	tcase_add_test(tc, digest_counts_per_channel);
	tcase_add_test(tc, captured_scan_and_survey);
	tcase_add_test(tc, control_requests);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
