// SPDX-License-Identifier: GPL-2.0
/* nl80211 socket, request/dump transport, dump builders, reply parsers and the mlme monitor. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <linux/nl80211.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "evl/nl80211.h"
#include "nl_int.h"

struct evl_nl80211 {
	struct nl_sock *sk;
	int family;
};

/* libnl's own (non-kernel) error codes, as errno. */
static int nlerr_to_errno(int e)
{
	switch (-e) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_PERM:
		return -EPERM;
	case NLE_BUSY:
		return -EBUSY;
	default:
		return -EIO;
	}
}

struct evl_nl80211 *evl_nl80211_open(void)
{
	struct evl_nl80211 *nl = calloc(1, sizeof(*nl));
	int r;

	if (!nl)
		return NULL;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		r = -ENOMEM;
		goto err_free;
	}
	r = genl_connect(nl->sk);
	if (r < 0) {
		r = nlerr_to_errno(r);
		goto err_sock;
	}
	nl->family = genl_ctrl_resolve(nl->sk, NL80211_GENL_NAME);
	if (nl->family < 0) {
		r = -ENOENT; /* no cfg80211 loaded */
		goto err_sock;
	}
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 1 << 20);
	return nl;

err_sock:
	nl_socket_free(nl->sk);
err_free:
	free(nl);
	errno = -r;
	return NULL;
}

void evl_nl80211_close(struct evl_nl80211 *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

int evl_nl80211_family(const struct evl_nl80211 *nl)
{
	return nl ? nl->family : -EINVAL;
}

struct xfer_state {
	int status; /* 1 while waiting for the ack or DONE, then 0 or the kernel's -errno */
	int err;    /* first error returned by fn */
	evl_nl80211_reply_fn fn;
	void *arg;
};

static int xfer_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct xfer_state *x = arg;

	(void)nla;
	x->status = e->error < 0 ? e->error : -EIO;
	return NL_STOP;
}

static int xfer_done(struct nl_msg *msg, void *arg)
{
	struct xfer_state *x = arg;

	(void)msg;
	x->status = 0;
	return NL_STOP;
}

static int xfer_valid(struct nl_msg *msg, void *arg)
{
	struct xfer_state *x = arg;
	int r;

	if (!x->fn || x->err)
		return NL_SKIP;
	r = x->fn(msg, x->arg);
	if (r < 0)
		x->err = r; /* keep reading to the end of the dump, report the first error */
	return NL_SKIP;
}

int evl_nl80211_xfer(struct evl_nl80211 *nl, struct nl_msg *msg, evl_nl80211_reply_fn fn, void *arg)
{
	struct xfer_state x = {.status = 1, .fn = fn, .arg = arg};
	struct nl_cb *cb;
	int r;

	if (!nl || !msg) {
		nlmsg_free(msg);
		return -EINVAL;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, xfer_err, &x);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, xfer_done, &x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, xfer_done, &x);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, xfer_valid, &x);
	r = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (r < 0)
		x.status = nlerr_to_errno(r);
	while (x.status > 0) {
		r = nl_recvmsgs(nl->sk, cb);
		if (r < 0 && x.status > 0)
			x.status = nlerr_to_errno(r);
	}
	nl_cb_put(cb);
	return x.status ? x.status : x.err;
}

/* --- builders ------------------------------------------------------------------------------ */

struct nl_msg *evl_nl80211_msg_new(int family, int cmd, int flags, int ifindex)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg) {
		errno = ENOMEM;
		return NULL;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd, 0) ||
	    (ifindex > 0 && nla_put_u32(msg, NL80211_ATTR_IFINDEX, ifindex) < 0)) {
		nlmsg_free(msg);
		errno = EMSGSIZE;
		return NULL;
	}
	return msg;
}

struct nl_msg *evl_nl80211_msg_get_interface(int family, int ifindex)
{
	if (ifindex <= 0) {
		errno = EINVAL;
		return NULL;
	}
	return evl_nl80211_msg_new(family, NL80211_CMD_GET_INTERFACE, 0, ifindex);
}

