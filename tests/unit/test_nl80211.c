// SPDX-License-Identifier: GPL-2.0
/*
 * nl80211: every request built, parsed back with genlmsg_parse and its attributes asserted;
 * replies built with libnl like the kernel's (nested attributes) and fed to the parsers,
 * including missing and short attributes; the actuator through a fake xfer hook.
 */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <linux/nl80211.h>
#include <netlink/genl/genl.h>

#include "evl/nl80211.h"

#define FAM 28 /* any generic netlink family id */

static int parse_back(struct nl_msg *m, struct nlattr **tb)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);

	ck_assert_int_eq(genlmsg_parse(nlh, 0, tb, NL80211_ATTR_MAX, NULL), 0);
	ck_assert_int_eq(nlh->nlmsg_type, FAM);
	return genlmsg_hdr(nlh)->cmd;
}

static struct nl_msg *reply(int cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	ck_assert_ptr_nonnull(genlmsg_put(m, 0, 0, FAM, 0, 0, cmd, 0));
	return m;
}

/* --- builders ------------------------------------------------------------------------------ */

START_TEST(build_set_txpower)
{
	struct nlattr *tb[NL80211_ATTR_MAX + 1];
	struct nl_msg *m = evl_nl80211_msg_set_txpower(FAM, 3, 17);

	ck_assert_int_eq(parse_back(m, tb), NL80211_CMD_SET_WIPHY);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_IFINDEX]), 3);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_WIPHY_TX_POWER_SETTING]),
			  NL80211_TX_POWER_FIXED);
	ck_assert_int_eq((int32_t)nla_get_u32(tb[NL80211_ATTR_WIPHY_TX_POWER_LEVEL]), 1700);
	nlmsg_free(m);
	m = evl_nl80211_msg_set_txpower(FAM, 3, -5);
	parse_back(m, tb);
	ck_assert_int_eq((int32_t)nla_get_u32(tb[NL80211_ATTR_WIPHY_TX_POWER_LEVEL]), -500);
	nlmsg_free(m);
	errno = 0;
	ck_assert_ptr_null(evl_nl80211_msg_set_txpower(FAM, 0, 17));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(evl_nl80211_msg_set_txpower(FAM, 3, 1000));
}
END_TEST

START_TEST(build_del_station)
{
	const unsigned char mac[6] = {0x02, 0, 0, 0, 1, 0x0a};
	struct nlattr *tb[NL80211_ATTR_MAX + 1];
	struct nl_msg *m = evl_nl80211_msg_del_station(FAM, 4, mac, 3);

	ck_assert_int_eq(parse_back(m, tb), NL80211_CMD_DEL_STATION);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_IFINDEX]), 4);
	ck_assert_int_eq(nla_len(tb[NL80211_ATTR_MAC]), 6);
	ck_assert_mem_eq(nla_data(tb[NL80211_ATTR_MAC]), mac, 6);
	ck_assert_uint_eq(nla_get_u8(tb[NL80211_ATTR_MGMT_SUBTYPE]), 12);
	ck_assert_uint_eq(nla_get_u16(tb[NL80211_ATTR_REASON_CODE]), 3);
	nlmsg_free(m);
	m = evl_nl80211_msg_del_station(FAM, 4, NULL, 0); /* everyone */
	parse_back(m, tb);
	ck_assert_ptr_null(tb[NL80211_ATTR_MAC]);
	ck_assert_ptr_null(tb[NL80211_ATTR_REASON_CODE]);
	nlmsg_free(m);
	ck_assert_ptr_null(evl_nl80211_msg_del_station(FAM, 4, mac, 70000));
}
END_TEST

