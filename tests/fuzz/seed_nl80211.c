// SPDX-License-Identifier: GPL-2.0
/*
 * Seeds for fuzz_nl80211: replies built with libnl the way the kernel nests them (survey,
 * station, wiphy with bands and frequencies, interface, radar and channel-switch events),
 * written as "selector byte + attributes after the genl header" into DIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/nl80211.h>
#include <netlink/genl/genl.h>

static const char *dir;

static struct nl_msg *msg(int cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	if (!m || !genlmsg_put(m, 0, 0, 28, 0, 0, (uint8_t)cmd, 0))
		exit(1);
	return m;
}

/* sel: parser (low 3 bits) and command index (<< 3), as fuzz_nl80211.c decodes them. */
static void out(const char *name, uint8_t sel, struct nl_msg *m)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	size_t n = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(&sel, 1, 1, f) != 1 ||
	    fwrite((char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN, 1, n, f) != n || fclose(f))
		exit(1);
	nlmsg_free(m);
}

int main(int argc, char **argv)
{
	struct nl_msg *m;
	struct nlattr *n, *b, *fr, *f;
	const unsigned char mac[6] = {2, 0, 0, 0, 1, 0};

	if (argc != 2)
		return 2;
	dir = argv[1];

	m = msg(NL80211_CMD_NEW_SURVEY_RESULTS);
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 3);
	n = nla_nest_start(m, NL80211_ATTR_SURVEY_INFO);
	nla_put_u32(m, NL80211_SURVEY_INFO_FREQUENCY, 5260);
	nla_put_flag(m, NL80211_SURVEY_INFO_IN_USE);
	nla_put_u8(m, NL80211_SURVEY_INFO_NOISE, (uint8_t)-92);
	nla_put_u64(m, NL80211_SURVEY_INFO_TIME, 1000);
	nla_put_u64(m, NL80211_SURVEY_INFO_TIME_BUSY, 125);
	nla_put_u64(m, NL80211_SURVEY_INFO_TIME_EXT_BUSY, 3);
	nla_put_u64(m, NL80211_SURVEY_INFO_TIME_RX, 60);
	nla_put_u64(m, NL80211_SURVEY_INFO_TIME_TX, 20);
	nla_put_u64(m, NL80211_SURVEY_INFO_TIME_BSS_RX, 10);
	nla_nest_end(m, n);
	out("survey", 0 | 3 << 3, m);

	m = msg(NL80211_CMD_NEW_STATION);
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 3);
	nla_put(m, NL80211_ATTR_MAC, 6, mac);
	n = nla_nest_start(m, NL80211_ATTR_STA_INFO);
	nla_put_u32(m, NL80211_STA_INFO_TX_PACKETS, 1000);
	nla_put_u32(m, NL80211_STA_INFO_TX_FAILED, 12);
	nla_put_u32(m, NL80211_STA_INFO_TX_RETRIES, 80);
	nla_put_u64(m, NL80211_STA_INFO_TX_BYTES64, 123456);
	nla_put_u32(m, NL80211_STA_INFO_RX_BYTES, 65432);
	nla_put_u8(m, NL80211_STA_INFO_SIGNAL, (uint8_t)-55);
	nla_nest_end(m, n);
	out("station", 1 | 4 << 3, m);

	m = msg(NL80211_CMD_NEW_WIPHY);
	nla_put_u32(m, NL80211_ATTR_WIPHY, 0);
	n = nla_nest_start(m, NL80211_ATTR_WIPHY_BANDS);
	b = nla_nest_start(m, NL80211_BAND_5GHZ);
	fr = nla_nest_start(m, NL80211_BAND_ATTR_FREQS);
	f = nla_nest_start(m, 0);
	nla_put_u32(m, NL80211_FREQUENCY_ATTR_FREQ, 5180);
	nla_put_u32(m, NL80211_FREQUENCY_ATTR_MAX_TX_POWER, 2000);
	nla_nest_end(m, f);
	f = nla_nest_start(m, 1);
	nla_put_u32(m, NL80211_FREQUENCY_ATTR_FREQ, 5260);
	nla_put_flag(m, NL80211_FREQUENCY_ATTR_NO_IR);
	nla_put_flag(m, NL80211_FREQUENCY_ATTR_RADAR);
	nla_put_u32(m, NL80211_FREQUENCY_ATTR_DFS_STATE, NL80211_DFS_USABLE);
	nla_put_u32(m, NL80211_FREQUENCY_ATTR_DFS_TIME, 4000);
	nla_put_u32(m, NL80211_FREQUENCY_ATTR_DFS_CAC_TIME, 60000);
	nla_nest_end(m, f);
	f = nla_nest_start(m, 2);
	nla_put_u32(m, NL80211_FREQUENCY_ATTR_FREQ, 5865);
	nla_put_flag(m, NL80211_FREQUENCY_ATTR_DISABLED);
	nla_nest_end(m, f);
	nla_nest_end(m, fr);
	nla_nest_end(m, b);
	nla_nest_end(m, n);
	out("wiphy", 2 | 5 << 3, m);

	m = msg(NL80211_CMD_NEW_INTERFACE);
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 3);
	nla_put_u32(m, NL80211_ATTR_WIPHY, 0);
	nla_put_u32(m, NL80211_ATTR_IFTYPE, NL80211_IFTYPE_AP);
	nla_put_u32(m, NL80211_ATTR_WIPHY_FREQ, 5180);
	nla_put_u32(m, NL80211_ATTR_CHANNEL_WIDTH, NL80211_CHAN_WIDTH_80);
	nla_put_u32(m, NL80211_ATTR_CENTER_FREQ1, 5210);
	nla_put_u32(m, NL80211_ATTR_WIPHY_TX_POWER_LEVEL, 2000);
	out("interface", 3 | 6 << 3, m);

	m = msg(NL80211_CMD_RADAR_DETECT);
	nla_put_u32(m, NL80211_ATTR_WIPHY, 0);
	nla_put_u32(m, NL80211_ATTR_RADAR_EVENT, NL80211_RADAR_DETECTED);
	nla_put_u32(m, NL80211_ATTR_WIPHY_FREQ, 5260);
	nla_put_u32(m, NL80211_ATTR_CHANNEL_WIDTH, NL80211_CHAN_WIDTH_20);
	nla_put_u32(m, NL80211_ATTR_CENTER_FREQ1, 5260);
	out("event-radar", 4 | 0 << 3, m);

	m = msg(NL80211_CMD_CH_SWITCH_NOTIFY);
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 3);
	nla_put_u32(m, NL80211_ATTR_WIPHY_FREQ, 5180);
	nla_put_u32(m, NL80211_ATTR_CHANNEL_WIDTH, NL80211_CHAN_WIDTH_40);
	nla_put_u32(m, NL80211_ATTR_CENTER_FREQ1, 5190);
	out("event-chsw", 5 | 1 << 3, m);

	m = msg(NL80211_CMD_NEW_SCAN_RESULTS); /* a BSS: 40 MHz HT + 80 MHz VHT operation */
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 3);
	n = nla_nest_start(m, NL80211_ATTR_BSS);
	nla_put(m, NL80211_BSS_BSSID, 6, mac);
	nla_put_u32(m, NL80211_BSS_FREQUENCY, 5180);
	nla_put_u32(m, NL80211_BSS_SIGNAL_MBM, (uint32_t)-5000);
	nla_put_u32(m, NL80211_BSS_SEEN_MS_AGO, 120);
	{
		static const unsigned char ie[] = {0, 3, 'e', 'v', 'l', 61, 22, 36, 0x05, 0, 0, 0,
						   0, 0, 0,   0,   0,	0,  0,	0,  0,	  0, 0, 0,
						   0, 0, 0,   0,   192, 5,  1,	42, 0,	  0, 0};

		nla_put(m, NL80211_BSS_INFORMATION_ELEMENTS, sizeof(ie), ie);
	}
	nla_nest_end(m, n);
	out("bss", 6 | 7 << 3, m);

	m = msg(NL80211_CMD_NEW_SCAN_RESULTS);
	nla_put_u32(m, NL80211_ATTR_WIPHY, 0);
	nla_put_u32(m, NL80211_ATTR_IFINDEX, 3);
	out("event-scan", 5 | 7 << 3, m);
	return 0;
}