struct nl_msg *evl_nl80211_msg_survey_dump(int family, int ifindex)
{
	if (ifindex <= 0) {
		errno = EINVAL;
		return NULL;
	}
	return evl_nl80211_msg_new(family, NL80211_CMD_GET_SURVEY, NLM_F_DUMP, ifindex);
}

struct nl_msg *evl_nl80211_msg_station_dump(int family, int ifindex)
{
	if (ifindex <= 0) {
		errno = EINVAL;
		return NULL;
	}
	return evl_nl80211_msg_new(family, NL80211_CMD_GET_STATION, NLM_F_DUMP, ifindex);
}

struct nl_msg *evl_nl80211_msg_wiphy_dump(int family, int wiphy)
{
	struct nl_msg *msg = evl_nl80211_msg_new(family, NL80211_CMD_GET_WIPHY, NLM_F_DUMP, 0);

	if (!msg)
		return NULL;
	if (nla_put_flag(msg, NL80211_ATTR_SPLIT_WIPHY_DUMP) < 0 ||
	    (wiphy >= 0 && nla_put_u32(msg, NL80211_ATTR_WIPHY, wiphy) < 0)) {
		nlmsg_free(msg);
		errno = EMSGSIZE;
		return NULL;
	}
	return msg;
}

int evl_nl80211_width_to_mhz(int w)
{
	switch (w) {
	case NL80211_CHAN_WIDTH_20_NOHT:
	case NL80211_CHAN_WIDTH_20:
		return 20;
	case NL80211_CHAN_WIDTH_40:
		return 40;
	case NL80211_CHAN_WIDTH_80:
	case NL80211_CHAN_WIDTH_80P80:
		return 80;
	case NL80211_CHAN_WIDTH_160:
		return 160;
	case NL80211_CHAN_WIDTH_320:
		return 320;
	default:
		return -EINVAL;
	}
}

int evl_nl80211_mhz_to_width(int mhz)
{
	switch (mhz) {
	case 20:
		return NL80211_CHAN_WIDTH_20;
	case 40:
		return NL80211_CHAN_WIDTH_40;
	case 80:
		return NL80211_CHAN_WIDTH_80;
	case 160:
		return NL80211_CHAN_WIDTH_160;
	case 320:
		return NL80211_CHAN_WIDTH_320;
	default:
		return -EINVAL;
	}
}

/* --- parsers ------------------------------------------------------------------------------- */

int evl_nl80211_parse_interface(struct nl_msg *msg, struct evl_nl_iface *out, const char **err)
{
	struct nlattr *tb[NL80211_ATTR_MAX + 1];
	uint32_t v;

	if (!out || parse_top(msg, tb, err))
		FAIL("nl80211: malformed interface reply");
	memset(out, 0, sizeof(*out));
	out->tx_power_mbm = INT32_MIN;
	if (!get_u32(tb[NL80211_ATTR_IFINDEX], &v))
		FAIL("nl80211: interface reply without NL80211_ATTR_IFINDEX");
	out->ifindex = (int)v;
	if (!get_u32(tb[NL80211_ATTR_WIPHY], &v))
		FAIL("nl80211: interface reply without NL80211_ATTR_WIPHY");
	out->wiphy = (int)v;
	if (get_u32(tb[NL80211_ATTR_IFTYPE], &v))
		out->iftype = (int)v;
	if (get_u32(tb[NL80211_ATTR_WIPHY_FREQ], &v)) {
		out->freq = (int)v;
		out->width_mhz = 20;
		out->center_freq1 = out->freq;
		if (get_u32(tb[NL80211_ATTR_CHANNEL_WIDTH], &v)) {
			int w = evl_nl80211_width_to_mhz((int)v);

			if (w < 0)
				FAIL("nl80211: interface reply with unsupported channel width");
			out->width_mhz = w;
		}
		if (get_u32(tb[NL80211_ATTR_CENTER_FREQ1], &v))
			out->center_freq1 = (int)v;
	}
	if (get_u32(tb[NL80211_ATTR_WIPHY_TX_POWER_LEVEL], &v))
		out->tx_power_mbm = (int32_t)v;
	return 0;
}

