// SPDX-License-Identifier: GPL-2.0
/* hostapd control-socket client, reply/event parsers and the `hostapd` actuator. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "evl/config.h"
#include "evl/hostapd.h"

struct evl_hapd {
	int fd;
	int timeout_ms;
	char local[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static atomic_uint hapd_counter;

static int fill_sun(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

struct evl_hapd *evl_hapd_open(const char *ctrl_path, const char *local_dir, int timeout_ms)
{
	struct sockaddr_un local, dest;
	struct evl_hapd *h;
	int err;

	if (!ctrl_path || !*ctrl_path) {
		errno = EINVAL;
		return NULL;
	}
	if (!local_dir)
		local_dir = "/tmp";
	err = fill_sun(&dest, ctrl_path);
	if (err) {
		errno = -err;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->timeout_ms = timeout_ms > 0 ? timeout_ms : 1000;
	h->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (h->fd < 0)
		goto err_free;
	if (snprintf(h->local, sizeof(h->local), "%s/evl-hapd-%d-%u", local_dir, (int)getpid(),
		     atomic_fetch_add(&hapd_counter, 1)) >= (int)sizeof(h->local)) {
		errno = ENAMETOOLONG;
		goto err_close;
	}
	fill_sun(&local, h->local);
	unlink(h->local); /* stale socket of an earlier process with our pid */
	if (bind(h->fd, (struct sockaddr *)&local, sizeof(local)) < 0)
		goto err_close;
	if (connect(h->fd, (struct sockaddr *)&dest, sizeof(dest)) < 0)
		goto err_unlink;
	return h;

err_unlink:
	err = errno;
	unlink(h->local);
	errno = err;
err_close:
	err = errno;
	close(h->fd);
	errno = err;
err_free:
	free(h);
	return NULL;
}

void evl_hapd_close(struct evl_hapd *h)
{
	if (!h)
		return;
	close(h->fd);
	unlink(h->local);
	free(h);
}