START_TEST(build_radar_detect)
{
	struct evl_chandef cd = {EVL_BAND_5G, 52, 80, 5260, 5290};
	struct nlattr *tb[NL80211_ATTR_MAX + 1];
	struct nl_msg *m = evl_nl80211_msg_radar_detect(FAM, 5, &cd, 60000);

	ck_assert_int_eq(parse_back(m, tb), NL80211_CMD_RADAR_DETECT);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_WIPHY_FREQ]), 5260);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_CHANNEL_WIDTH]), NL80211_CHAN_WIDTH_80);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_CENTER_FREQ1]), 5290);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_DFS_CAC_TIME]), 60000);
	nlmsg_free(m);
	cd.center_freq1 = 5530; /* primary not inside the block */
	errno = 0;
	ck_assert_ptr_null(evl_nl80211_msg_radar_detect(FAM, 5, &cd, 0));
	ck_assert_int_eq(errno, EINVAL);
	cd.center_freq1 = 5290;
	cd.width = 30;
	ck_assert_ptr_null(evl_nl80211_msg_radar_detect(FAM, 5, &cd, 0));
}
END_TEST

START_TEST(build_channel_switch)
{
	struct evl_chandef cd = {EVL_BAND_5G, 36, 40, 5180, 5190};
	struct nlattr *tb[NL80211_ATTR_MAX + 1];
	struct nl_msg *m = evl_nl80211_msg_channel_switch(FAM, 6, &cd, 5, true);

	ck_assert_int_eq(parse_back(m, tb), NL80211_CMD_CHANNEL_SWITCH);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_IFINDEX]), 6);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_WIPHY_FREQ]), 5180);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_CHANNEL_WIDTH]), NL80211_CHAN_WIDTH_40);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_CENTER_FREQ1]), 5190);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_CH_SWITCH_COUNT]), 5);
	ck_assert(nla_get_flag(tb[NL80211_ATTR_CH_SWITCH_BLOCK_TX]));
	nlmsg_free(m);
	m = evl_nl80211_msg_channel_switch(FAM, 6, &cd, 5, false);
	parse_back(m, tb);
	ck_assert_ptr_null(tb[NL80211_ATTR_CH_SWITCH_BLOCK_TX]);
	nlmsg_free(m);
	ck_assert_ptr_null(evl_nl80211_msg_channel_switch(FAM, 6, &cd, 300, false));
}
END_TEST

START_TEST(build_dumps)
{
	struct nlattr *tb[NL80211_ATTR_MAX + 1];
	struct nl_msg *m = evl_nl80211_msg_survey_dump(FAM, 7);

	ck_assert_int_eq(parse_back(m, tb), NL80211_CMD_GET_SURVEY);
	ck_assert(nlmsg_hdr(m)->nlmsg_flags & NLM_F_DUMP);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_IFINDEX]), 7);
	nlmsg_free(m);
	m = evl_nl80211_msg_station_dump(FAM, 7);
	ck_assert_int_eq(parse_back(m, tb), NL80211_CMD_GET_STATION);
	ck_assert(nlmsg_hdr(m)->nlmsg_flags & NLM_F_DUMP);
	nlmsg_free(m);
	m = evl_nl80211_msg_wiphy_dump(FAM, 1);
	ck_assert_int_eq(parse_back(m, tb), NL80211_CMD_GET_WIPHY);
	ck_assert_ptr_nonnull(tb[NL80211_ATTR_SPLIT_WIPHY_DUMP]);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_WIPHY]), 1);
	nlmsg_free(m);
	ck_assert_ptr_null(evl_nl80211_msg_survey_dump(FAM, 0));
}
END_TEST

/* --- parsers ------------------------------------------------------------------------------- */

static struct nl_msg *survey_reply(int freq, bool in_use, int noise, uint64_t t, uint64_t busy)
{
	struct nl_msg *m = reply(NL80211_CMD_NEW_SURVEY_RESULTS);
	struct nlattr *si;

