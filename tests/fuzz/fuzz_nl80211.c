// SPDX-License-Identifier: GPL-2.0
/*
 * nl80211 replies: the first byte picks the parser (survey, station, wiphy, interface,
 * scan result (6), mlme or scan event) and the genl command; the rest is the raw attribute stream
 * after the generic netlink header, as the kernel would send it.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nl80211.h>
#include <netlink/msg.h>

#include <evl/nl80211.h>

#include "fuzz.h"

#define HDR (NLMSG_HDRLEN + GENL_HDRLEN)

static const uint8_t cmds[] = {NL80211_CMD_RADAR_DETECT,
			       NL80211_CMD_CH_SWITCH_NOTIFY,
			       NL80211_CMD_CH_SWITCH_STARTED_NOTIFY,
			       NL80211_CMD_NEW_SURVEY_RESULTS,
			       NL80211_CMD_NEW_STATION,
			       NL80211_CMD_NEW_WIPHY,
			       NL80211_CMD_NEW_INTERFACE,
			       NL80211_CMD_NEW_SCAN_RESULTS,
			       NL80211_CMD_TRIGGER_SCAN,
			       NL80211_CMD_SCAN_ABORTED};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct evl_chanlist l;
	struct nlmsghdr *nlh;
	struct genlmsghdr *gh;
	struct nl_msg *msg;
	const char *err = NULL;
	uint8_t *buf;
	int r = 0;

	if (!size || size > 65536)
		return 0;
	buf = calloc(1, HDR + size);
	if (!buf)
		return 0;
	nlh = (struct nlmsghdr *)buf;
	nlh->nlmsg_len = (uint32_t)(HDR + size - 1);
	nlh->nlmsg_type = 28;
	gh = (struct genlmsghdr *)(buf + NLMSG_HDRLEN);
	gh->cmd = cmds[(data[0] >> 3) % sizeof(cmds)];
	memcpy(buf + HDR, data + 1, size - 1);
	msg = nlmsg_convert(nlh);
	free(buf);
	if (!msg)
		return 0;
	switch (data[0] & 7) {
	case 0: {
		struct evl_survey s;

		r = evl_nl80211_parse_survey(msg, &s, &err);
		break;
	}
	case 1: {
		struct evl_sta s;

		r = evl_nl80211_parse_station(msg, &s, &err);
		break;
	}
	case 2:
		l.wiphy = -1;
		l.n = 0;
		r = evl_nl80211_parse_wiphy(msg, &l, &err);
		break;
	case 3: {
		struct evl_nl_iface i;

		r = evl_nl80211_parse_interface(msg, &i, &err);
		break;
	}
	case 6: {
		struct evl_bss b;

		r = evl_nl80211_parse_bss(msg, &b, &err);
		break;
	}
	default: {
		struct evl_nl_event ev;

		r = evl_nl80211_parse_event(msg, &ev, &err);
		if (r == -ENOENT)
			r = 0;
		break;
	}
	}
	if (r < 0 && !err)
		__builtin_trap(); /* every refusal names what was wrong */
	nlmsg_free(msg);
	return 0;
}