int evl_hapd_fd(const struct evl_hapd *h)
{
	return h ? h->fd : -EINVAL;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int evl_hapd_request(struct evl_hapd *h, const char *cmd, char *reply, size_t len)
{
	long long deadline;
	ssize_t n;

	if (!h || !cmd || !reply || len < 2)
		return -EINVAL;
	/* Drop anything stale (a late reply to a request that timed out). */
	while (recv(h->fd, reply, len, 0) > 0)
		;
	if (send(h->fd, cmd, strlen(cmd), 0) < 0)
		return -errno;
	deadline = now_ms() + h->timeout_ms;
	for (;;) {
		struct pollfd pfd = {.fd = h->fd, .events = POLLIN};
		long long left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = recv(h->fd, reply, len - 1, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return -errno;
		reply[n] = '\0';
		if (n > 0 && reply[0] == '<')
			continue; /* unsolicited event on a request connection */
		return (int)n;
	}
}

static bool line_is(const char *reply, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(reply, word, n) && (reply[n] == '\0' || reply[n] == '\n');
}

int evl_hapd_reply_status(const char *reply)
{
	if (!reply)
		return -EINVAL;
	if (line_is(reply, "OK"))
		return 0;
	if (line_is(reply, "FAIL-BUSY"))
		return -EBUSY;
	if (line_is(reply, "FAIL") || !strncmp(reply, "FAIL-", 5))
		return -EIO;
	if (line_is(reply, "UNKNOWN COMMAND"))
		return -EOPNOTSUPP;
	return -EPROTO;
}

int evl_hapd_command(struct evl_hapd *h, const char *cmd)
{
	char reply[64];
	int r = evl_hapd_request(h, cmd, reply, sizeof(reply));

	return r < 0 ? r : evl_hapd_reply_status(reply);
}

static enum evl_band band_of_freq(int freq)
{
	if (freq < 3000)
		return EVL_BAND_2G;
	if (freq >= 5955)
		return EVL_BAND_6G;
	return EVL_BAND_5G;
}

int evl_hapd_format_chan_switch(char *buf, size_t len, int count, const struct evl_chandef *to,
				bool blocktx, unsigned int modes)
{
	int w, cf1, sec = 0, n;

	if (!buf || !to || count < 0 || count > 255 || to->freq <= 0)
		return -EINVAL;
	w = to->width ? to->width : 20;
	if (w != 20 && w != 40 && w != 80 && w != 160)
		return -EINVAL;
	cf1 = to->center_freq1 ? to->center_freq1 : to->freq;
	/* The primary must lie inside the block, on a 20 MHz raster from its lower edge. */
	if (to->freq < cf1 - w / 2 + 10 || to->freq > cf1 + w / 2 - 10 ||
	    (to->freq - (cf1 - w / 2 + 10)) % 20)
		return -EINVAL;
	if (w > 20) /* HT40 pair: secondary above for the lower channel of each pair */
		sec = ((to->freq - (cf1 - w / 2 + 10)) / 20) % 2 ? -1 : 1;
	switch (band_of_freq(to->freq)) {
	case EVL_BAND_2G:
		modes &= ~EVL_HAPD_VHT;
		break;
	case EVL_BAND_6G:
		modes &= EVL_HAPD_HE;
		break;
	default:
		break;
	}
	n = snprintf(buf, len,
		     "CHAN_SWITCH %d %d center_freq1=%d bandwidth=%d sec_channel_offset=%d%s%s%s%s",
		     count, to->freq, cf1, w, sec, modes & EVL_HAPD_HT ? " ht" : "",
		     modes & EVL_HAPD_VHT ? " vht" : "", modes & EVL_HAPD_HE ? " he" : "",
		     blocktx ? " blocktx" : "");
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

/* Value of "key=" at the start of a line (STATUS) or after a space (events); NULL if absent. */
static const char *find_key(const char *s, const char *key, bool lines)
{
	size_t kl = strlen(key);
	const char *p = s;

	while ((p = strstr(p, key))) {
		bool start = p == s || p[-1] == (lines ? '\n' : ' ');

		if (start && p[kl] == '=')
			return p + kl + 1;
		p += kl;
	}
	return NULL;
}

/* Parse a decimal int value; false if absent or not a number. */
static bool key_int(const char *s, const char *key, bool lines, int *out)
{
	const char *v = find_key(s, key, lines);
	char *end;
	long x;

	if (!v)
		return false;
	errno = 0;
	x = strtol(v, &end, 10);
	if (end == v || errno || x < INT_MIN || x > INT_MAX)
		return false;
	*out = (int)x;
	return true;
}

/* A line's value as text into out; false (out "") if absent or too long. */
static bool key_text(const char *s, const char *key, char *out, size_t len)
{
	const char *v = find_key(s, key, true);
	size_t n = v ? strcspn(v, "\n") : 0;

	out[0] = 0;
	if (!v || !n || n >= len)
		return false;
	memcpy(out, v, n);
	out[n] = 0;
	return true;
}

static bool parse_mac(const char *s, unsigned char mac[6]);

static int chan_to_freq(enum evl_band band, int chan)
{
	switch (band) {
	case EVL_BAND_2G:
		return chan == 14 ? 2484 : 2407 + 5 * chan;
	case EVL_BAND_6G:
		return chan == 2 ? 5935 : 5950 + 5 * chan;
	default:
		return 5000 + 5 * chan;
	}
}

int evl_hapd_parse_status(const char *reply, struct evl_hapd_status *st, const char **err)
{
	const char *v, *why = NULL;
	int flag = 0, chwidth = 0, seg0 = 0;
	size_t n;

	if (!reply || !st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	v = find_key(reply, "state", true);
	if (!v) {
		why = "STATUS: no state=";
		goto bad;
	}
	n = strcspn(v, "\n");
	if (n == 0 || n >= sizeof(st->state)) {
		why = "STATUS: bad state=";
		goto bad;
	}
	memcpy(st->state, v, n);
	if (!key_int(reply, "freq", true, &st->freq) || st->freq < 0 || st->freq > 100000) {
		why = "STATUS: no or bad freq=";
		goto bad;
	}
	if (!key_int(reply, "channel", true, &st->channel) || st->channel < 0 ||
	    st->channel > 255) {
		why = "STATUS: no or bad channel=";
		goto bad;
	}
	st->band = band_of_freq(st->freq);
	key_text(reply, "ssid[0]", st->ssid, sizeof(st->ssid));
	if (key_text(reply, "bssid[0]", st->bssid, sizeof(st->bssid)) &&
	    !parse_mac(st->bssid, (unsigned char[6]){0}))
		st->bssid[0] = 0; /* not an address: unknown */
	key_int(reply, "secondary_channel", true, &st->secondary_channel);
	key_int(reply, "max_txpower", true, &st->max_txpower);
	key_int(reply, "num_sta[0]", true, &st->num_sta);
	if (key_int(reply, "ieee80211n", true, &flag) && flag)
		st->modes |= EVL_HAPD_HT;
	if (key_int(reply, "ieee80211ac", true, &flag) && flag)
		st->modes |= EVL_HAPD_VHT;
	if (key_int(reply, "ieee80211ax", true, &flag) && flag)
		st->modes |= EVL_HAPD_HE;
	/* HE operation wins over VHT (6 GHz has only HE); 1 = 80, 2 = 160, 3 = 80+80. */
	if (!(st->modes & EVL_HAPD_HE) || !key_int(reply, "he_oper_chwidth", true, &chwidth) ||
	    !key_int(reply, "he_oper_centr_freq_seg0_idx", true, &seg0)) {
		chwidth = seg0 = 0;
		if (st->modes & EVL_HAPD_VHT) {
			key_int(reply, "vht_oper_chwidth", true, &chwidth);
			key_int(reply, "vht_oper_centr_freq_seg0_idx", true, &seg0);
		}
	}
	if (seg0 < 0 || seg0 > 255) { /* a channel number (u8 in hostapd) */
		why = "STATUS: bad he/vht_oper_centr_freq_seg0_idx=";
		goto bad;
	}
	if ((chwidth == 1 || chwidth == 3) && seg0) {
		st->bandwidth = 80;
		st->center_freq1 = chan_to_freq(st->band, seg0);
	} else if (chwidth == 2 && seg0) {
		st->bandwidth = 160;
		st->center_freq1 = chan_to_freq(st->band, seg0);
	} else if (st->secondary_channel == 1 || st->secondary_channel == -1) {
		st->bandwidth = 40;
		st->center_freq1 = st->freq + 10 * st->secondary_channel;
	} else {
		st->bandwidth = 20;
		st->center_freq1 = st->freq;
	}
	return 0;
bad:
	if (err)
		*err = why;
	return -EINVAL;
}

static const struct {
	const char *name;
	enum evl_hapd_ev_type type;
	const char *needs; /* mandatory key, or "mac" for a leading address */
} hapd_events[] = {
	{"CTRL-EVENT-STARTED-CHANNEL-SWITCH", EVL_HAPD_EV_CSA_STARTED, "freq"},
	{"AP-CSA-FINISHED", EVL_HAPD_EV_CSA_FINISHED, "freq"},
	{"DFS-RADAR-DETECTED", EVL_HAPD_EV_RADAR, "freq"},
	{"DFS-CAC-START", EVL_HAPD_EV_CAC_START, "freq"},
	{"DFS-CAC-COMPLETED", EVL_HAPD_EV_CAC_DONE, "freq"},
	{"DFS-NOP-FINISHED", EVL_HAPD_EV_NOP_FINISHED, "freq"},
	{"DFS-NEW-CHANNEL", EVL_HAPD_EV_NEW_CHANNEL, "freq"},
	{"AP-STA-CONNECTED", EVL_HAPD_EV_STA_CONNECTED, "mac"},
	{"AP-STA-DISCONNECTED", EVL_HAPD_EV_STA_DISCONNECTED, "mac"},
	{"AP-ENABLED", EVL_HAPD_EV_AP_ENABLED, NULL},
	{"AP-DISABLED", EVL_HAPD_EV_AP_DISABLED, NULL},
};

static bool parse_mac(const char *s, unsigned char mac[6])
{
	unsigned int b[6];
	int n = 0;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) !=
		    6 ||
	    n != 17 || (s[n] != '\0' && s[n] != ' ' && s[n] != '\n'))
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (unsigned char)b[i];
	return true;
}

int evl_hapd_parse_event(const char *msg, struct evl_hapd_event *ev)
{
	const char *p, *end;
	size_t n;

	if (!msg || !ev)
		return -EINVAL;
	memset(ev, 0, sizeof(*ev));
	ev->chan_width = ev->dfs = ev->success = -1;
	/* Global-socket events carry "IFNAME=wlan0 " first. */
	if (!strncmp(msg, "IFNAME=", 7)) {
		msg = strchr(msg, ' ');
		if (!msg)
			return -EINVAL;
		msg++;
	}
	if (msg[0] != '<' || !(end = strchr(msg, '>')) || end - msg < 2 || end - msg > 3)
		return -EINVAL;
	ev->level = atoi(msg + 1);
	p = end + 1;
	n = strcspn(p, " \n");
	if (n == 0 || n >= sizeof(ev->name))
		return -EINVAL;
	memcpy(ev->name, p, n);
	p += n;
	for (size_t i = 0; i < sizeof(hapd_events) / sizeof(hapd_events[0]); i++) {
		if (strcmp(ev->name, hapd_events[i].name))
			continue;
		ev->type = hapd_events[i].type;
		if (hapd_events[i].needs && !strcmp(hapd_events[i].needs, "mac")) {
			if (*p != ' ' || !parse_mac(p + 1, ev->mac))
				return -EINVAL;
			ev->has_mac = true;
		} else if (hapd_events[i].needs &&
			   !key_int(p, hapd_events[i].needs, false, &ev->freq)) {
			return -EINVAL;
		}
		break;
	}
	key_int(p, "freq", false, &ev->freq);
	key_int(p, "cf1", false, &ev->cf1);
	key_int(p, "chan", false, &ev->channel);
	key_int(p, "dfs", false, &ev->dfs);
	key_int(p, "success", false, &ev->success);
	if (!key_int(p, "chan_width", false, &ev->chan_width))
		key_int(p, "ch_width", false, &ev->chan_width);
	return 0;
}

struct evl_hapd *evl_hapd_monitor_open(const char *ctrl_path, const char *local_dir, int timeout_ms)
{
	struct evl_hapd *h = evl_hapd_open(ctrl_path, local_dir, timeout_ms);
	int r;

	if (!h)
		return NULL;
	r = evl_hapd_command(h, "ATTACH");
	if (r) {
		evl_hapd_close(h);
		errno = -r;
		return NULL;
	}
	return h;
}

int evl_hapd_monitor_read(struct evl_hapd *h, struct evl_hapd_event *ev)
{
	char buf[EVL_HAPD_REPLY_MAX];
	ssize_t n;

	if (!h || !ev)
		return -EINVAL;
	for (;;) {
		n = recv(h->fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n < 0)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		buf[n] = '\0';
		if (evl_hapd_parse_event(buf, ev) == 0)
			return 0;
	}
}

int evl_hapd_monitor_ping(struct evl_hapd *h)
{
	if (!h)
		return -EINVAL;
	return send(h->fd, "PING", 4, MSG_DONTWAIT) < 0 ? -errno : 0;
}

/* --- the actuator ---------------------------------------------------------------------- */

#define HAPD_MAX_APS		   EVL_CONFIG_MAX_IFACES /* every AP evld.conf can name */
#define HAPD_UNLIMITED_STA	   2007			 /* hostapd's MAX_STA_COUNT */
#define OBSS_PD_MIN		   (-82) /* non-SRG OBSS-PD max = -82 dBm + offset, offset 0..20 */
#define OBSS_PD_MAX		   (-62)
#define SR_CTRL_NON_SRG_DISALLOWED 0x02
#define SR_CTRL_NON_SRG_OFFSET	   0x04

struct hapd_ap {
	char name[32];
	struct evl_hapd *conn;
	int obss_pd; /* last value set through us; hostapd cannot report it */
	int max_sta;
};

struct hapd_act {
	char ctrl_dir[96];
	char local_dir[96];
	int timeout_ms;
	int cs_count, radar_cs_count;
	const struct evl_actuator *txpower;
	struct hapd_ap aps[HAPD_MAX_APS];
};

void *evl_act_hostapd_new(const struct evl_hapd_opts *opts)
{
	struct hapd_act *a = calloc(1, sizeof(*a));
	const char *cdir = opts && opts->ctrl_dir ? opts->ctrl_dir : "/var/run/hostapd";
	const char *ldir = opts && opts->local_dir ? opts->local_dir : "/tmp";

	if (!a)
		return NULL;
	if (strlen(cdir) >= sizeof(a->ctrl_dir) || strlen(ldir) >= sizeof(a->local_dir)) {
		free(a);
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(a->ctrl_dir, cdir);
	strcpy(a->local_dir, ldir);
	a->timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms : 1000;
	a->cs_count = opts && opts->cs_count > 0 ? opts->cs_count : 10;
	a->radar_cs_count = opts && opts->radar_cs_count > 0 ? opts->radar_cs_count : 5;
	a->txpower = opts ? opts->txpower : NULL;
	return a;
}

static void hapd_act_destroy(void *ctx)
{
	struct hapd_act *a = ctx;

	if (!a)
		return;
	for (int i = 0; i < HAPD_MAX_APS; i++)
		evl_hapd_close(a->aps[i].conn);
	free(a);
}

static struct hapd_ap *hapd_ap_get(struct hapd_act *a, const char *ap)
{
	struct hapd_ap *free_slot = NULL;

	if (!ap || !*ap || strlen(ap) >= sizeof(a->aps[0].name) || strchr(ap, '/'))
		return NULL;
	for (int i = 0; i < HAPD_MAX_APS; i++) {
		if (!strcmp(a->aps[i].name, ap))
			return &a->aps[i];
		if (!free_slot && !a->aps[i].name[0])
			free_slot = &a->aps[i];
	}
	if (free_slot)
		strcpy(free_slot->name, ap);
	return free_slot;
}

/* One request to an AP's hostapd; reconnects once when the request never got out (hostapd
 * restarted), never after a timeout, so nothing is sent twice. */
static int hapd_ap_request(struct hapd_act *a, const char *ap, const char *cmd, char *reply,
			   size_t len)
{
	struct hapd_ap *s = hapd_ap_get(a, ap);
	char path[256];
	int r;

	if (!s)
		return -EINVAL;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!s->conn) {
			snprintf(path, sizeof(path), "%s/%s", a->ctrl_dir, s->name);
			s->conn = evl_hapd_open(path, a->local_dir, a->timeout_ms);
			if (!s->conn)
				return -errno;
		}
		r = evl_hapd_request(s->conn, cmd, reply, len);
		if (r != -ECONNREFUSED && r != -ENOTCONN && r != -ENOENT)
			return r;
		evl_hapd_close(s->conn);
		s->conn = NULL;
	}
	return r;
}

static int hapd_ap_command(struct hapd_act *a, const char *ap, const char *cmd)
{
	char reply[64];
	int r = hapd_ap_request(a, ap, cmd, reply, sizeof(reply));

	return r < 0 ? r : evl_hapd_reply_status(reply);
}

static int hapd_ap_status(struct hapd_act *a, const char *ap, struct evl_hapd_status *st)
{
	char reply[EVL_HAPD_REPLY_MAX];
	int r = hapd_ap_request(a, ap, "STATUS", reply, sizeof(reply));

	if (r < 0)
		return r;
	return evl_hapd_parse_status(reply, st, NULL);
}

static int hapd_get_conf(void *ctx, const char *ap, struct evl_ap_conf *out)
{
	struct hapd_act *a = ctx;
	struct evl_hapd_status st;
	struct hapd_ap *s;
	int r;

	if (!a || !out)
		return -EINVAL;
	r = hapd_ap_status(a, ap, &st);
	if (r)
		return r;
	s = hapd_ap_get(a, ap);
	memset(out, 0, sizeof(*out));
	out->band = st.band;
	out->channel = st.channel;
	out->bandwidth = st.bandwidth;
	out->tx_power = st.max_txpower;
	if (a->txpower && a->txpower->ops->get_conf) {
		struct evl_ap_conf pc;

		if (!a->txpower->ops->get_conf(a->txpower->ctx, ap, &pc))
			out->tx_power = pc.tx_power;
	}
	out->obss_pd = s ? s->obss_pd : 0;
	out->max_sta = s ? s->max_sta : 0;
	out->state = !strcmp(st.state, "DISABLED") || !strcmp(st.state, "UNINITIALIZED")
			     ? EVL_AP_DISABLED
			     : EVL_AP_UP;
	return 0;
}

static int hapd_switch_channel(void *ctx, const char *ap, const struct evl_chandef *to, bool radar)
{
	struct hapd_act *a = ctx;
	unsigned int modes = EVL_HAPD_HT | EVL_HAPD_VHT;
	struct evl_hapd_status st;
	char cmd[192];
	int r;

	if (!a || !to)
		return -EINVAL;
	/* A radar move must not wait for a STATUS round trip; otherwise announce what runs now. */
	if (!radar && !hapd_ap_status(a, ap, &st))
		modes = st.modes;
	r = evl_hapd_format_chan_switch(cmd, sizeof(cmd), radar ? a->radar_cs_count : a->cs_count,
					to, radar, modes);
	if (r < 0)
		return r;
	r = hapd_ap_command(a, ap, cmd);
	return r ? r : EVL_ACT_PENDING;
}

int evl_hapd_format_chanlist(char *buf, size_t len, const int *chans, int n)
{
	int off, i, j, r;

	if (!buf || n < 0 || (n && !chans))
		return -EINVAL;
	off = snprintf(buf, len, "SET chanlist ");
	for (i = 0; i < n; i = j + 1) {
		if (chans[i] < 1 || chans[i] > 255)
			return -EINVAL;
		for (j = i; j + 1 < n && chans[j + 1] == chans[j] + 1; j++)
			;
		if (j > i)
			r = snprintf(buf + off, off < (int)len ? len - off : 0, "%s%d-%d",
				     i ? " " : "", chans[i], chans[j]);
		else
			r = snprintf(buf + off, off < (int)len ? len - off : 0, "%s%d",
				     i ? " " : "", chans[i]);
		off += r;
	}
	return off < (int)len ? off : -ENOSPC;
}

static int hapd_set_radar_fallback(void *ctx, const char *ap, const int *chans, int n)
{
	struct hapd_act *a = ctx;
	char cmd[512];
	int r;

	if (!a)
		return -EINVAL;
	r = evl_hapd_format_chanlist(cmd, sizeof(cmd), chans, n);
	return r < 0 ? r : hapd_ap_command(a, ap, cmd);
}

static int hapd_set_tx_power(void *ctx, const char *ap, int dbm)
{
	struct hapd_act *a = ctx;

	if (!a)
		return -EINVAL;
	if (!a->txpower || !a->txpower->ops->set_tx_power)
		return -EOPNOTSUPP;
	return a->txpower->ops->set_tx_power(a->txpower->ctx, ap, dbm);
}

static int hapd_set_obss_pd(void *ctx, const char *ap, int dbm)
{
	struct hapd_act *a = ctx;
	struct hapd_ap *s;
	int ctrl = dbm ? SR_CTRL_NON_SRG_OFFSET : SR_CTRL_NON_SRG_DISALLOWED;
	int old_off, r;
	char cmd[80];

	if (!a || (dbm && (dbm < OBSS_PD_MIN || dbm > OBSS_PD_MAX)))
		return -EINVAL;
	s = hapd_ap_get(a, ap);
	if (!s)
		return -EINVAL;
	old_off = s->obss_pd ? s->obss_pd - OBSS_PD_MIN : 0;
	snprintf(cmd, sizeof(cmd), "SET he_spr_non_srg_obss_pd_max_offset %d",
		 dbm ? dbm - OBSS_PD_MIN : 0);
	r = hapd_ap_command(a, ap, cmd);
	if (r)
		return r;
	snprintf(cmd, sizeof(cmd), "SET he_spr_sr_control %d", ctrl);
	r = hapd_ap_command(a, ap, cmd);
	if (!r)
		r = hapd_ap_command(a, ap, "UPDATE_BEACON");
	if (r) { /* leave hostapd's configuration as it was */
		snprintf(cmd, sizeof(cmd), "SET he_spr_non_srg_obss_pd_max_offset %d", old_off);
		hapd_ap_command(a, ap, cmd);
		snprintf(cmd, sizeof(cmd), "SET he_spr_sr_control %d",
			 s->obss_pd ? SR_CTRL_NON_SRG_OFFSET : SR_CTRL_NON_SRG_DISALLOWED);
		hapd_ap_command(a, ap, cmd);
		return r;
	}
	s->obss_pd = dbm;
	return 0;
}

static int hapd_set_max_sta(void *ctx, const char *ap, int max_sta)
{
	struct hapd_act *a = ctx;
	struct hapd_ap *s;
	char cmd[48];
	int r;

	if (!a || max_sta < 0 || max_sta > HAPD_UNLIMITED_STA)
		return -EINVAL;
	s = hapd_ap_get(a, ap);
	if (!s)
		return -EINVAL;
	/* hostapd's 0 would admit nobody: "unlimited" is its maximum. */
	snprintf(cmd, sizeof(cmd), "SET max_num_sta %d", max_sta ? max_sta : HAPD_UNLIMITED_STA);
	r = hapd_ap_command(a, ap, cmd);
	if (!r)
		s->max_sta = max_sta;
	return r;
}

static int hapd_set_state(void *ctx, const char *ap, enum evl_ap_state state)
{
	struct hapd_act *a = ctx;
	struct evl_hapd_status st;
	int r;

	if (!a || (state != EVL_AP_UP && state != EVL_AP_DISABLED))
		return -EINVAL;
	r = hapd_ap_command(a, ap, state == EVL_AP_UP ? "ENABLE" : "DISABLE");
	if (r == -EIO && !hapd_ap_status(a, ap, &st)) {
		/* hostapd answers FAIL when the interface already is in that state */
		bool down = !strcmp(st.state, "DISABLED") || !strcmp(st.state, "UNINITIALIZED");

		if (down == (state == EVL_AP_DISABLED))
			return 0;
	}
	if (r || state == EVL_AP_DISABLED)
		return r; /* DISABLE is synchronous in hostapd */
	/* ENABLE on a DFS channel starts a CAC: confirmed later by AP-ENABLED. */
	r = hapd_ap_status(a, ap, &st);
	if (r)
		return EVL_ACT_PENDING;
	return !strcmp(st.state, "ENABLED") ? 0 : EVL_ACT_PENDING;
}

static int hapd_get_bss(void *ctx, const char *ap, struct evl_ap_bss *out)
{
	struct evl_hapd_status st;
	int r;

	if (!ctx || !out)
		return -EINVAL;
	r = hapd_ap_status(ctx, ap, &st);
	if (r)
		return r;
	if (!st.ssid[0] || !st.bssid[0])
		return -ENODATA;
	memcpy(out->ssid, st.ssid, sizeof(out->ssid));
	memcpy(out->bssid, st.bssid, sizeof(out->bssid));
	return 0;
}

/* A BSS_TM_REQ to each station (STA-FIRST / STA-NEXT): 0, or the first failure. */
static int hapd_bss_transition(void *ctx, const char *ap, const struct evl_bss_target *to)
{
	char cmd[256], reply[EVL_HAPD_REPLY_MAX], sta[18];
	unsigned char mac[6];
	int r, first = 0;

	if (!ctx || !to)
		return -EINVAL;
	r = hapd_ap_request(ctx, ap, "STA-FIRST", reply, sizeof(reply));
	for (int n = 0; r >= 0 && n < 2008 && parse_mac(reply, mac); n++) {
		memcpy(sta, reply, 17);
		sta[17] = 0;
		r = evl_hapd_format_bss_tm_req(cmd, sizeof(cmd), sta, to);
		if (r < 0)
			return r;
		r = hapd_ap_command(ctx, ap, cmd);
		if (r && !first)
			first = r;
		snprintf(cmd, sizeof(cmd), "STA-NEXT %s", sta);
		r = hapd_ap_request(ctx, ap, cmd, reply, sizeof(reply));
	}
	return r < 0 ? r : first; /* "FAIL" / empty: no (more) stations */
}

const struct evl_act_ops evl_act_hostapd_ops = {
	.name = "hostapd",
	.get_conf = hapd_get_conf,
	.switch_channel = hapd_switch_channel,
	.set_tx_power = hapd_set_tx_power,
	.set_obss_pd = hapd_set_obss_pd,
	.set_max_sta = hapd_set_max_sta,
	.set_state = hapd_set_state,
	.set_radar_fallback = hapd_set_radar_fallback,
	.get_bss = hapd_get_bss,
	.bss_transition = hapd_bss_transition,
	.destroy = hapd_act_destroy,
};