	nla_put_u32(m, NL80211_ATTR_IFINDEX, 3);
	si = nla_nest_start(m, NL80211_ATTR_SURVEY_INFO);
	if (freq)
		nla_put_u32(m, NL80211_SURVEY_INFO_FREQUENCY, freq);
	if (in_use)
		nla_put_flag(m, NL80211_SURVEY_INFO_IN_USE);
	nla_put_u8(m, NL80211_SURVEY_INFO_NOISE, (uint8_t)noise);
	nla_put_u64(m, NL80211_SURVEY_INFO_TIME, t);
	nla_put_u64(m, NL80211_SURVEY_INFO_TIME_BUSY, busy);
	nla_put_u64(m, NL80211_SURVEY_INFO_TIME_RX, busy / 2);
	nla_put_u64(m, NL80211_SURVEY_INFO_TIME_TX, busy / 4);
	nla_nest_end(m, si);
	return m;
}

START_TEST(parse_survey)
{
	struct nl_msg *m = survey_reply(5180, true, -95, 123456, 40000);
	struct evl_survey s;
	const char *err = NULL;

	ck_assert_int_eq(evl_nl80211_parse_survey(m, &s, &err), 0);
	ck_assert_int_eq(s.freq, 5180);
	ck_assert(s.in_use);
	ck_assert_int_eq(s.noise_dbm, -95);
	ck_assert_uint_eq(s.time_ms, 123456);
	ck_assert_uint_eq(s.busy_ms, 40000);
	ck_assert_uint_eq(s.rx_ms, 20000);
	ck_assert_uint_eq(s.tx_ms, 10000);
	ck_assert_uint_eq(s.have, EVL_SURVEY_NOISE | EVL_SURVEY_TIME | EVL_SURVEY_BUSY |
					  EVL_SURVEY_RX | EVL_SURVEY_TX);
	nlmsg_free(m);

	m = survey_reply(0, false, -95, 1, 1);
	ck_assert_int_eq(evl_nl80211_parse_survey(m, &s, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "FREQUENCY"));
	nlmsg_free(m);

	m = reply(NL80211_CMD_NEW_SURVEY_RESULTS);
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 3);
	ck_assert_int_eq(evl_nl80211_parse_survey(m, &s, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "SURVEY_INFO"));
	nlmsg_free(m);

	/* a counter sent 4 bytes wide where 8 are due is ignored, never read past */
	m = reply(NL80211_CMD_NEW_SURVEY_RESULTS);
	struct nlattr *si = nla_nest_start(m, NL80211_ATTR_SURVEY_INFO);
	nla_put_u32(m, NL80211_SURVEY_INFO_FREQUENCY, 2412);
	nla_put_u32(m, NL80211_SURVEY_INFO_TIME, 77);
	nla_nest_end(m, si);
	ck_assert_int_eq(evl_nl80211_parse_survey(m, &s, &err), 0);
	ck_assert_uint_eq(s.have & EVL_SURVEY_TIME, 0);
	nlmsg_free(m);
}
END_TEST