int evl_nl80211_parse_survey(struct nl_msg *msg, struct evl_survey *out, const char **err)
{
	struct nlattr *tb[NL80211_ATTR_MAX + 1], *si[NL80211_SURVEY_INFO_MAX + 1];
	uint32_t f;

	if (!out || parse_top(msg, tb, err))
		FAIL("nl80211: malformed survey reply");
	memset(out, 0, sizeof(*out));
	if (!tb[NL80211_ATTR_SURVEY_INFO])
		FAIL("nl80211: survey reply without NL80211_ATTR_SURVEY_INFO");
	if (nla_parse_nested(si, NL80211_SURVEY_INFO_MAX, tb[NL80211_ATTR_SURVEY_INFO], NULL) < 0)
		FAIL("nl80211: malformed NL80211_ATTR_SURVEY_INFO");
	if (!get_u32(si[NL80211_SURVEY_INFO_FREQUENCY], &f) || !f)
		FAIL("nl80211: survey entry without NL80211_SURVEY_INFO_FREQUENCY");
	out->freq = (int)f;
	out->in_use = si[NL80211_SURVEY_INFO_IN_USE] != NULL;
	if (get_s8(si[NL80211_SURVEY_INFO_NOISE], &out->noise_dbm))
		out->have |= EVL_SURVEY_NOISE;
	if (get_u64(si[NL80211_SURVEY_INFO_TIME], &out->time_ms))
		out->have |= EVL_SURVEY_TIME;
	if (get_u64(si[NL80211_SURVEY_INFO_TIME_BUSY], &out->busy_ms))
		out->have |= EVL_SURVEY_BUSY;
	if (get_u64(si[NL80211_SURVEY_INFO_TIME_EXT_BUSY], &out->ext_busy_ms))
		out->have |= EVL_SURVEY_EXT_BUSY;
	if (get_u64(si[NL80211_SURVEY_INFO_TIME_RX], &out->rx_ms))
		out->have |= EVL_SURVEY_RX;
	if (get_u64(si[NL80211_SURVEY_INFO_TIME_TX], &out->tx_ms))
		out->have |= EVL_SURVEY_TX;
	if (get_u64(si[NL80211_SURVEY_INFO_TIME_BSS_RX], &out->bss_rx_ms))
		out->have |= EVL_SURVEY_BSS_RX;
	return 0;
}

int evl_nl80211_parse_station(struct nl_msg *msg, struct evl_sta *out, const char **err)
{
	struct nlattr *tb[NL80211_ATTR_MAX + 1], *si[NL80211_STA_INFO_MAX + 1];
	uint32_t v;

	if (!out || parse_top(msg, tb, err))
		FAIL("nl80211: malformed station reply");
	memset(out, 0, sizeof(*out));
	if (!tb[NL80211_ATTR_MAC] || nla_len(tb[NL80211_ATTR_MAC]) != 6)
		FAIL("nl80211: station reply without a 6-byte NL80211_ATTR_MAC");
	memcpy(out->mac, nla_data(tb[NL80211_ATTR_MAC]), 6);
	if (!tb[NL80211_ATTR_STA_INFO])
		FAIL("nl80211: station reply without NL80211_ATTR_STA_INFO");
	if (nla_parse_nested(si, NL80211_STA_INFO_MAX, tb[NL80211_ATTR_STA_INFO], NULL) < 0)
		FAIL("nl80211: malformed NL80211_ATTR_STA_INFO");
	if (get_u32(si[NL80211_STA_INFO_TX_PACKETS], &v)) {
		out->tx_packets = v;
		out->have |= EVL_STA_TX_PACKETS;
	}
	if (get_u32(si[NL80211_STA_INFO_TX_FAILED], &v)) {
		out->tx_failed = v;
		out->have |= EVL_STA_TX_FAILED;
	}
	if (get_u32(si[NL80211_STA_INFO_TX_RETRIES], &v)) {
		out->tx_retries = v;
		out->have |= EVL_STA_TX_RETRIES;
	}
	if (get_u64(si[NL80211_STA_INFO_TX_BYTES64], &out->tx_bytes)) {
		out->have |= EVL_STA_TX_BYTES;
	} else if (get_u32(si[NL80211_STA_INFO_TX_BYTES], &v)) {
		out->tx_bytes = v;
		out->have |= EVL_STA_TX_BYTES;
	}
	if (get_u64(si[NL80211_STA_INFO_RX_BYTES64], &out->rx_bytes)) {
		out->have |= EVL_STA_RX_BYTES;
	} else if (get_u32(si[NL80211_STA_INFO_RX_BYTES], &v)) {
		out->rx_bytes = v;
		out->have |= EVL_STA_RX_BYTES;
	}
	if (get_s8(si[NL80211_STA_INFO_SIGNAL], &out->signal_dbm))
		out->have |= EVL_STA_SIGNAL;
	return 0;
}

