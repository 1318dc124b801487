// SPDX-License-Identifier: GPL-2.0
/*
 * nl80211 off-channel scans of an AP: TRIGGER_SCAN with NL80211_SCAN_FLAG_AP (passive: no
 * SSIDs), ABORT_SCAN, the GET_SCAN dump (BSSs with signal and width from their HT/VHT
 * operation elements) and the "scan" multicast events (started, results ready, aborted).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evl/nl80211.h"
#include "nl_int.h"

#define IE_HT_OPERATION	 61
#define IE_VHT_OPERATION 192

struct nl_msg *evl_nl80211_msg_trigger_scan(int family, int ifindex, const int *freqs, int n,
					    bool ap)
{
	struct nl_msg *msg;
	struct nlattr *f;

	if (ifindex <= 0 || n < 0 || (n && !freqs)) {
		errno = EINVAL;
		return NULL;
	}
	msg = evl_nl80211_msg_new(family, NL80211_CMD_TRIGGER_SCAN, 0, ifindex);
	if (!msg)
		return NULL;
	if (ap && nla_put_u32(msg, NL80211_ATTR_SCAN_FLAGS, NL80211_SCAN_FLAG_AP) < 0)
		goto full;
	if (n) { /* none: every channel the wiphy supports */
		f = nla_nest_start(msg, NL80211_ATTR_SCAN_FREQUENCIES);
		if (!f)
			goto full;
		for (int i = 0; i < n; i++)
			if (nla_put_u32(msg, i + 1, (uint32_t)freqs[i]) < 0)
				goto full;
		nla_nest_end(msg, f);
	}
	return msg;
full:
	nlmsg_free(msg);
	errno = EMSGSIZE;
	return NULL;
}

struct nl_msg *evl_nl80211_msg_abort_scan(int family, int ifindex)
{
	if (ifindex <= 0) {
		errno = EINVAL;
		return NULL;
	}
	return evl_nl80211_msg_new(family, NL80211_CMD_ABORT_SCAN, 0, ifindex);
}

struct nl_msg *evl_nl80211_msg_scan_dump(int family, int ifindex)
{
	if (ifindex <= 0) {
		errno = EINVAL;
		return NULL;
	}
	return evl_nl80211_msg_new(family, NL80211_CMD_GET_SCAN, NLM_F_DUMP, ifindex);
}

/* Width and centre from the HT and VHT operation elements (5 GHz; 2.4 GHz: HT only). */
static void bss_width(const uint8_t *ie, int len, struct evl_bss *b)
{
	const uint8_t *ht = NULL, *vht = NULL;

	for (int i = 0; i + 2 <= len && i + 2 + ie[i + 1] <= len; i += 2 + ie[i + 1]) {
		if (ie[i] == IE_HT_OPERATION && ie[i + 1] >= 22)
			ht = ie + i + 2;
		else if (ie[i] == IE_VHT_OPERATION && ie[i + 1] >= 5)
			vht = ie + i + 2;
	}
	if (!ht || !(ht[1] & 4) || ((ht[1] & 3) != 1 && (ht[1] & 3) != 3))
		return;
	b->width_mhz = 40;
	b->center_freq1 = b->freq + ((ht[1] & 3) == 1 ? 10 : -10);
	if (!vht || !vht[0] || b->freq < 5000)
		return;
	if (vht[0] == 2 || (vht[0] == 1 && vht[2] && abs(vht[2] - vht[1]) == 8)) {
		b->width_mhz = 160;
		b->center_freq1 = 5000 + 5 * (vht[0] == 2 ? vht[1] : vht[2]);
	} else {
		b->width_mhz = 80; /* 80+80 counts as its primary 80 */
		b->center_freq1 = 5000 + 5 * vht[1];
	}
}