START_TEST(parse_station)
{
	const unsigned char mac[6] = {0x02, 0, 0, 0, 1, 0};
	struct nl_msg *m = reply(NL80211_CMD_NEW_STATION);
	struct evl_sta s;
	struct nlattr *si;
	const char *err = NULL;

	nla_put(m, NL80211_ATTR_MAC, 6, mac);
	si = nla_nest_start(m, NL80211_ATTR_STA_INFO);
	nla_put_u32(m, NL80211_STA_INFO_TX_PACKETS, 1000);
	nla_put_u32(m, NL80211_STA_INFO_TX_FAILED, 12);
	nla_put_u32(m, NL80211_STA_INFO_TX_RETRIES, 150);
	nla_put_u32(m, NL80211_STA_INFO_TX_BYTES, 1); /* the 64-bit one wins */
	nla_put_u64(m, NL80211_STA_INFO_TX_BYTES64, 5000000000ULL);
	nla_put_u32(m, NL80211_STA_INFO_RX_BYTES, 777);
	nla_put_u8(m, NL80211_STA_INFO_SIGNAL, (uint8_t)-48);
	nla_nest_end(m, si);
	ck_assert_int_eq(evl_nl80211_parse_station(m, &s, &err), 0);
	ck_assert_mem_eq(s.mac, mac, 6);
	ck_assert_uint_eq(s.tx_packets, 1000);
	ck_assert_uint_eq(s.tx_failed, 12);
	ck_assert_uint_eq(s.tx_retries, 150);
	ck_assert_uint_eq(s.tx_bytes, 5000000000ULL);
	ck_assert_uint_eq(s.rx_bytes, 777);
	ck_assert_int_eq(s.signal_dbm, -48);
	nlmsg_free(m);

	m = reply(NL80211_CMD_NEW_STATION);
	nla_put(m, NL80211_ATTR_MAC, 4, mac);
	ck_assert_int_eq(evl_nl80211_parse_station(m, &s, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "NL80211_ATTR_MAC"));
	nlmsg_free(m);
	m = reply(NL80211_CMD_NEW_STATION);
	nla_put(m, NL80211_ATTR_MAC, 6, mac);
	ck_assert_int_eq(evl_nl80211_parse_station(m, &s, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "STA_INFO"));
	nlmsg_free(m);
}
END_TEST

/* One wiphy message: wiphy, and optionally a 5 GHz band with the channels given. */
struct fdesc {
	int freq;
	bool radar, disabled, no_state;
	int state;
	uint32_t cac;
};

static struct nl_msg *wiphy_reply(int wiphy, const struct fdesc *f, int n)
{
	struct nl_msg *m = reply(NL80211_CMD_NEW_WIPHY);
	struct nlattr *bands, *band, *freqs;

	nla_put_u32(m, NL80211_ATTR_WIPHY, wiphy);
	if (!n)
		return m;
	bands = nla_nest_start(m, NL80211_ATTR_WIPHY_BANDS);
	band = nla_nest_start(m, NL80211_BAND_5GHZ);
	freqs = nla_nest_start(m, NL80211_BAND_ATTR_FREQS);
	for (int i = 0; i < n; i++) {
		struct nlattr *fa = nla_nest_start(m, i);

		nla_put_u32(m, NL80211_FREQUENCY_ATTR_FREQ, f[i].freq);
		if (f[i].disabled)
			nla_put_flag(m, NL80211_FREQUENCY_ATTR_DISABLED);
		if (f[i].radar) {
			nla_put_flag(m, NL80211_FREQUENCY_ATTR_RADAR);
			nla_put_flag(m, NL80211_FREQUENCY_ATTR_NO_IR);
			if (!f[i].no_state)
				nla_put_u32(m, NL80211_FREQUENCY_ATTR_DFS_STATE, f[i].state);
			nla_put_u32(m, NL80211_FREQUENCY_ATTR_DFS_TIME, 1234);
			if (f[i].cac)
				nla_put_u32(m, NL80211_FREQUENCY_ATTR_DFS_CAC_TIME, f[i].cac);
		}
		nla_put_u32(m, NL80211_FREQUENCY_ATTR_MAX_TX_POWER, 2000);
		nla_nest_end(m, fa);
	}
	nla_nest_end(m, freqs);
	nla_nest_end(m, band);
	nla_nest_end(m, bands);
	return m;
}