static int parse_freq(struct nlattr *fa, struct evl_chan *c, const char **err)
{
	struct nlattr *tf[NL80211_FREQUENCY_ATTR_MAX + 1];
	uint32_t v;

	if (nla_parse_nested(tf, NL80211_FREQUENCY_ATTR_MAX, fa, NULL) < 0)
		FAIL("nl80211: malformed NL80211_BAND_ATTR_FREQS entry");
	if (!get_u32(tf[NL80211_FREQUENCY_ATTR_FREQ], &v) || !v)
		FAIL("nl80211: channel without NL80211_FREQUENCY_ATTR_FREQ");
	memset(c, 0, sizeof(*c));
	c->freq = (int)v;
	c->channel = evl_chan_from_freq(c->freq, &c->band);
	if (c->channel < 0)
		c->channel = 0; /* not in any plan evl knows (e.g. 5 GHz ch 173) */
	c->disabled = tf[NL80211_FREQUENCY_ATTR_DISABLED] != NULL;
	c->no_ir = tf[NL80211_FREQUENCY_ATTR_NO_IR] != NULL;
	c->radar = tf[NL80211_FREQUENCY_ATTR_RADAR] != NULL;
	c->dfs = EVL_DFS_UNKNOWN;
	if (c->radar) {
		if (!get_u32(tf[NL80211_FREQUENCY_ATTR_DFS_STATE], &v))
			FAIL("nl80211: radar channel without NL80211_FREQUENCY_ATTR_DFS_STATE");
		switch (v) {
		case NL80211_DFS_USABLE:
			c->dfs = EVL_DFS_USABLE;
			break;
		case NL80211_DFS_AVAILABLE:
			c->dfs = EVL_DFS_AVAILABLE;
			break;
		case NL80211_DFS_UNAVAILABLE:
			c->dfs = EVL_DFS_UNAVAILABLE;
			break;
		default:
			FAIL("nl80211: unknown NL80211_FREQUENCY_ATTR_DFS_STATE");
		}
		get_u32(tf[NL80211_FREQUENCY_ATTR_DFS_TIME], &c->dfs_time_ms);
		get_u32(tf[NL80211_FREQUENCY_ATTR_DFS_CAC_TIME], &c->cac_ms);
	}
	if (get_u32(tf[NL80211_FREQUENCY_ATTR_MAX_TX_POWER], &v))
		c->max_power_mbm = (int)v;
	return 0;
}

int evl_nl80211_parse_wiphy(struct nl_msg *msg, struct evl_chanlist *l, const char **err)
{
	struct nlattr *tb[NL80211_ATTR_MAX + 1], *band;
	uint32_t wiphy;
	int rem;

	if (!l || parse_top(msg, tb, err))
		FAIL("nl80211: malformed wiphy reply");
	if (!get_u32(tb[NL80211_ATTR_WIPHY], &wiphy))
		FAIL("nl80211: wiphy reply without NL80211_ATTR_WIPHY");
	if (l->wiphy < 0)
		l->wiphy = (int)wiphy;
	if ((int)wiphy != l->wiphy || !tb[NL80211_ATTR_WIPHY_BANDS])
		return 0; /* another wiphy, or a split-dump part without bands */
	nla_for_each_nested(band, tb[NL80211_ATTR_WIPHY_BANDS], rem)
	{
		struct nlattr *tband[NL80211_BAND_ATTR_MAX + 1], *fa;
		int frem;

		if (nla_parse_nested(tband, NL80211_BAND_ATTR_MAX, band, NULL) < 0)
			FAIL("nl80211: malformed NL80211_ATTR_WIPHY_BANDS entry");
		if (!tband[NL80211_BAND_ATTR_FREQS])
			continue;
		nla_for_each_nested(fa, tband[NL80211_BAND_ATTR_FREQS], frem)
		{
			struct evl_chan c;
			size_t i;
			int r = parse_freq(fa, &c, err);

			if (r)
				return r;
			if (!c.channel)
				continue; /* 60 GHz, S1G: not ours */
			for (i = 0; i < l->n && l->ch[i].freq != c.freq; i++)
				;
			if (i == l->n) {
				if (l->n == EVL_CHANLIST_MAX)
					FAIL("nl80211: more channels than EVL_CHANLIST_MAX");
				l->n++;
			}
			l->ch[i] = c;
		}
	}
	return 0;
}