int evl_nl80211_parse_bss(struct nl_msg *msg, struct evl_bss *out, const char **err)
{
	struct nlattr *tb[NL80211_ATTR_MAX + 1], *bi[NL80211_BSS_MAX + 1], *ie;
	uint32_t v;

	if (!out || parse_top(msg, tb, err))
		FAIL("nl80211: malformed scan result");
	memset(out, 0, sizeof(*out));
	if (!tb[NL80211_ATTR_BSS])
		FAIL("nl80211: scan result without NL80211_ATTR_BSS");
	if (nla_parse_nested(bi, NL80211_BSS_MAX, tb[NL80211_ATTR_BSS], NULL) < 0)
		FAIL("nl80211: malformed NL80211_ATTR_BSS");
	if (!bi[NL80211_BSS_BSSID] || nla_len(bi[NL80211_BSS_BSSID]) != 6)
		FAIL("nl80211: scan result without a 6-byte NL80211_BSS_BSSID");
	memcpy(out->bssid, nla_data(bi[NL80211_BSS_BSSID]), 6);
	if (!get_u32(bi[NL80211_BSS_FREQUENCY], &v) || !v)
		FAIL("nl80211: scan result without NL80211_BSS_FREQUENCY");
	out->freq = (int)v;
	out->width_mhz = 20;
	out->center_freq1 = out->freq;
	if (get_u32(bi[NL80211_BSS_SIGNAL_MBM], &v)) {
		out->signal_dbm = (int32_t)v / 100;
		out->have_signal = true;
	}
	if (get_u32(bi[NL80211_BSS_SEEN_MS_AGO], &v))
		out->seen_ms_ago = v;
	ie = bi[NL80211_BSS_INFORMATION_ELEMENTS] ? bi[NL80211_BSS_INFORMATION_ELEMENTS]
						  : bi[NL80211_BSS_BEACON_IES];
	if (ie)
		bss_width(nla_data(ie), nla_len(ie), out);
	return 0;
}

int evl_nl80211_parse_scan_event(struct nl_msg *msg, struct evl_nl_event *ev, const char **err)
{
	struct nlattr *tb[NL80211_ATTR_MAX + 1];
	uint32_t v;

	if (!ev || parse_top(msg, tb, err))
		FAIL("nl80211: malformed scan event");
	memset(ev, 0, sizeof(*ev));
	ev->wiphy = -1;
	switch (genlmsg_hdr(nlmsg_hdr(msg))->cmd) {
	case NL80211_CMD_TRIGGER_SCAN:
		ev->type = EVL_NL_EV_SCAN_STARTED;
		break;
	case NL80211_CMD_NEW_SCAN_RESULTS:
		ev->type = EVL_NL_EV_SCAN_DONE;
		break;
	case NL80211_CMD_SCAN_ABORTED:
		ev->type = EVL_NL_EV_SCAN_ABORTED;
		break;
	default:
		return -ENOENT;
	}
	if (get_u32(tb[NL80211_ATTR_IFINDEX], &v))
		ev->ifindex = (int)v;
	if (get_u32(tb[NL80211_ATTR_WIPHY], &v))
		ev->wiphy = (int)v;
	if (ev->ifindex <= 0)
		FAIL("nl80211: scan event without NL80211_ATTR_IFINDEX");
	return 0;
}

int evl_nl80211_scan_trigger(struct evl_nl80211 *nl, int ifindex, const int *freqs, int n)
{
	struct nl_msg *msg;

	if (!nl)
		return -EINVAL;
	msg = evl_nl80211_msg_trigger_scan(evl_nl80211_family(nl), ifindex, freqs, n, true);
	return msg ? evl_nl80211_xfer(nl, msg, NULL, NULL) : -errno;
}

int evl_nl80211_scan_abort(struct evl_nl80211 *nl, int ifindex)
{
	struct nl_msg *msg;

	if (!nl)
		return -EINVAL;
	msg = evl_nl80211_msg_abort_scan(evl_nl80211_family(nl), ifindex);
	return msg ? evl_nl80211_xfer(nl, msg, NULL, NULL) : -errno;
}

struct bss_acc {
	struct evl_bss *out;
	size_t max, n;
};

static int bss_cb(struct nl_msg *msg, void *arg)
{
	struct bss_acc *a = arg;
	struct evl_bss b;
	int r = evl_nl80211_parse_bss(msg, &b, NULL);

	if (r)
		return r;
	if (a->n < a->max) /* more BSSs than room: the strongest may be missed, never a crash */
		a->out[a->n++] = b;
	return 0;
}

int evl_nl80211_scan_results(struct evl_nl80211 *nl, int ifindex, struct evl_bss *out, size_t max)
{
	struct bss_acc a = {out, max, 0};
	struct nl_msg *msg;
	int r;

	if (!nl || !out)
		return -EINVAL;
	msg = evl_nl80211_msg_scan_dump(evl_nl80211_family(nl), ifindex);
	if (!msg)
		return -errno;
	r = evl_nl80211_xfer(nl, msg, bss_cb, &a);
	return r < 0 ? r : (int)a.n;
}