START_TEST(parse_wiphy_channels)
{
	const struct fdesc f[] = {
		{5180, false, false, false, 0, 0},
		{5260, true, false, false, NL80211_DFS_UNAVAILABLE, 60000},
		{5500, true, false, false, NL80211_DFS_AVAILABLE, 60000},
		{5600, true, false, false, NL80211_DFS_USABLE, 600000},
		{5720, false, true, false, 0, 0},
	};
	const struct fdesc bad[] = {{5280, true, false, true, 0, 0}};
	struct evl_chanlist *l = calloc(1, sizeof(*l));
	const struct evl_chan *c;
	struct nl_msg *m;
	const char *err = NULL;

	l->wiphy = -1;
	/* split dump: a first part without bands, then the bands, then another wiphy */
	m = wiphy_reply(0, NULL, 0);
	ck_assert_int_eq(evl_nl80211_parse_wiphy(m, l, &err), 0);
	nlmsg_free(m);
	m = wiphy_reply(0, f, 5);
	ck_assert_int_eq(evl_nl80211_parse_wiphy(m, l, &err), 0);
	nlmsg_free(m);
	m = wiphy_reply(1, f, 2);
	ck_assert_int_eq(evl_nl80211_parse_wiphy(m, l, &err), 0);
	nlmsg_free(m);
	ck_assert_int_eq(l->wiphy, 0);
	ck_assert_uint_eq(l->n, 5);
	c = evl_chanlist_find(l, 5180);
	ck_assert_int_eq(c->channel, 36);
	ck_assert_int_eq(c->band, EVL_BAND_5G);
	ck_assert_int_eq(c->dfs, EVL_DFS_UNKNOWN);
	ck_assert_int_eq(c->max_power_mbm, 2000);
	c = evl_chanlist_find(l, 5260);
	ck_assert_int_eq(c->channel, 52);
	ck_assert(c->radar);
	ck_assert(c->no_ir);
	ck_assert_int_eq(c->dfs, EVL_DFS_UNAVAILABLE);
	ck_assert_uint_eq(c->dfs_time_ms, 1234);
	ck_assert_int_eq(evl_chanlist_find(l, 5500)->dfs, EVL_DFS_AVAILABLE);
	ck_assert_int_eq(evl_chanlist_find(l, 5600)->dfs, EVL_DFS_USABLE);
	ck_assert_uint_eq(evl_chanlist_find(l, 5600)->cac_ms, 600000);
	ck_assert(evl_chanlist_find(l, 5720)->disabled);
	ck_assert_ptr_null(evl_chanlist_find(l, 5300));

	m = wiphy_reply(0, bad, 1);
	ck_assert_int_eq(evl_nl80211_parse_wiphy(m, l, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "DFS_STATE"));
	nlmsg_free(m);
	m = reply(NL80211_CMD_NEW_WIPHY);
	ck_assert_int_eq(evl_nl80211_parse_wiphy(m, l, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "NL80211_ATTR_WIPHY"));
	nlmsg_free(m);
	free(l);
}
END_TEST

START_TEST(parse_events)
{
	struct evl_nl_event ev;
	const char *err = NULL;
	struct nl_msg *m = reply(NL80211_CMD_RADAR_DETECT);

	nla_put_u32(m, NL80211_ATTR_WIPHY, 0);
	nla_put_u32(m, NL80211_ATTR_RADAR_EVENT, NL80211_RADAR_DETECTED);
	nla_put_u32(m, NL80211_ATTR_WIPHY_FREQ, 5260);
	nla_put_u32(m, NL80211_ATTR_CHANNEL_WIDTH, NL80211_CHAN_WIDTH_20);
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), 0);
	ck_assert_int_eq(ev.type, EVL_NL_EV_RADAR);
	ck_assert_int_eq(ev.wiphy, 0);
	ck_assert_int_eq(ev.ifindex, 0);
	ck_assert_int_eq(ev.freq, 5260);
	ck_assert_int_eq(ev.width_mhz, 20);
	nlmsg_free(m);

	m = reply(NL80211_CMD_CH_SWITCH_NOTIFY);
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 9);
	nla_put_u32(m, NL80211_ATTR_WIPHY_FREQ, 5180);
	nla_put_u32(m, NL80211_ATTR_CHANNEL_WIDTH, NL80211_CHAN_WIDTH_80);
	nla_put_u32(m, NL80211_ATTR_CENTER_FREQ1, 5210);
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), 0);
	ck_assert_int_eq(ev.type, EVL_NL_EV_CH_SWITCH_DONE);
	ck_assert_int_eq(ev.ifindex, 9);
	ck_assert_int_eq(ev.width_mhz, 80);
	ck_assert_int_eq(ev.center_freq1, 5210);
	nlmsg_free(m);

	m = reply(NL80211_CMD_RADAR_DETECT);
	nla_put_u32(m, NL80211_ATTR_WIPHY, 0);
	nla_put_u32(m, NL80211_ATTR_RADAR_EVENT, NL80211_RADAR_CAC_FINISHED);
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "WIPHY_FREQ"));
	nlmsg_free(m);

	m = reply(NL80211_CMD_NEW_STATION);
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 9);
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), -ENOENT);
	nlmsg_free(m);
}
END_TEST