/* Radio and interface lifecycle: a wiphy for DEL_WIPHY, an interface for the others. */
static int parse_config_event(int cmd, struct nlattr **tb, struct evl_nl_event *ev,
			      const char **err)
{
	uint32_t v;

	ev->type = cmd == NL80211_CMD_DEL_WIPHY	      ? EVL_NL_EV_DEL_WIPHY
		   : cmd == NL80211_CMD_DEL_INTERFACE ? EVL_NL_EV_DEL_INTERFACE
						      : EVL_NL_EV_NEW_INTERFACE;
	if (get_u32(tb[NL80211_ATTR_WIPHY], &v))
		ev->wiphy = (int)v;
	if (get_u32(tb[NL80211_ATTR_IFINDEX], &v))
		ev->ifindex = (int)v;
	if (tb[NL80211_ATTR_IFNAME]) {
		const char *n = nla_data(tb[NL80211_ATTR_IFNAME]);
		int len = nla_len(tb[NL80211_ATTR_IFNAME]);

		if (len <= 0 || len > (int)sizeof(ev->ifname) || n[len - 1])
			FAIL("nl80211: bad NL80211_ATTR_IFNAME");
		memcpy(ev->ifname, n, (size_t)len);
	}
	if (cmd == NL80211_CMD_DEL_WIPHY ? ev->wiphy < 0 : ev->ifindex <= 0)
		FAIL("nl80211: interface event without its wiphy or ifindex");
	return 0;
}

