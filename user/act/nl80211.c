// SPDX-License-Identifier: GPL-2.0
/* The `nl80211` actuator: TX power, station removal, radar detection, mesh/IBSS CSA. */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <linux/nl80211.h>
#include <netlink/genl/genl.h>

#include "evl/nl80211.h"

#define MAC_SUBTYPE_DEAUTH 12 /* IEEE 802.11 management subtype */

static struct nl_msg *msg_new(int family, int cmd, int ifindex)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg) {
		errno = ENOMEM;
		return NULL;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, cmd, 0) ||
	    nla_put_u32(msg, NL80211_ATTR_IFINDEX, ifindex) < 0) {
		nlmsg_free(msg);
		errno = EMSGSIZE;
		return NULL;
	}
	return msg;
}

static struct nl_msg *msg_fail(struct nl_msg *msg, int err)
{
	nlmsg_free(msg);
	errno = err;
	return NULL;
}

struct nl_msg *evl_nl80211_msg_set_txpower(int family, int ifindex, int dbm)
{
	struct nl_msg *msg;

	if (ifindex <= 0 || dbm < -100 || dbm > 100) {
		errno = EINVAL;
		return NULL;
	}
	msg = msg_new(family, NL80211_CMD_SET_WIPHY, ifindex);
	if (msg && (nla_put_u32(msg, NL80211_ATTR_WIPHY_TX_POWER_SETTING, NL80211_TX_POWER_FIXED) ||
		    nla_put_u32(msg, NL80211_ATTR_WIPHY_TX_POWER_LEVEL, (uint32_t)(dbm * 100))))
		return msg_fail(msg, EMSGSIZE);
	return msg;
}

struct nl_msg *evl_nl80211_msg_del_station(int family, int ifindex, const unsigned char *mac,
					   int reason)
{
	struct nl_msg *msg;

	if (ifindex <= 0 || reason < 0 || reason > UINT16_MAX) {
		errno = EINVAL;
		return NULL;
	}
	msg = msg_new(family, NL80211_CMD_DEL_STATION, ifindex);
	if (msg && ((mac && nla_put(msg, NL80211_ATTR_MAC, 6, mac)) ||
		    nla_put_u8(msg, NL80211_ATTR_MGMT_SUBTYPE, MAC_SUBTYPE_DEAUTH) ||
		    (reason && nla_put_u16(msg, NL80211_ATTR_REASON_CODE, (uint16_t)reason))))
		return msg_fail(msg, EMSGSIZE);
	return msg;
}

static int put_chandef(struct nl_msg *msg, const struct evl_chandef *cd)
{
	int w = evl_nl80211_mhz_to_width(cd->width ? cd->width : 20);
	int cf1 = cd->center_freq1 ? cd->center_freq1 : cd->freq;
	int half = (cd->width ? cd->width : 20) / 2;

	if (w < 0 || cd->freq <= 0 || cd->freq < cf1 - half || cd->freq > cf1 + half)
		return -EINVAL;
	if (nla_put_u32(msg, NL80211_ATTR_WIPHY_FREQ, cd->freq) ||
	    nla_put_u32(msg, NL80211_ATTR_CHANNEL_WIDTH, w) ||
	    nla_put_u32(msg, NL80211_ATTR_CENTER_FREQ1, cf1))
		return -EMSGSIZE;
	return 0;
}

struct nl_msg *evl_nl80211_msg_radar_detect(int family, int ifindex, const struct evl_chandef *cd,
					    unsigned int cac_ms)
{
	struct nl_msg *msg;
	int r;

	if (ifindex <= 0 || !cd) {
		errno = EINVAL;
		return NULL;
	}
	msg = msg_new(family, NL80211_CMD_RADAR_DETECT, ifindex);
	if (!msg)
		return NULL;
	r = put_chandef(msg, cd);
	if (!r && cac_ms && nla_put_u32(msg, NL80211_ATTR_DFS_CAC_TIME, cac_ms))
		r = -EMSGSIZE;
	return r ? msg_fail(msg, -r) : msg;
}

struct nl_msg *evl_nl80211_msg_channel_switch(int family, int ifindex, const struct evl_chandef *cd,
					      int count, bool block_tx)
{
	struct nl_msg *msg;
	int r;

	if (ifindex <= 0 || !cd || count < 0 || count > 255) {
		errno = EINVAL;
		return NULL;
	}
	msg = msg_new(family, NL80211_CMD_CHANNEL_SWITCH, ifindex);
	if (!msg)
		return NULL;
	r = put_chandef(msg, cd);
	if (!r && (nla_put_u32(msg, NL80211_ATTR_CH_SWITCH_COUNT, count) ||
		   (block_tx && nla_put_flag(msg, NL80211_ATTR_CH_SWITCH_BLOCK_TX))))
		r = -EMSGSIZE;
	return r ? msg_fail(msg, -r) : msg;
}

/* --- ops ----------------------------------------------------------------------------------- */

struct nl_act {
	int (*xfer)(void *arg, struct nl_msg *msg, evl_nl80211_reply_fn fn, void *fn_arg);
	void *xfer_arg;
	struct evl_nl80211 *own; /* the real socket when no xfer was given */
	int family;
	int cs_count, radar_cs_count;
};

static int real_xfer(void *arg, struct nl_msg *msg, evl_nl80211_reply_fn fn, void *fn_arg)
{
	return evl_nl80211_xfer(arg, msg, fn, fn_arg);
}