/* The "config" group: a radio or interface removed (the hardware watch's "gone"), or added. */
START_TEST(parse_config_events)
{
	struct evl_nl_event ev;
	const char *err = NULL;
	struct nl_msg *m = reply(NL80211_CMD_DEL_WIPHY);

	nla_put_u32(m, NL80211_ATTR_WIPHY, 3);
	nla_put_string(m, NL80211_ATTR_WIPHY_NAME, "phy3");
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), 0);
	ck_assert_int_eq(ev.type, EVL_NL_EV_DEL_WIPHY);
	ck_assert_int_eq(ev.wiphy, 3);
	nlmsg_free(m);

	m = reply(NL80211_CMD_DEL_INTERFACE);
	nla_put_u32(m, NL80211_ATTR_WIPHY, 1);
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 7);
	nla_put_string(m, NL80211_ATTR_IFNAME, "wlan1");
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), 0);
	ck_assert_int_eq(ev.type, EVL_NL_EV_DEL_INTERFACE);
	ck_assert_int_eq(ev.ifindex, 7);
	ck_assert_str_eq(ev.ifname, "wlan1");
	nlmsg_free(m);

	m = reply(NL80211_CMD_NEW_INTERFACE);
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 8);
	nla_put_string(m, NL80211_ATTR_IFNAME, "wlan1");
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), 0);
	ck_assert_int_eq(ev.type, EVL_NL_EV_NEW_INTERFACE);
	ck_assert_int_eq(ev.ifindex, 8);
	nlmsg_free(m);

	/* malformed: no wiphy, no ifindex, a name without its NUL or too long */
	m = reply(NL80211_CMD_DEL_WIPHY);
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), -EINVAL);
	nlmsg_free(m);
	m = reply(NL80211_CMD_DEL_INTERFACE);
	nla_put_u32(m, NL80211_ATTR_WIPHY, 1);
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), -EINVAL);
	nlmsg_free(m);
	m = reply(NL80211_CMD_NEW_INTERFACE);
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 8);
	nla_put(m, NL80211_ATTR_IFNAME, 5, "wlan1");
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), -EINVAL);
	nlmsg_free(m);
	m = reply(NL80211_CMD_NEW_INTERFACE);
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 8);
	nla_put_string(m, NL80211_ATTR_IFNAME, "a-name-much-too-long");
	ck_assert_int_eq(evl_nl80211_parse_event(m, &ev, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "IFNAME"));
	nlmsg_free(m);
}
END_TEST