int evl_nl80211_parse_event(struct nl_msg *msg, struct evl_nl_event *ev, const char **err)
{
	struct nlattr *tb[NL80211_ATTR_MAX + 1];
	struct genlmsghdr *gh;
	uint32_t v;

	if (!ev || parse_top(msg, tb, err))
		FAIL("nl80211: malformed event");
	memset(ev, 0, sizeof(*ev));
	ev->wiphy = -1;
	gh = genlmsg_hdr(nlmsg_hdr(msg));
	switch (gh->cmd) {
	case NL80211_CMD_RADAR_DETECT:
		if (!get_u32(tb[NL80211_ATTR_RADAR_EVENT], &v))
			FAIL("nl80211: radar event without NL80211_ATTR_RADAR_EVENT");
		switch (v) {
		case NL80211_RADAR_DETECTED:
			ev->type = EVL_NL_EV_RADAR;
			break;
		case NL80211_RADAR_CAC_STARTED:
			ev->type = EVL_NL_EV_CAC_STARTED;
			break;
		case NL80211_RADAR_CAC_FINISHED:
			ev->type = EVL_NL_EV_CAC_FINISHED;
			break;
		case NL80211_RADAR_CAC_ABORTED:
			ev->type = EVL_NL_EV_CAC_ABORTED;
			break;
		case NL80211_RADAR_NOP_FINISHED:
			ev->type = EVL_NL_EV_NOP_FINISHED;
			break;
		default:
			return -ENOENT;
		}
		break;
	case NL80211_CMD_CH_SWITCH_STARTED_NOTIFY:
		ev->type = EVL_NL_EV_CH_SWITCH_STARTED;
		break;
	case NL80211_CMD_CH_SWITCH_NOTIFY:
		ev->type = EVL_NL_EV_CH_SWITCH_DONE;
		break;
	case NL80211_CMD_REG_CHANGE: /* "regulatory" group: no frequency, wiphy only if per-wiphy */
	case NL80211_CMD_WIPHY_REG_CHANGE:
		ev->type = EVL_NL_EV_REG_CHANGE;
		if (get_u32(tb[NL80211_ATTR_WIPHY], &v))
			ev->wiphy = (int)v;
		return 0;
	case NL80211_CMD_DEL_WIPHY:
	case NL80211_CMD_DEL_INTERFACE:
	case NL80211_CMD_NEW_INTERFACE:
		return parse_config_event(gh->cmd, tb, ev, err);
	default:
		return evl_nl80211_parse_scan_event(msg, ev, err);
	}
	if (!get_u32(tb[NL80211_ATTR_WIPHY_FREQ], &v) || !v)
		FAIL("nl80211: event without NL80211_ATTR_WIPHY_FREQ");
	ev->freq = (int)v;
	if (get_u32(tb[NL80211_ATTR_IFINDEX], &v))
		ev->ifindex = (int)v;
	if (get_u32(tb[NL80211_ATTR_WIPHY], &v))
		ev->wiphy = (int)v;
	if (ev->ifindex <= 0 && ev->wiphy < 0)
		FAIL("nl80211: event names neither interface nor wiphy");
	if (get_u32(tb[NL80211_ATTR_CHANNEL_WIDTH], &v)) {
		int w = evl_nl80211_width_to_mhz((int)v);

		ev->width_mhz = w > 0 ? w : 0;
	}
	ev->center_freq1 = ev->freq;
	if (get_u32(tb[NL80211_ATTR_CENTER_FREQ1], &v))
		ev->center_freq1 = (int)v;
	return 0;
}

/* --- dumps --------------------------------------------------------------------------------- */

struct survey_acc {
	struct evl_survey *out;
	size_t max, n;
};

static int survey_cb(struct nl_msg *msg, void *arg)
{
	struct survey_acc *a = arg;
	struct evl_survey s;
	int r = evl_nl80211_parse_survey(msg, &s, NULL);

	if (r)
		return r;
	if (a->n == a->max)
		return -ENOSPC;
	a->out[a->n++] = s;
	return 0;
}

int evl_nl80211_survey(struct evl_nl80211 *nl, int ifindex, struct evl_survey *out, size_t max)
{
	struct survey_acc a = {out, max, 0};
	struct nl_msg *msg;
	int r;

	if (!nl || !out)
		return -EINVAL;
	msg = evl_nl80211_msg_survey_dump(nl->family, ifindex);
	if (!msg)
		return -errno;
	r = evl_nl80211_xfer(nl, msg, survey_cb, &a);
	return r < 0 ? r : (int)a.n;
}

static int station_cb(struct nl_msg *msg, void *arg)
{
	struct evl_sta s;
	int r = evl_nl80211_parse_station(msg, &s, NULL);

	return r ? r : evl_sta_tracker_add(arg, &s);
}

int evl_nl80211_stations(struct evl_nl80211 *nl, int ifindex, struct evl_sta_tracker *t)
{
	struct nl_msg *msg;

	if (!nl || !t)
		return -EINVAL;
	msg = evl_nl80211_msg_station_dump(nl->family, ifindex);
	if (!msg)
		return -errno;
	evl_sta_tracker_begin(t);
	return evl_nl80211_xfer(nl, msg, station_cb, t);
}

static int wiphy_cb(struct nl_msg *msg, void *arg)
{
	return evl_nl80211_parse_wiphy(msg, arg, NULL);
}

int evl_nl80211_channels(struct evl_nl80211 *nl, int wiphy, struct evl_chanlist *l)
{
	struct nl_msg *msg;

	if (!nl || !l)
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	l->wiphy = wiphy;
	msg = evl_nl80211_msg_wiphy_dump(nl->family, wiphy);
	if (!msg)
		return -errno;
	return evl_nl80211_xfer(nl, msg, wiphy_cb, l);
}