void *evl_act_nl80211_new(const struct evl_nl80211_act_opts *opts)
{
	struct nl_act *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->cs_count = opts && opts->cs_count > 0 ? opts->cs_count : 10;
	a->radar_cs_count = opts && opts->radar_cs_count > 0 ? opts->radar_cs_count : 5;
	if (opts && opts->xfer) {
		a->xfer = opts->xfer;
		a->xfer_arg = opts->xfer_arg;
		a->family = opts->family;
		return a;
	}
	a->own = evl_nl80211_open();
	if (!a->own) {
		free(a);
		return NULL; /* errno from open */
	}
	a->xfer = real_xfer;
	a->xfer_arg = a->own;
	a->family = evl_nl80211_family(a->own);
	return a;
}

static void nl_act_destroy(void *ctx)
{
	struct nl_act *a = ctx;

	if (!a)
		return;
	evl_nl80211_close(a->own);
	free(a);
}

static int ifindex_of(const char *ap)
{
	unsigned int i = ap && *ap && strlen(ap) < IF_NAMESIZE ? if_nametoindex(ap) : 0;

	return i && i <= INT_MAX ? (int)i : -ENODEV;
}

/* Send a built request (NULL: the builder failed, errno says why) and wait for the ack. */
static int act_send(struct nl_act *a, struct nl_msg *msg)
{
	return msg ? a->xfer(a->xfer_arg, msg, NULL, NULL) : -errno;
}

static int iface_cb(struct nl_msg *msg, void *arg)
{
	return evl_nl80211_parse_interface(msg, arg, NULL);
}

static int nl_get_conf(void *ctx, const char *ap, struct evl_ap_conf *out)
{
	struct nl_act *a = ctx;
	struct evl_nl_iface ifc = {.freq = -1};
	struct nl_msg *msg;
	int ifi = ifindex_of(ap), r;

	if (!a || !out)
		return -EINVAL;
	if (ifi < 0)
		return ifi;
	msg = evl_nl80211_msg_get_interface(a->family, ifi);
	if (!msg)
		return -errno;
	r = a->xfer(a->xfer_arg, msg, iface_cb, &ifc);
	if (r)
		return r;
	if (ifc.freq < 0)
		return -EPROTO; /* acked without a reply */
	memset(out, 0, sizeof(*out));
	out->channel = ifc.freq ? evl_chan_from_freq(ifc.freq, &out->band) : 0;
	if (out->channel < 0)
		out->channel = 0;
	out->bandwidth = ifc.width_mhz;
	out->tx_power = ifc.tx_power_mbm == INT32_MIN ? 0 : ifc.tx_power_mbm / 100;
	out->state = ifc.freq ? EVL_AP_UP : EVL_AP_DISABLED;
	return 0;
}

static int nl_switch_channel(void *ctx, const char *ap, const struct evl_chandef *to, bool radar)
{
	struct nl_act *a = ctx;
	int ifi = ifindex_of(ap), r;

	if (!a || !to)
		return -EINVAL;
	if (ifi < 0)
		return ifi;
	r = act_send(a, evl_nl80211_msg_channel_switch(a->family, ifi, to,
						       radar ? a->radar_cs_count : a->cs_count,
						       radar));
	return r ? r : EVL_ACT_PENDING;
}

static int nl_set_tx_power(void *ctx, const char *ap, int dbm)
{
	struct nl_act *a = ctx;
	int ifi = ifindex_of(ap);

	if (!a)
		return -EINVAL;
	return ifi < 0 ? ifi : act_send(a, evl_nl80211_msg_set_txpower(a->family, ifi, dbm));
}

static int nl_unsupported_int(void *ctx, const char *ap, int v)
{
	(void)ctx, (void)ap, (void)v;
	return -EOPNOTSUPP; /* needs hostapd (beacon contents, admission) */
}

static int nl_set_state(void *ctx, const char *ap, enum evl_ap_state s)
{
	(void)ctx, (void)ap, (void)s;
	return -EOPNOTSUPP;
}

int evl_act_nl80211_del_station(void *ctx, const char *ap, const unsigned char *mac, int reason)
{
	struct nl_act *a = ctx;
	int ifi = ifindex_of(ap);

	if (!a)
		return -EINVAL;
	return ifi < 0 ? ifi
		       : act_send(a, evl_nl80211_msg_del_station(a->family, ifi, mac, reason));
}

int evl_act_nl80211_radar_detect(void *ctx, const char *ap, const struct evl_chandef *cd)
{
	struct nl_act *a = ctx;
	int ifi = ifindex_of(ap);

	if (!a || !cd)
		return -EINVAL;
	return ifi < 0 ? ifi : act_send(a, evl_nl80211_msg_radar_detect(a->family, ifi, cd, 0));
}

const struct evl_act_ops evl_act_nl80211_ops = {
	.name = "nl80211",
	.get_conf = nl_get_conf,
	.switch_channel = nl_switch_channel,
	.set_tx_power = nl_set_tx_power,
	.set_obss_pd = nl_unsupported_int,
	.set_max_sta = nl_unsupported_int,
	/* no get_bss / bss_transition: a BTM request is hostapd's (it knows the stations) */
	.set_state = nl_set_state,
	.destroy = nl_act_destroy,
};