START_TEST(parse_interface)
{
	struct evl_nl_iface ifc;
	const char *err = NULL;
	struct nl_msg *m = reply(NL80211_CMD_NEW_INTERFACE);

	nla_put_u32(m, NL80211_ATTR_IFINDEX, 9);
	ck_assert_int_eq(evl_nl80211_parse_interface(m, &ifc, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "NL80211_ATTR_WIPHY"));
	nla_put_u32(m, NL80211_ATTR_WIPHY, 1);
	nla_put_u32(m, NL80211_ATTR_IFTYPE, NL80211_IFTYPE_AP);
	nla_put_u32(m, NL80211_ATTR_WIPHY_FREQ, 5500);
	nla_put_u32(m, NL80211_ATTR_CHANNEL_WIDTH, NL80211_CHAN_WIDTH_160);
	nla_put_u32(m, NL80211_ATTR_CENTER_FREQ1, 5570);
	nla_put_u32(m, NL80211_ATTR_WIPHY_TX_POWER_LEVEL, 2300);
	ck_assert_int_eq(evl_nl80211_parse_interface(m, &ifc, &err), 0);
	ck_assert_int_eq(ifc.wiphy, 1);
	ck_assert_int_eq(ifc.iftype, NL80211_IFTYPE_AP);
	ck_assert_int_eq(ifc.width_mhz, 160);
	ck_assert_int_eq(ifc.center_freq1, 5570);
	ck_assert_int_eq(ifc.tx_power_mbm, 2300);
	nlmsg_free(m);
}
END_TEST

/* --- the actuator through a fake xfer ------------------------------------------------------ */

struct fake_nl {
	char last[1024]; /* copy of the last request */
	int result;	 /* what the "kernel" answers */
	int calls;
};

static int fake_xfer(void *arg, struct nl_msg *msg, evl_nl80211_reply_fn fn, void *fn_arg)
{
	struct fake_nl *f = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int r = f->result;

	f->calls++;
	ck_assert_uint_le(nlh->nlmsg_len, sizeof(f->last));
	memcpy(f->last, nlh, nlh->nlmsg_len);
	if (!r && fn && genlmsg_hdr(nlh)->cmd == NL80211_CMD_GET_INTERFACE) {
		struct nl_msg *rep = reply(NL80211_CMD_NEW_INTERFACE);

		nla_put_u32(rep, NL80211_ATTR_IFINDEX,
			    nla_get_u32(nlmsg_find_attr(nlh, GENL_HDRLEN, NL80211_ATTR_IFINDEX)));
		nla_put_u32(rep, NL80211_ATTR_WIPHY, 0);
		nla_put_u32(rep, NL80211_ATTR_WIPHY_FREQ, 5180);
		nla_put_u32(rep, NL80211_ATTR_CHANNEL_WIDTH, NL80211_CHAN_WIDTH_80);
		nla_put_u32(rep, NL80211_ATTR_CENTER_FREQ1, 5210);
		nla_put_u32(rep, NL80211_ATTR_WIPHY_TX_POWER_LEVEL, 2000);
		r = fn(rep, fn_arg);
		nlmsg_free(rep);
	}
	nlmsg_free(msg);
	return r;
}

static int last_cmd(struct fake_nl *f, struct nlattr **tb)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)f->last;

	ck_assert_int_eq(genlmsg_parse(nlh, 0, tb, NL80211_ATTR_MAX, NULL), 0);
	return genlmsg_hdr(nlh)->cmd;
}