static int iface_cb(struct nl_msg *msg, void *arg)
{
	return evl_nl80211_parse_interface(msg, arg, NULL);
}

int evl_nl80211_interface(struct evl_nl80211 *nl, int ifindex, struct evl_nl_iface *out)
{
	struct nl_msg *msg;

	if (!nl || !out || ifindex <= 0)
		return -EINVAL;
	msg = evl_nl80211_msg_get_interface(nl->family, ifindex);
	if (!msg)
		return -errno;
	return evl_nl80211_xfer(nl, msg, iface_cb, out);
}

/* --- mlme monitor -------------------------------------------------------------------------- */

struct evl_nl80211_mon {
	struct nl_sock *sk;
	struct nl_cb *cb;
	evl_nl80211_event_fn fn;
	void *arg;
	int count;
};

static int mon_valid(struct nl_msg *msg, void *arg)
{
	struct evl_nl80211_mon *m = arg;
	struct evl_nl_event ev;

	if (evl_nl80211_parse_event(msg, &ev, NULL) == 0 && m->fn) {
		m->fn(&ev, m->arg);
		m->count++;
	}
	return NL_OK;
}

/* Multicast events carry seq 0: accept them (the socket's own seq check is not m->cb's). */
static int mon_no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

struct evl_nl80211_mon *evl_nl80211_mon_open(void)
{
	struct evl_nl80211_mon *m = calloc(1, sizeof(*m));
	int grp, r = -ENOMEM;

	if (!m)
		return NULL;
	m->sk = nl_socket_alloc();
	m->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!m->sk || !m->cb)
		goto err;
	r = genl_connect(m->sk);
	if (r < 0) {
		r = nlerr_to_errno(r);
		goto err;
	}
	grp = genl_ctrl_resolve_grp(m->sk, NL80211_GENL_NAME, NL80211_MULTICAST_GROUP_MLME);
	if (grp < 0) {
		r = -ENOENT;
		goto err;
	}
	r = nl_socket_add_membership(m->sk, grp);
	if (r < 0) {
		r = nlerr_to_errno(r);
		goto err;
	}
	/* scan results and aborts: without the group, scans are read by their own time-out */
	grp = genl_ctrl_resolve_grp(m->sk, NL80211_GENL_NAME, NL80211_MULTICAST_GROUP_SCAN);
	if (grp >= 0)
		nl_socket_add_membership(m->sk, grp);
	/* plan changes (iw reg set, a country IE): optional, the periodic wiphy dump stays */
	grp = genl_ctrl_resolve_grp(m->sk, NL80211_GENL_NAME, NL80211_MULTICAST_GROUP_REG);
	/* radios and interfaces removed or added: a radio that is gone (best effort) */
	grp = genl_ctrl_resolve_grp(m->sk, NL80211_GENL_NAME, NL80211_MULTICAST_GROUP_CONFIG);
	if (grp >= 0)
		nl_socket_add_membership(m->sk, grp);
	nl_cb_set(m->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, mon_no_seq_check, NULL);
	nl_socket_set_nonblocking(m->sk);
	nl_socket_set_buffer_size(m->sk, 1 << 20, 0);
	nl_cb_set(m->cb, NL_CB_VALID, NL_CB_CUSTOM, mon_valid, m);
	return m;
err:
	evl_nl80211_mon_close(m);
	errno = -r;
	return NULL;
}

void evl_nl80211_mon_close(struct evl_nl80211_mon *m)
{
	if (!m)
		return;
	nl_cb_put(m->cb);
	nl_socket_free(m->sk);
	free(m);
}

int evl_nl80211_mon_fd(const struct evl_nl80211_mon *m)
{
	return m ? nl_socket_get_fd(m->sk) : -EINVAL;
}

int evl_nl80211_mon_read(struct evl_nl80211_mon *m, evl_nl80211_event_fn fn, void *arg)
{
	int r;

	if (!m)
		return -EINVAL;
	m->fn = fn;
	m->arg = arg;
	m->count = 0;
	r = nl_recvmsgs(m->sk, m->cb);
	if (r < 0 && r != -NLE_AGAIN)
		return nlerr_to_errno(r);
	return m->count;
}