START_TEST(actuator_ops)
{
	struct fake_nl f = {0};
	struct evl_nl80211_act_opts o = {.xfer = fake_xfer,
					 .xfer_arg = &f,
					 .family = FAM,
					 .cs_count = 7,
					 .radar_cs_count = 3};
	struct evl_chandef cd = {EVL_BAND_5G, 149, 80, 5745, 5775};
	const unsigned char mac[6] = {2, 0, 0, 0, 1, 0};
	struct nlattr *tb[NL80211_ATTR_MAX + 1];
	unsigned int lo = if_nametoindex("lo");
	struct evl_ap_conf c;
	void *a = evl_act_nl80211_new(&o);

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_gt(lo, 0);
	ck_assert_int_eq(evl_act_nl80211_ops.set_tx_power(a, "lo", 17), 0);
	ck_assert_int_eq(last_cmd(&f, tb), NL80211_CMD_SET_WIPHY);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_IFINDEX]), lo);
	ck_assert_int_eq((int32_t)nla_get_u32(tb[NL80211_ATTR_WIPHY_TX_POWER_LEVEL]), 1700);

	ck_assert_int_eq(evl_act_nl80211_ops.switch_channel(a, "lo", &cd, true), EVL_ACT_PENDING);
	ck_assert_int_eq(last_cmd(&f, tb), NL80211_CMD_CHANNEL_SWITCH);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_CH_SWITCH_COUNT]), 3);
	ck_assert_ptr_nonnull(tb[NL80211_ATTR_CH_SWITCH_BLOCK_TX]);
	ck_assert_int_eq(evl_act_nl80211_ops.switch_channel(a, "lo", &cd, false), EVL_ACT_PENDING);
	ck_assert_int_eq(last_cmd(&f, tb), NL80211_CMD_CHANNEL_SWITCH);
	ck_assert_uint_eq(nla_get_u32(tb[NL80211_ATTR_CH_SWITCH_COUNT]), 7);
	ck_assert_ptr_null(tb[NL80211_ATTR_CH_SWITCH_BLOCK_TX]);

	ck_assert_int_eq(evl_act_nl80211_del_station(a, "lo", mac, 5), 0);
	ck_assert_int_eq(last_cmd(&f, tb), NL80211_CMD_DEL_STATION);
	ck_assert_int_eq(evl_act_nl80211_radar_detect(a, "lo", &cd), 0);
	ck_assert_int_eq(last_cmd(&f, tb), NL80211_CMD_RADAR_DETECT);

	ck_assert_int_eq(evl_act_nl80211_ops.get_conf(a, "lo", &c), 0);
	ck_assert_int_eq(c.band, EVL_BAND_5G);
	ck_assert_int_eq(c.channel, 36);
	ck_assert_int_eq(c.bandwidth, 80);
	ck_assert_int_eq(c.tx_power, 20);
	ck_assert_int_eq(c.state, EVL_AP_UP);

	/* the kernel's refusal comes back as is; nothing is sent for unknown interfaces */
	f.result = -EPERM;
	ck_assert_int_eq(evl_act_nl80211_ops.set_tx_power(a, "lo", 17), -EPERM);
	ck_assert_int_eq(evl_act_nl80211_ops.switch_channel(a, "lo", &cd, false), -EPERM);
	f.calls = 0;
	ck_assert_int_eq(evl_act_nl80211_ops.set_tx_power(a, "nosuchif0", 17), -ENODEV);
	ck_assert_int_eq(evl_act_nl80211_ops.set_tx_power(a, "lo", 500), -EINVAL);
	ck_assert_int_eq(f.calls, 0);
	ck_assert_int_eq(evl_act_nl80211_ops.set_obss_pd(a, "lo", -72), -EOPNOTSUPP);
	ck_assert_int_eq(evl_act_nl80211_ops.set_max_sta(a, "lo", 10), -EOPNOTSUPP);
	evl_act_nl80211_ops.destroy(a);
	evl_act_nl80211_ops.destroy(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nl80211");
	TCase *b = tcase_create("build"), *p = tcase_create("parse"), *a = tcase_create("act");

	tcase_add_test(b, build_set_txpower);
	tcase_add_test(b, build_del_station);
	tcase_add_test(b, build_radar_detect);
	tcase_add_test(b, build_channel_switch);
	tcase_add_test(b, build_dumps);
	tcase_add_test(p, parse_survey);
	tcase_add_test(p, parse_station);
	tcase_add_test(p, parse_wiphy_channels);
	tcase_add_test(p, parse_events);
	tcase_add_test(p, parse_config_events);
	tcase_add_test(p, parse_interface);
	tcase_add_test(a, actuator_ops);
	suite_add_tcase(s, b);
	suite_add_tcase(s, p);
	suite_add_tcase(s, a);
	return evl_check_run(s);
}
