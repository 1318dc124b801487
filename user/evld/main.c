// SPDX-License-Identifier: GPL-2.0
/*
 * evld: the evl daemon. One epoll loop (signalfd, one timerfd, control socket, BPF ring buffer,
 * nl80211 mlme monitor, hostapd event connections) around the decision core; CLOCK_BOOTTIME is
 * engine time. See README "Deployment" and `evld --help`.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include <evl/sys.h>

#include "daemon.h"

#define NS_PER_S  1000000000ull
#define NS_PER_MS 1000000ull

enum { TAG_SIGNAL = 1, TAG_TIMER, TAG_CTL, TAG_BPF, TAG_NL, TAG_HAPD };
#define TAG(kind, i) (((uint64_t)(kind) << 32) | (uint32_t)(i))

static int verbosity = EVLD_INFO;

void evld_log(int level, const char *mod, const char *fmt, ...)
{
	static const char *const pfx[] = {"error: ", "warning: ", "", ""};
	char buf[1024];
	va_list ap;

	if (level > verbosity)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s%s\n", mod, pfx[level], buf);
}

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

uint64_t evld_now(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

static int64_t wall_us(void *ctx, uint64_t mono_ns)
{
	const struct evld *d = ctx;

	return d->wall_base_us + (int64_t)(mono_ns / 1000);
}

static void usage(FILE *f)
{
	fprintf(f,
		"NAME\n"
		"    evld - evl daemon: radar and interference reaction, rollback, audit\n"
		"\n"
		"SYNOPSIS\n"
		"    evld -c FILE [-f] [-v] [--sim]\n"
		"\n"
		"OPTIONS\n"
		"    -c, --config FILE  configuration (default /etc/evl/evld.conf)\n"
		"    -f, --foreground   stay in the foreground (systemd); otherwise detach\n"
		"                       once start-up has succeeded\n"
		"    -v, --verbose      more log lines (debug)\n"
		"    --sim              every interface is a simulated AP (the `sim` actuator,\n"
		"                       start state from the config; sim0 5g ch52/80 when the\n"
		"                       config has none); no BPF, nl80211 or hostapd\n"
		"    -h, --help         this text\n"
		"\n"
		"SIGNALS\n"
		"    SIGHUP   reload the config (a bad file is reported, the old one kept)\n"
		"    SIGTERM  finish pending actions (at most 2 s), write daemon_stop, exit 0\n"
		"\n"
		"Logs go to stderr with a module prefix. Control: evlctl(1). Exit status: 0 clean\n"
		"stop, 1 start-up failed (reason on stderr), 2 usage.\n");
}

/* ---- records: log, count, mark state dirty, hand to the audit trail -------------------- */

static void count_reject(struct evld *d, const char *reason)
{
	unsigned int i;

	if (!reason)
		reason = "unknown";
	for (i = 0; i < d->n_rej; i++)
		if (!strcmp(d->rej_name[i], reason))
			break;
	if (i == d->n_rej) {
		if (d->n_rej == EVLD_MAX_REASONS)
			i--, reason = "other";
		else
			d->n_rej++;
		snprintf(d->rej_name[i], sizeof(d->rej_name[i]), "%s", reason);
		d->rej[i].label = d->rej_name[i];
	}
	d->rej[i].value++;
}

static void log_record(const struct evl_record *r)
{
	const struct evl_change *c = r->n_changes ? &r->changes[0] : NULL;
	const char *mod = r->event_type && !strcmp(r->event_type, "dfs_radar") ? "dfs" : "core";
	char ch[160] = "";
	size_t n = 0;

	for (unsigned int i = 0; i < r->n_changes; i++)
		n += snprintf(ch + n, sizeof(ch) - n, "%s%s %" PRId64 " -> %" PRId64,
			      i ? ", " : " ", r->changes[i].param, r->changes[i].old_value,
			      r->changes[i].new_value);
	switch (r->kind) {
	case EVL_REC_ACTION:
		evld_log(strcmp(r->status, "success") ? EVLD_WARN : EVLD_INFO, mod,
			 "%s: %s for %s %s:%s%s%s%s%s", r->ap, r->action_type, r->event_type,
			 r->status, ch, r->reason ? " reason " : "", r->reason ? r->reason : "",
			 r->token ? " token " : "", r->token ? r->token : "");
		if (r->detect_to_action_us >= 0)
			evld_log(EVLD_INFO, mod, "%s: detect -> action %" PRId64 " us", r->ap,
				 r->detect_to_action_us);
		break;
	case EVL_REC_REJECTED:
		evld_log(EVLD_INFO, "core", "%s: %s event %s rejected: %s", r->ap, r->event_type,
			 r->event_id, r->reason);
		break;
	case EVL_REC_ROLLBACK:
		evld_log(EVLD_INFO, "rollback", "%s: token %s %s (%s%s%s):%s", r->ap, r->token,
			 r->status, r->reason, r->metric ? ", metric " : "",
			 r->metric ? r->metric : "", ch);
		break;
	case EVL_REC_ROLLBACK_REFUSED:
	case EVL_REC_TOKEN_EXPIRED:
		evld_log(EVLD_INFO, "rollback", "%s: token %s %s: %s", r->ap, r->token,
			 r->kind == EVL_REC_TOKEN_EXPIRED ? "expired" : "refused", r->reason);
		break;
	default:
		evld_log(EVLD_DEBUG, "core", "record kind %d%s%s", r->kind, c ? " " : "",
			 c ? c->param : "");
		break;
	}
}

static int on_record(void *ctx, const struct evl_record *r)
{
	struct evld *d = ctx;

	log_record(r);
	d->dirty = true;
	if (r->kind == EVL_REC_ACTION) {
		if (!strcmp(r->status, "success"))
			d->act_ok++;
		else
			d->act_failed++;
		if (r->detect_to_action_us >= 0)
			evl_metrics_hist_add(&d->hist, (double)r->detect_to_action_us);
	} else if (r->kind == EVL_REC_REJECTED) {
		count_reject(d, r->reason);
	}
	return d->audit ? evl_audit_append(d->audit, r) : 0;
}

static void audit_daemon(struct evld *d, enum evl_rec_kind kind, const char *reason)
{
	struct evl_record r = {
		.kind = kind,
		.mono_ns = evld_now(),
		.source = "daemon",
		.reason = reason,
		.detect_to_action_us = -1,
	};
	int rc = evl_audit_append(d->audit, &r);

	if (rc)
		evld_log(EVLD_ERR, "audit", "%s record held in memory: %s",
			 kind == EVL_REC_DAEMON_START ? "daemon_start" : "daemon_stop",
			 strerror(-rc));
}

/* ---- the per-AP actuator router -------------------------------------------------------- */

static struct evld_iface *iface_by_name(struct evld *d, const char *name)
{
	for (unsigned int i = 0; i < d->n_if; i++)
		if (!strcmp(d->ifs[i].name, name))
			return &d->ifs[i];
	return NULL;
}

struct evld_iface *evld_iface_by_index(struct evld *d, int ifindex)
{
	for (unsigned int i = 0; ifindex > 0 && i < d->n_if; i++)
		if (d->ifs[i].ifindex == ifindex)
			return &d->ifs[i];
	return NULL;
}

#define ROUTE(op, ...)                                                                     \
	do {                                                                               \
		struct evld_iface *f = iface_by_name(ctx, ap);                             \
		int rc_;                                                                   \
		if (!f || !f->act.ops)                                                     \
			return -ENOENT;                                                    \
		if (!f->act.ops->op)                                                       \
			return -EOPNOTSUPP;                                                \
		rc_ = f->act.ops->op(f->act.ctx, ap, __VA_ARGS__);                         \
		if (rc_ < 0) /* the audit keeps a reason, the log the errno */             \
			evld_log(EVLD_WARN, "act", "%s: %s: %s", ap, #op, strerror(-rc_)); \
		return rc_;                                                                \
	} while (0)

static int mux_get_conf(void *ctx, const char *ap, struct evl_ap_conf *out)
{
	ROUTE(get_conf, out);
}

static int mux_switch(void *ctx, const char *ap, const struct evl_chandef *to, bool radar)
{
	ROUTE(switch_channel, to, radar);
}

static int mux_tx_power(void *ctx, const char *ap, int dbm)
{
	ROUTE(set_tx_power, dbm);
}

static int mux_obss_pd(void *ctx, const char *ap, int dbm)
{
	ROUTE(set_obss_pd, dbm);
}

static int mux_max_sta(void *ctx, const char *ap, int n)
{
	ROUTE(set_max_sta, n);
}

static int mux_state(void *ctx, const char *ap, enum evl_ap_state st)
{
	ROUTE(set_state, st);
}

/* "36 40 44 48" for the log. */
static void chan_words(char *buf, size_t len, const int *chans, int n)
{
	size_t off = 0;

	buf[0] = 0;
	for (int i = 0; i < n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%d", i ? " " : "", chans[i]);
	if (!n)
		snprintf(buf, len, "every channel");
}

static int mux_radar_fallback(void *ctx, const char *ap, const int *chans, int n)
{
	struct evld_iface *f = iface_by_name(ctx, ap);
	char list[256];
	int rc;

	if (!f || !f->act.ops)
		return -ENOENT;
	if (!f->act.ops->set_radar_fallback)
		return -EOPNOTSUPP;
	rc = f->act.ops->set_radar_fallback(f->act.ctx, ap, chans, n);
	chan_words(list, sizeof(list), chans, n);
	if (rc)
		evld_log(EVLD_WARN, "dfs", "%s: radar fallback not armed (%s): %s", ap, list,
			 strerror(-rc));
	else
		evld_log(EVLD_INFO, "dfs", "%s: radar fallback armed: %s", ap, list);
	return rc;
}

static const struct evl_act_ops mux_ops = {
	.name = "evld",
	.get_conf = mux_get_conf,
	.switch_channel = mux_switch,
	.set_tx_power = mux_tx_power,
	.set_obss_pd = mux_obss_pd,
	.set_max_sta = mux_max_sta,
	.set_state = mux_state,
	.set_radar_fallback = mux_radar_fallback,
};

/* ---- events into the engine ------------------------------------------------------------ */

enum evl_severity evld_default_severity(enum evl_event_type t)
{
	static const enum evl_severity sev[EVL_EV_TYPE_MAX] = {
		[EVL_EV_DFS_RADAR] = EVL_SEV_CRITICAL,	[EVL_EV_NON_WIFI_BURST] = EVL_SEV_HIGH,
		[EVL_EV_SPECTRUM_SAT] = EVL_SEV_HIGH,	[EVL_EV_DENSITY_SPIKE] = EVL_SEV_MEDIUM,
		[EVL_EV_HW_FAILURE] = EVL_SEV_CRITICAL, [EVL_EV_PER_SPIKE] = EVL_SEV_MEDIUM,
		[EVL_EV_RETRY_SPIKE] = EVL_SEV_MEDIUM,
	};

	return (unsigned int)t < EVL_EV_TYPE_MAX ? sev[t] : EVL_SEV_LOW;
}

/* Queue an event and run the engine at once (a radar must not wait for the next wake-up). */
static int submit(struct evld *d, enum evl_event_type type, const char *ap, int channel,
		  double confidence, enum evl_severity sev, uint64_t detect_ns, const char *source,
		  bool ended)
{
	struct evl_event ev = {
		.type = type,
		.severity = sev,
		.confidence = confidence,
		.channel = channel,
		.detect_ns = detect_ns,
		.source = source,
		.ended = ended,
	};
	struct evl_ap_info info;
	uint64_t now = evld_now();
	int rc;

	snprintf(ev.id, sizeof(ev.id), "%s-%" PRIu64, source, ++d->seq);
	snprintf(ev.ap, sizeof(ev.ap), "%s", ap);
	ev.radio = evl_engine_ap(d->e, ap, &info) ? EVL_BAND_5G : info.conf.band;
	ev.ts_ns = now;
	if (detect_ns > now)
		ev.detect_ns = now; /* clocks converted a hair into the future */
	if ((unsigned int)type < EVL_EV_TYPE_MAX)
		d->ev_by_type[type]++;
	evld_log(EVLD_DEBUG, "core", "%s: %s event %s from %s (channel %d, confidence %.2f)", ap,
		 evl_event_type_name(type), ev.id, source, channel, confidence);
	rc = evl_engine_submit(d->e, &ev, now);
	evl_engine_tick(d->e, evld_now());
	d->dirty = true;
	return rc;
}

int evld_submit(struct evld *d, enum evl_event_type type, const char *ap, int channel,
		double confidence, enum evl_severity sev, uint64_t detect_ns, const char *source)
{
	return submit(d, type, ap, channel, confidence, sev, detect_ns, source, false);
}

int evld_submit_density(struct evld *d, const char *ap, bool ended, uint64_t detect_ns)
{
	return submit(d, EVL_EV_DENSITY_SPIKE, ap, 0, 1.0, EVL_SEV_MEDIUM, detect_ns, "ebpf",
		      ended);
}

static bool ap_conf(struct evld *d, const char *ap, struct evl_ap_conf *out)
{
	struct evl_ap_info info;

	if (evl_engine_ap(d->e, ap, &info))
		return false;
	*out = info.conf;
	return true;
}

static bool block_has_dfs(struct evld *d, const struct evl_ap_conf *c)
{
	int sub[EVL_BLOCK_MAX];
	int n = evl_chan_block(d->core.country, c->band, c->channel, c->bandwidth, sub);

	if (n <= 0)
		return evl_chan_is_dfs(c->band, c->channel);
	for (int i = 0; i < n; i++)
		if (evl_chan_is_dfs(c->band, sub[i]))
			return true;
	return false;
}

void evld_on_radar(struct evld *d, int wiphy_idx, const char *wiphy_name, int freq,
		   uint64_t detect_ns, const char *source)
{
	uint64_t now = evld_now();
	enum evl_band band;
	int ch = freq > 0 ? evl_chan_from_freq(freq, &band) : 0;

	for (unsigned int i = 0; i < d->n_if; i++) {
		struct evld_iface *f = &d->ifs[i];
		struct evl_ap_conf c;

		if (f->kind == EVL_CONFIG_ACT_SIM)
			continue;
		if (!(wiphy_idx >= 0 && f->wiphy_idx == wiphy_idx) &&
		    !(wiphy_name && *wiphy_name && !strcmp(wiphy_name, f->wiphy)))
			continue;
		if (f->radar_ns && now - f->radar_ns < 2 * NS_PER_S) {
			evld_log(EVLD_DEBUG, "dfs", "%s: radar also reported by %s", f->name,
				 source);
			continue;
		}
		if (!ap_conf(d, f->name, &c) || (ch <= 0 && !block_has_dfs(d, &c)))
			continue; /* no DFS channel in use: the radar is not ours to act on */
		f->radar_ns = now;
		evld_log(EVLD_INFO, "dfs", "%s: radar on %s (from %s, %s%d MHz)", f->name,
			 *f->wiphy ? f->wiphy : "its wiphy", source,
			 freq ? "" : "channel unknown, ", freq);
		evld_submit(d, EVL_EV_DFS_RADAR, f->name, ch > 0 ? ch : c.channel, 1.0,
			    EVL_SEV_CRITICAL, detect_ns, source);
	}
}

/* A switch finished or the AP came up: it settles our pending action, or else the radio moved
 * without us (hostapd's own DFS move, an operator) and the engine re-reads where it is now. */
static void settle(struct evld *d, struct evld_iface *f, bool ok)
{
	struct evl_ap_conf was, now;

	if (!evl_engine_confirm(d->e, f->name, ok, evld_now())) {
		d->dirty = true;
		return;
	}
	if (!ap_conf(d, f->name, &was) || evl_engine_refresh(d->e, f->name) ||
	    !ap_conf(d, f->name, &now))
		return;
	if (was.channel != now.channel || was.bandwidth != now.bandwidth ||
	    was.state != now.state) {
		evld_log(EVLD_INFO, "evld",
			 "%s: radio now on channel %d/%d MHz, %s (not our change)", f->name,
			 now.channel, now.bandwidth,
			 now.state == EVL_AP_DISABLED ? "disabled" : "up");
		d->dirty = true;
	}
}

void evld_on_switch_done(struct evld *d, int ifindex, int freq, const char *source)
{
	struct evld_iface *f = evld_iface_by_index(d, ifindex);

	if (!f)
		return;
	evld_log(EVLD_INFO, "dfs", "%s: channel switch to %d MHz done (%s)", f->name, freq, source);
	settle(d, f, true);
}

void evld_on_survey(struct evld *d, unsigned int i, double busy, bool burst, bool sat)
{
	struct evld_iface *f = &d->ifs[i];
	uint64_t now = evld_now();
	struct evl_ap_conf c;
	int ch = ap_conf(d, f->name, &c) ? c.channel : 0;

	f->m.busy = busy;
	/* Edge-triggered, and again every minute while it lasts. */
	if (burst && (!f->burst || now - f->burst_ns >= 60 * NS_PER_S)) {
		f->burst_ns = now;
		evld_submit(d, EVL_EV_NON_WIFI_BURST, f->name, ch, 1.0, EVL_SEV_HIGH, 0, "nl80211");
	}
	if (sat && (!f->sat || now - f->sat_ns >= 60 * NS_PER_S)) {
		f->sat_ns = now;
		evld_submit(d, EVL_EV_SPECTRUM_SAT, f->name, ch, 1.0, EVL_SEV_HIGH, 0, "nl80211");
	}
	f->burst = burst;
	f->sat = sat;
}

void evld_on_link(struct evld *d, unsigned int i, double per, double retry, double tput_mbps,
		  double disc_per_min, unsigned int n_sta)
{
	struct evld_iface *f = &d->ifs[i];
	struct evl_metrics m = {
		.per = per,
		.retry = retry,
		.throughput_mbps = tput_mbps,
		.disconnects_per_min = disc_per_min,
		.clients = (int)n_sta,
	};

	f->m.per = per;
	f->m.retry = retry;
	f->m.stations = n_sta;
	if (!n_sta && disc_per_min <= 0)
		return; /* nobody associated: nothing to compare */
	if (!evl_engine_metrics(d->e, f->name, &m, evld_now()))
		d->dirty = true;
}

void evld_on_dfs_state(struct evld *d, unsigned int i, int channel, enum evld_dfs st)
{
	static const enum evl_dfs_state map[] = {
		[EVLD_DFS_USABLE] = EVL_DFS_USABLE,
		[EVLD_DFS_AVAILABLE] = EVL_DFS_AVAILABLE,
		[EVLD_DFS_UNAVAILABLE] = EVL_DFS_UNAVAILABLE,
	};

	evl_engine_dfs_state(d->e, d->ifs[i].name, channel, map[st]);
}

/* ---- hostapd event connections ---------------------------------------------------------- */

static void hapd_connect(struct evld *d, struct evld_iface *f, uint64_t now)
{
	char path[PATH_MAX + EVL_CONFIG_IFNAME_MAX + 2];
	struct epoll_event ev = {.events = EPOLLIN};

	snprintf(path, sizeof(path), "%s/%s", d->cfg.hostapd_ctrl_dir, f->name);
	f->mon = evl_hapd_monitor_open(path, NULL, 1000);
	if (!f->mon) {
		if (!f->mon_retry_ns)
			evld_log(EVLD_WARN, "hostapd",
				 "%s: no event connection to %s: %s (retrying)", f->name, path,
				 strerror(errno));
		f->mon_retry_ns = now + 5 * NS_PER_S;
		return;
	}
	ev.data.u64 = TAG(TAG_HAPD, f - d->ifs);
	if (epoll_ctl(d->ep, EPOLL_CTL_ADD, evl_hapd_fd(f->mon), &ev)) {
		evl_hapd_close(f->mon);
		f->mon = NULL;
		f->mon_retry_ns = now + 5 * NS_PER_S;
		return;
	}
	f->mon_retry_ns = now + 5 * NS_PER_S; /* attached: the next liveness ping */
	evld_log(EVLD_INFO, "hostapd", "%s: attached to %s", f->name, path);
	evl_engine_rearm(d->e, f->name); /* a restarted hostapd has its config file's chanlist */
}

/* On stop: hand each hostapd its configured chanlist back (evld.conf `chanlist`). */
static void restore_fallback(struct evld *d)
{
	char list[1024];
	int chans[255], n, rc;

	for (unsigned int i = 0; i < d->n_if; i++) {
		const struct evld_iface *f = &d->ifs[i];
		const struct evl_config_iface *ci = evl_config_iface_find(&d->cfg, f->name);

		if (f->kind != EVL_CONFIG_ACT_HOSTAPD || !ci || !f->act.ops->set_radar_fallback)
			continue;
		n = evl_config_chanlist(ci, chans);
		chan_words(list, sizeof(list), chans, n);
		rc = f->act.ops->set_radar_fallback(f->act.ctx, f->name, chans, n);
		if (rc)
			evld_log(EVLD_WARN, "dfs", "%s: chanlist not restored (%s): %s", f->name,
				 list, strerror(-rc));
		else
			evld_log(EVLD_INFO, "dfs", "%s: chanlist restored: %s", f->name, list);
	}
}

static void hapd_lost(struct evld *d, struct evld_iface *f, int rc)
{
	evld_log(EVLD_WARN, "hostapd", "%s: event connection lost (%s), reconnecting", f->name,
		 strerror(-rc));
	epoll_ctl(d->ep, EPOLL_CTL_DEL, evl_hapd_fd(f->mon), NULL);
	evl_hapd_close(f->mon);
	f->mon = NULL;
	f->mon_retry_ns = evld_now() + NS_PER_S;
}

static void hapd_events(struct evld *d, struct evld_iface *f)
{
	struct evl_hapd_event ev;
	int rc;

	while (f->mon && !(rc = evl_hapd_monitor_read(f->mon, &ev))) {
		evld_log(EVLD_DEBUG, "hostapd", "%s: %s freq=%d", f->name, ev.name, ev.freq);
		switch (ev.type) {
		case EVL_HAPD_EV_CSA_FINISHED:
			evld_log(ev.success == 0 ? EVLD_WARN : EVLD_INFO, "dfs",
				 "%s: channel switch to %d MHz %s (hostapd)", f->name, ev.freq,
				 ev.success == 0 ? "failed" : "done");
			settle(d, f, ev.success != 0);
			break;
		case EVL_HAPD_EV_AP_ENABLED:
			settle(d, f, true);
			break;
		case EVL_HAPD_EV_RADAR:
			evld_on_radar(d, f->wiphy_idx, f->wiphy, ev.freq, 0, "hostapd");
			break;
		case EVL_HAPD_EV_NEW_CHANNEL:
			evld_log(EVLD_WARN, "dfs", "%s: hostapd chose channel %d itself", f->name,
				 ev.channel);
			break;
		default:
			break;
		}
	}
	if (f->mon && rc != -EAGAIN)
		hapd_lost(d, f, rc);
}

/* Every 5 s: is hostapd still there? (hostapd_cli pings the same way.) */
static void hapd_ping(struct evld *d, struct evld_iface *f, uint64_t now)
{
	int rc = evl_hapd_monitor_ping(f->mon);

	if (rc)
		hapd_lost(d, f, rc);
	else
		f->mon_retry_ns = now + 5 * NS_PER_S;
}

/* ---- state file: {"boot_id", "engine", "sim"} ------------------------------------------- */

static void state_path(const struct evld *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s/state.json", d->cfg.state_dir);
}

static void read_boot_id(struct evld *d)
{
	char *b = NULL;
	size_t n = 0;

	if (!evl_sys_read_file("/proc/sys/kernel/random/boot_id", 64, &b, &n)) {
		b[strcspn(b, "\n")] = 0;
		snprintf(d->boot_id, sizeof(d->boot_id), "%s", b);
	}
	free(b);
}

static int save_state(struct evld *d)
{
	char path[PATH_MAX + 16], *eng = evl_engine_save_state(d->e);
	json_object *o, *sim;
	const char *txt;
	int rc;

	if (!eng)
		return -errno;
	o = json_object_new_object();
	json_object_object_add(o, "boot_id", json_object_new_string(d->boot_id));
	json_object_object_add(o, "engine", json_tokener_parse(eng));
	free(eng);
	sim = json_object_new_object();
	for (unsigned int i = 0; d->simact && i < d->n_if; i++) {
		struct evl_ap_conf c;
		json_object *a;

		if (d->ifs[i].kind != EVL_CONFIG_ACT_SIM ||
		    evl_sim_get(d->simact, d->ifs[i].name, &c))
			continue;
		a = json_object_new_object();
		json_object_object_add(a, "band", json_object_new_int(c.band));
		json_object_object_add(a, "channel", json_object_new_int(c.channel));
		json_object_object_add(a, "bandwidth", json_object_new_int(c.bandwidth));
		json_object_object_add(a, "tx_power", json_object_new_int(c.tx_power));
		json_object_object_add(a, "obss_pd", json_object_new_int(c.obss_pd));
		json_object_object_add(a, "max_sta", json_object_new_int(c.max_sta));
		json_object_object_add(a, "state", json_object_new_int(c.state));
		json_object_object_add(sim, d->ifs[i].name, a);
	}
	json_object_object_add(o, "sim", sim);
	txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (d->saved && !strcmp(d->saved, txt)) {
		json_object_put(o);
		return 0;
	}
	state_path(d, path, sizeof(path));
	rc = evl_sys_write_atomic(path, txt, strlen(txt), 0600);
	if (!rc) {
		free(d->saved);
		d->saved = strdup(txt);
	}
	json_object_put(o);
	return rc;
}

/* Make every change so far durable (before a control reply acknowledges it). */
void evld_state_sync(struct evld *d)
{
	int rc;

	if (!d->dirty)
		return;
	rc = save_state(d);
	if (rc)
		evld_log(EVLD_ERR, "state", "cannot save %s/state.json: %s", d->cfg.state_dir,
			 strerror(-rc));
	else
		d->dirty = false;
}

/* A saved sim radio's settings (the simulated radios keep them across restarts, as real
 * ones do). false when the state has none or they do not make sense. */
static bool sim_saved_conf(json_object *root, const char *name, struct evl_ap_conf *c)
{
	json_object *sim, *a, *v;
	int64_t x[7];
	static const char *const k[7] = {"band",    "channel", "bandwidth", "tx_power",
					 "obss_pd", "max_sta", "state"};

	if (!root || !json_object_object_get_ex(root, "sim", &sim) ||
	    !json_object_object_get_ex(sim, name, &a))
		return false;
	for (int i = 0; i < 7; i++) {
		if (!json_object_object_get_ex(a, k[i], &v) ||
		    !json_object_is_type(v, json_type_int))
			return false;
		x[i] = json_object_get_int64(v);
	}
	if (x[0] < EVL_BAND_2G || x[0] > EVL_BAND_6G || x[6] < EVL_AP_UP ||
	    x[6] > EVL_AP_DISABLED || evl_chan_to_freq((enum evl_band)x[0], (int)x[1]) < 0 ||
	    (x[2] != 20 && x[2] != 40 && x[2] != 80 && x[2] != 160) || x[3] < 0 || x[3] > 40 ||
	    x[4] < -82 || x[4] > 0 || x[5] < 0 || x[5] > 2007)
		return false;
	*c = (struct evl_ap_conf){
		.band = (enum evl_band)x[0],
		.channel = (int)x[1],
		.bandwidth = (int)x[2],
		.tx_power = (int)x[3],
		.obss_pd = (int)x[4],
		.max_sta = (int)x[5],
		.state = (enum evl_ap_state)x[6],
	};
	return true;
}

static void set_aside(struct evld *d, const char *why)
{
	char path[PATH_MAX + 16], aside[PATH_MAX + 64];
	int rc;

	state_path(d, path, sizeof(path));
	rc = evl_sys_move_aside(path, aside, sizeof(aside));
	if (rc)
		evld_log(EVLD_ERR, "state", "%s: %s; cannot move it aside: %s", path, why,
			 strerror(-rc));
	else
		evld_log(EVLD_ERR, "state", "%s: %s; moved aside to %s, starting without it", path,
			 why, aside);
}

/* Read state.json: the parsed object, or NULL (none, or unusable and moved aside). */
static json_object *state_read(struct evld *d)
{
	char path[PATH_MAX + 16], *buf = NULL;
	json_object *root, *v, *eng;
	size_t len;
	int rc;

	state_path(d, path, sizeof(path));
	rc = evl_sys_read_file(path, 64 << 20, &buf, &len);
	if (rc == -ENOENT)
		return NULL;
	if (rc) {
		evld_log(EVLD_ERR, "state", "%s: %s", path, strerror(-rc));
		if (rc == -EFBIG)
			set_aside(d, "too large");
		return NULL;
	}
	root = json_tokener_parse(buf);
	free(buf);
	if (!root || !json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "engine", &eng) ||
	    !json_object_is_type(eng, json_type_object)) {
		json_object_put(root);
		set_aside(d, "not a state file (malformed JSON or no \"engine\" object)");
		return NULL;
	}
	if (!json_object_object_get_ex(root, "boot_id", &v) ||
	    strcmp(json_object_get_string(v), d->boot_id)) {
		json_object_put(root);
		/* engine times are CLOCK_BOOTTIME: meaningless after a reboot */
		set_aside(d, "written before the last reboot (its times are void)");
		return NULL;
	}
	return root;
}

/* Give the engine its saved tokens, NOP list and baselines; a file it refuses goes aside. */
static void state_apply(struct evld *d, json_object *root)
{
	json_object *eng;
	int rc;

	if (!root || !json_object_object_get_ex(root, "engine", &eng))
		return;
	rc = evl_engine_load_state(d->e,
				   json_object_to_json_string_ext(eng, JSON_C_TO_STRING_PLAIN));
	if (rc < 0) {
		set_aside(d, "the engine refused it");
		return;
	}
	{
		struct evl_stats st;

		evl_engine_stats(d->e, &st);
		evld_log(EVLD_INFO, "state", "restored %" PRIu64 " token(s)%s", st.tokens_active,
			 rc ? " (entries of unknown interfaces skipped)" : "");
	}
}

/* ---- interfaces and back ends ----------------------------------------------------------- */

static void read_sysfs(const char *ifname, const char *leaf, char *out, size_t len)
{
	char path[128], *b = NULL;
	size_t n;

	out[0] = 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/phy80211/%s", ifname, leaf);
	if (!evl_sys_read_file(path, 64, &b, &n)) {
		b[strcspn(b, "\n")] = 0;
		snprintf(out, len, "%s", b);
	}
	free(b);
}

/* The one sim / hostapd / nl80211 back end, created when the first interface needs it. */
static int backend(struct evld *d, struct evld_iface *f, json_object *state,
		   const struct evl_config_iface *ci)
{
	if (f->kind == EVL_CONFIG_ACT_SIM) {
		struct evl_ap_conf c = {
			.band = ci->band,
			.channel = ci->channel,
			.bandwidth = ci->bandwidth,
			.tx_power = ci->tx_power,
		};

		if (!d->simact && !(d->simact = evl_sim_new()))
			return -ENOMEM;
		if (sim_saved_conf(state, f->name, &c))
			evld_log(EVLD_INFO, "sim", "%s: radio settings from the state file",
				 f->name);
		f->act = evl_sim_actuator(d->simact);
		return evl_sim_add_ap(d->simact, f->name, &c);
	}
	if (!d->nlact) {
		d->nlact = evld_radio_act_new(&d->cfg);
		if (d->nlact)
			d->nl_actuator = (struct evl_actuator){evld_radio_act_ops(), d->nlact};
		else
			evld_log(EVLD_WARN, "nl80211", "not available (%s): no TX power control",
				 strerror(errno));
	}
	if (f->kind == EVL_CONFIG_ACT_NL80211) {
		if (!d->nlact)
			return -ENOENT;
		f->act = d->nl_actuator;
		return 0;
	}
	if (!d->hapd) {
		struct evl_hapd_opts o = {
			.ctrl_dir = d->cfg.hostapd_ctrl_dir,
			.cs_count = (int)d->cfg.cs_count,
			.radar_cs_count = (int)d->cfg.radar_cs_count,
			.txpower = d->nlact ? &d->nl_actuator : NULL,
		};

		if (!(d->hapd = evl_act_hostapd_new(&o)))
			return -errno;
	}
	f->act = (struct evl_actuator){&evl_act_hostapd_ops, d->hapd};
	return 0;
}

static int setup_ifaces(struct evld *d, json_object *state)
{
	for (unsigned int i = 0; i < d->cfg.n_ifaces; i++) {
		const struct evl_config_iface *ci = &d->cfg.ifaces[i];
		struct evld_iface *f = &d->ifs[d->n_if++];
		char idx[16];
		int rc;

		memcpy(f->name, ci->name, sizeof(f->name));
		f->kind = d->sim ? EVL_CONFIG_ACT_SIM : ci->actuator;
		f->wiphy_idx = -1;
		f->m.name = f->name;
		if (f->kind != EVL_CONFIG_ACT_SIM) {
			f->ifindex = (int)if_nametoindex(f->name);
			if (!f->ifindex)
				evld_log(EVLD_WARN, "evld", "%s: no such network interface (yet)",
					 f->name);
			read_sysfs(f->name, "name", f->wiphy, sizeof(f->wiphy));
			read_sysfs(f->name, "index", idx, sizeof(idx));
			if (*idx)
				f->wiphy_idx = atoi(idx);
		}
		rc = backend(d, f, state, ci);
		if (rc) {
			evld_log(EVLD_ERR, "evld", "%s: %s back end: %s", f->name,
				 evl_config_actuator_name(f->kind), strerror(-rc));
			return rc;
		}
		evld_log(EVLD_INFO, "evld", "%s: %s%s%s", f->name,
			 evl_config_actuator_name(f->kind), *f->wiphy ? " on " : "", f->wiphy);
	}
	return 0;
}

/* Add every AP to an engine with the configuration its radio has now. */
static int engine_add_aps(struct evld *d, struct evl_engine *e)
{
	for (unsigned int i = 0; i < d->n_if; i++) {
		struct evld_iface *f = &d->ifs[i];
		struct evl_ap_conf c;
		int rc = -EAGAIN;

		/* hostapd may still be starting: give it a few seconds */
		for (int t = 0; t < 25 && rc; t++) {
			rc = f->act.ops->get_conf(f->act.ctx, f->name, &c);
			if (rc && f->kind == EVL_CONFIG_ACT_HOSTAPD && t < 24)
				usleep(200000);
			else
				break;
		}
		if (rc) {
			evld_log(EVLD_ERR, "evld", "%s: cannot read the radio's configuration: %s",
				 f->name, strerror(-rc));
			return rc;
		}
		rc = evl_engine_add_ap(e, f->name, &c);
		if (rc) {
			evld_log(EVLD_ERR, "evld", "%s: engine refused it: %s", f->name,
				 strerror(-rc));
			return rc;
		}
		f->m.channel = c.channel;
	}
	return 0;
}

static uint64_t seed64(void)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s))
		s = evld_now() ^ (uint64_t)getpid();
	return s;
}

static struct evl_engine *engine_new(struct evld *d)
{
	struct evl_record_sink sink = {on_record, d};
	struct evl_engine *e = evl_engine_new(&d->core, d->mux, sink, seed64());

	if (!e) {
		evld_log(EVLD_ERR, "core", "cannot create the engine: %s", strerror(errno));
		return NULL;
	}
	if (engine_add_aps(d, e)) {
		evl_engine_free(e);
		return NULL;
	}
	return e;
}

/* ---- configuration ---------------------------------------------------------------------- */

static int core_set(void *ctx, const char *key, const char *value)
{
	return evl_core_config_set(ctx, key, value);
}

static int load_config(const struct evld *d, struct evl_config *cfg, struct evl_core_config *core,
		       char *err, size_t errlen)
{
	struct evl_config_keys keys = {core_set, evl_core_config_expect, core};
	int rc;

	evl_core_config_init(core);
	rc = evl_config_load(d->conf_path, &keys, cfg, err, errlen);
	if (rc)
		return rc;
	if (!cfg->n_ifaces && d->sim) { /* the embedded default of a machine without Wi-Fi */
		struct evl_config_iface *f = &cfg->ifaces[cfg->n_ifaces++];

		*f = (struct evl_config_iface){.name = "sim0",
					       .actuator = EVL_CONFIG_ACT_SIM,
					       .band = EVL_BAND_5G,
					       .channel = 52,
					       .bandwidth = 80,
					       .tx_power = 23};
	}
	if (!cfg->n_ifaces) {
		snprintf(err, errlen, "%s: no interface= configured (or run with --sim)",
			 d->conf_path);
		return -EINVAL;
	}
	return 0;
}

/* Keys that only a restart can apply: the name of the first one that differs, or NULL. */
static const char *restart_key(const struct evl_config *a, const struct evl_config *b)
{
#define DIFF(f) (strcmp(a->f, b->f) ? #f : NULL)
	const char *k;

	if (a->n_ifaces != b->n_ifaces)
		return "interface";
	for (unsigned int i = 0; i < a->n_ifaces; i++)
		if (strcmp(a->ifaces[i].name, b->ifaces[i].name) ||
		    a->ifaces[i].actuator != b->ifaces[i].actuator)
			return "interface";
	if ((k = DIFF(hostapd_ctrl_dir)) || (k = DIFF(audit_dir)) || (k = DIFF(audit_key_file)) ||
	    (k = DIFF(site_secret_file)) || (k = DIFF(state_dir)) || (k = DIFF(ctl_socket)) ||
	    (k = DIFF(ctl_socket_group)) || (k = DIFF(bpf_pin_dir)) || (k = DIFF(user)))
		return k;
	if (a->durability != b->durability || a->audit_sync_every != b->audit_sync_every)
		return "audit_durability";
	if (a->ctl_socket_mode != b->ctl_socket_mode)
		return "ctl_socket_mode";
	if (a->cs_count != b->cs_count)
		return "cs_count";
	if (a->radar_cs_count != b->radar_cs_count)
		return "radar_cs_count";
	return NULL;
#undef DIFF
}

/*
 * Re-read the config file: all or nothing. Poll intervals, the metrics file and the core's
 * tunables apply at once; the engine keeps all its state. Keys fixed at start-up are refused
 * by name.
 */
int evld_reload(struct evld *d, char *err, size_t errlen)
{
	struct evl_config cfg;
	struct evl_core_config core;
	const char *k;
	int rc;

	rc = load_config(d, &cfg, &core, err, errlen);
	if (rc)
		return rc;
	if ((k = restart_key(&d->cfg, &cfg))) {
		snprintf(err, errlen, "%s: %s changed: only a restart applies it; nothing changed",
			 d->conf_path, k);
		return -EINVAL;
	}
	core.unix_base_s = d->core.unix_base_s;
	d->core = core;
	evl_engine_set_config(d->e, &core);
	d->cfg = cfg;
	d->next_survey = d->next_sta = d->next_metrics = 0;
	evld_log(EVLD_INFO, "evld", "configuration reloaded from %s", d->conf_path);
	return 0;
}

/* ---- metrics textfile ------------------------------------------------------------------- */

static void write_metrics(struct evld *d)
{
	struct evl_metrics_count ev[EVL_EV_TYPE_MAX],
		act[2] = {{"success", d->act_ok}, {"failed", d->act_failed}};
	struct evl_metrics_iface ifs[EVL_CONFIG_MAX_IFACES];
	struct evl_ap_info info[EVL_CONFIG_MAX_IFACES];
	size_t n_ap = evl_engine_aps(d->e, info, EVL_CONFIG_MAX_IFACES);
	struct evl_audit_stats as = {0};
	struct evl_ctl_stats cs = {0};
	struct evl_stats st;
	struct evl_metrics_snapshot m;
	int rc;

	if (!d->cfg.metrics_file[0])
		return;
	if (!d->prom && !(d->prom = evl_prom_new()))
		return;
	evl_engine_stats(d->e, &st);
	for (int t = 0; t < EVL_EV_TYPE_MAX; t++)
		ev[t] = (struct evl_metrics_count){evl_event_type_name(t), d->ev_by_type[t]};
	for (unsigned int i = 0; i < d->n_if; i++) {
		ifs[i] = d->ifs[i].m;
		for (size_t k = 0; k < n_ap && k < EVL_CONFIG_MAX_IFACES; k++)
			if (!strcmp(info[k].id, d->ifs[i].name))
				ifs[i].channel = info[k].conf.channel;
	}
	evl_audit_get_stats(d->audit, &as);
	evl_ctl_server_stats(d->ctl, &cs);
	m = (struct evl_metrics_snapshot){
		.events = ev,
		.n_events = EVL_EV_TYPE_MAX,
		.actions = act,
		.n_actions = 2,
		.rejected = d->rej,
		.n_rejected = d->n_rej,
		.rollbacks_automatic = st.rollbacks_automatic,
		.rollbacks_manual = st.rollbacks_manual,
		.active_tokens = st.tokens_active,
		.nop_channels = evl_engine_nop(d->e, NULL, 0),
		.ringbuf_drops = evld_bpf_drops(d),
		.audit_write_errors = as.write_errors,
		.audit_pending = as.pending,
		.ctl_requests = cs.requests,
		.detect_to_action = d->hist,
		.ifaces = ifs,
		.n_ifaces = d->n_if,
		.start_time_s = d->start_wall_s,
	};
	evl_prom_reset(d->prom);
	rc = evl_metrics_render(d->prom, &m);
	if (!rc)
		rc = evl_prom_write(d->prom, d->cfg.metrics_file);
	if (rc)
		evld_log(EVLD_WARN, "metrics", "%s: %s", d->cfg.metrics_file, strerror(-rc));
}

/* ---- the loop --------------------------------------------------------------------------- */

static void polls(struct evld *d, uint64_t now)
{
	bool survey = d->radio && now >= d->next_survey, sta = d->radio && now >= d->next_sta;
	bool wiphy = d->radio && now >= d->next_wiphy;

	for (unsigned int i = 0; i < d->n_if; i++) {
		struct evld_iface *f = &d->ifs[i];
		int rc = 0;

		if (f->kind == EVL_CONFIG_ACT_HOSTAPD && now >= f->mon_retry_ns) {
			if (f->mon)
				hapd_ping(d, f, now);
			else
				hapd_connect(d, f, now);
		}
		if (f->kind == EVL_CONFIG_ACT_SIM || f->ifindex <= 0)
			continue;
		if (survey && (rc = evld_radio_survey(d->radio, d, i, f->ifindex)))
			evld_log(EVLD_DEBUG, "nl80211", "%s: survey: %s", f->name, strerror(-rc));
		if (sta && (rc = evld_radio_stations(d->radio, d, i, f->ifindex, now)))
			evld_log(EVLD_DEBUG, "nl80211", "%s: stations: %s", f->name, strerror(-rc));
		if (wiphy && f->wiphy_idx >= 0 &&
		    (rc = evld_radio_channels(d->radio, d, i, f->wiphy_idx)))
			evld_log(EVLD_DEBUG, "nl80211", "%s: channels: %s", f->name, strerror(-rc));
	}
	if (survey)
		d->next_survey = now + d->cfg.survey_interval_ms * NS_PER_MS;
	if (sta)
		d->next_sta = now + d->cfg.station_interval_ms * NS_PER_MS;
	if (wiphy)
		d->next_wiphy = now + d->cfg.wiphy_interval_s * NS_PER_S;
	if (d->cfg.metrics_file[0] && now >= d->next_metrics) {
		write_metrics(d);
		d->next_metrics = now + d->cfg.metrics_interval_s * NS_PER_S;
	}
}

static uint64_t next_wakeup(const struct evld *d)
{
	uint64_t t = evl_engine_next_deadline(d->e);

#define MIN(x) t = (x) < t ? (x) : t
	if (d->radio) {
		MIN(d->next_survey);
		MIN(d->next_sta);
		MIN(d->next_wiphy);
	}
	if (d->cfg.metrics_file[0])
		MIN(d->next_metrics);
	for (unsigned int i = 0; i < d->n_if; i++)
		if (d->ifs[i].kind == EVL_CONFIG_ACT_HOSTAPD)
			MIN(d->ifs[i].mon_retry_ns);
	if (d->stop)
		MIN(d->stop_deadline);
#undef MIN
	return t;
}

static void arm_timer(struct evld *d, uint64_t at)
{
	struct itimerspec its = {0};

	if (at != UINT64_MAX) {
		if (!at)
			at = 1; /* 0 would disarm: a time in the past fires at once */
		its.it_value.tv_sec = (time_t)(at / NS_PER_S);
		its.it_value.tv_nsec = (long)(at % NS_PER_S);
	}
	timerfd_settime(d->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static bool busy_aps(const struct evld *d)
{
	struct evl_ap_info info[EVL_CONFIG_MAX_IFACES];
	size_t n = evl_engine_aps(d->e, info, EVL_CONFIG_MAX_IFACES);

	for (size_t i = 0; i < n && i < EVL_CONFIG_MAX_IFACES; i++)
		if (info[i].pending)
			return true;
	return false;
}

static void on_signal(struct evld *d)
{
	struct signalfd_siginfo si;
	char err[EVL_CONFIG_ERR_MAX];

	while (read(d->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			if (evld_reload(d, err, sizeof(err)))
				evld_log(EVLD_ERR, "evld",
					 "reload refused, old configuration kept: %s", err);
		} else if (!d->stop) {
			evld_log(EVLD_INFO, "evld", "%s: finishing pending actions and stopping",
				 strsignal((int)si.ssi_signo));
			d->stop = true;
			d->stop_deadline = evld_now() + 2 * NS_PER_S;
		}
	}
}

static int run(struct evld *d)
{
	struct epoll_event evs[16];

	for (;;) {
		uint64_t now = evld_now();
		int n, rc;

		evl_engine_tick(d->e, now);
		polls(d, now);
		evld_state_sync(d);
		if (d->stop && (now >= d->stop_deadline || !busy_aps(d)))
			return 0;
		arm_timer(d, next_wakeup(d));
		n = epoll_wait(d->ep, evs, 16, -1);
		if (n < 0 && errno != EINTR) {
			evld_log(EVLD_ERR, "evld", "epoll_wait: %s", strerror(errno));
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			uint32_t kind = (uint32_t)(evs[i].data.u64 >> 32);
			uint32_t idx = (uint32_t)evs[i].data.u64;
			uint64_t x;

			switch (kind) {
			case TAG_SIGNAL:
				on_signal(d);
				break;
			case TAG_TIMER:
				(void)!read(d->tfd, &x, sizeof(x));
				break;
			case TAG_CTL:
				evl_ctl_server_dispatch(d->ctl);
				break;
			case TAG_BPF:
				evld_bpf_consume(d);
				break;
			case TAG_NL:
				if ((rc = evld_radio_mon_read(d->radio, d)) < 0)
					evld_log(EVLD_WARN, "nl80211", "mlme events: %s",
						 strerror(-rc));
				break;
			case TAG_HAPD:
				if (idx < d->n_if)
					hapd_events(d, &d->ifs[idx]);
				break;
			}
		}
	}
}

/* ---- start-up and shut-down --------------------------------------------------------------- */

static int watch(struct evld *d, int fd, uint64_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};

	return fd < 0 || epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int open_loop(struct evld *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	d->ep = epoll_create1(EPOLL_CLOEXEC);
	d->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	d->tfd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->ep < 0 || d->sfd < 0 || d->tfd < 0)
		return -errno;
	if (watch(d, d->sfd, TAG(TAG_SIGNAL, 0)) || watch(d, d->tfd, TAG(TAG_TIMER, 0)))
		return -errno;
	return 0;
}

static int open_ctl(struct evld *d)
{
	struct evl_ctl_server_opts o = {
		.path = d->cfg.ctl_socket,
		.mode = d->cfg.ctl_socket_mode,
		.gid = d->cfg.ctl_socket_gid,
		.handler = evld_ctl_handle,
		.ctx = d,
	};
	char dir[sizeof(d->cfg.ctl_socket)];
	int rc;

	snprintf(dir, sizeof(dir), "%s", d->cfg.ctl_socket);
	rc = evl_sys_prepare_dir(dirname(dir), 0755, (uid_t)-1, (gid_t)-1);
	if (rc) {
		evld_log(EVLD_ERR, "ctl", "%s: %s", dir, strerror(-rc));
		return rc;
	}
	d->ctl = evl_ctl_server_new(&o);
	if (!d->ctl) {
		rc = -errno;
		evld_log(EVLD_ERR, "ctl", "%s: %s%s", d->cfg.ctl_socket, strerror(-rc),
			 rc == -EADDRINUSE ? " (another evld answers there)" : "");
		return rc;
	}
	return watch(d, evl_ctl_server_fd(d->ctl), TAG(TAG_CTL, 0));
}

/* Real-time priority: on a radar, evld must run before the kernel's radar work item
 * (a normal-priority kworker) gets the nl80211 event to hostapd. Kept after setuid. Children
 * start at normal priority (SCHED_RESET_ON_FORK), except the one daemon() makes: the flag is
 * set only once detached, which needs no privilege. */
static void set_rt_priority(const struct evld *d)
{
	struct sched_param sp = {.sched_priority = (int)d->cfg.rt_priority};

	if (!d->cfg.rt_priority || d->sim)
		return;
	if (sched_setscheduler(0, SCHED_FIFO | (d->foreground ? SCHED_RESET_ON_FORK : 0), &sp))
		evld_log(EVLD_WARN, "evld",
			 "cannot run SCHED_FIFO %u (%s): radar reaction may lose "
			 "the race with hostapd's own",
			 d->cfg.rt_priority, strerror(errno));
	else
		evld_log(EVLD_INFO, "evld", "SCHED_FIFO priority %u", d->cfg.rt_priority);
}

static int drop_privileges(struct evld *d)
{
	char caps[128];
	int rc;

	if (!d->cfg.user[0]) {
		if (!geteuid())
			evld_log(EVLD_WARN, "evld",
				 "running as root: set user= to drop privileges");
		return 0;
	}
	if (geteuid()) {
		evld_log(EVLD_WARN, "evld", "user=%s ignored: not started as root", d->cfg.user);
		return 0;
	}
	rc = evl_sys_drop_privileges(d->cfg.user, d->cfg.uid, d->cfg.gid, evl_sys_run_caps,
				     evl_sys_n_run_caps);
	if (rc) {
		evld_log(EVLD_ERR, "evld", "cannot become %s: %s", d->cfg.user, strerror(-rc));
		return rc;
	}
	evl_sys_caps_text(evl_sys_run_caps, evl_sys_n_run_caps, caps, sizeof(caps));
	evld_log(EVLD_INFO, "evld", "now running as %s, capabilities kept: %s", d->cfg.user,
		 *caps ? caps : "none");
	return 0;
}

static int open_audit(struct evld *d)
{
	static const enum evl_audit_durability dur[] = {
		[EVL_CONFIG_DUR_EACH] = EVL_AUDIT_SYNC_EACH,
		[EVL_CONFIG_DUR_EVERY] = EVL_AUDIT_SYNC_EVERY,
		[EVL_CONFIG_DUR_NONE] = EVL_AUDIT_SYNC_NONE,
	};
	struct evl_audit_opts o = {
		.dir = d->cfg.audit_dir,
		.key_file = d->cfg.audit_key_file,
		.secret_file = d->cfg.site_secret_file,
		.durability = dur[d->cfg.durability],
		.sync_every = d->cfg.audit_sync_every,
		.wall_us = wall_us,
		.wall_ctx = d,
	};

	d->audit = evl_audit_open(&o);
	if (!d->audit) {
		evld_log(EVLD_ERR, "audit", "%s: %s", d->cfg.audit_dir, evl_audit_errmsg());
		return -EIO;
	}
	return 0;
}

static void shutdown_all(struct evld *d)
{
	for (unsigned int i = 0; i < d->n_if; i++)
		evl_hapd_close(d->ifs[i].mon);
	evl_ctl_server_free(d->ctl);
	evld_bpf_stop(d);
	evld_radio_close(d->radio);
	evl_engine_free(d->e);
	if (d->audit) {
		evl_audit_flush(d->audit);
		evl_audit_close(d->audit);
	}
	if (d->hapd)
		evl_act_hostapd_ops.destroy(d->hapd);
	if (d->nlact)
		evld_radio_act_ops()->destroy(d->nlact);
	evl_sim_free(d->simact);
	evl_prom_free(d->prom);
	free(d->saved);
	if (d->ep >= 0)
		close(d->ep);
	if (d->sfd >= 0)
		close(d->sfd);
	if (d->tfd >= 0)
		close(d->tfd);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"foreground", no_argument, NULL, 'f'},
		{"verbose", no_argument, NULL, 'v'},	  {"sim", no_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},	  {0},
	};
	static struct evld dd; /* large: not on the stack */
	struct evld *d = &dd;
	char err[EVL_CONFIG_ERR_MAX];
	json_object *state = NULL;
	int c, rc = 1;

	d->conf_path = "/etc/evl/evld.conf";
	d->ep = d->sfd = d->tfd = -1;
	while ((c = getopt_long(argc, argv, "c:fvh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d->conf_path = optarg;
			break;
		case 'f':
			d->foreground = true;
			break;
		case 'v':
			verbosity = EVLD_DEBUG;
			break;
		case 'S':
			d->sim = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (load_config(d, &d->cfg, &d->core, err, sizeof(err))) {
		evld_log(EVLD_ERR, "evld", "%s", err);
		return 1;
	}
	/* engine time 0 is boot: tokens are named and records dated by the wall clock */
	d->wall_base_us = (int64_t)(clock_ns(CLOCK_REALTIME) / 1000) - (int64_t)(evld_now() / 1000);
	d->core.unix_base_s = d->wall_base_us / 1000000;
	d->start_wall_s = (double)clock_ns(CLOCK_REALTIME) / 1e9;
	d->mux = (struct evl_actuator){&mux_ops, d};
	read_boot_id(d);

	if (open_loop(d)) {
		evld_log(EVLD_ERR, "evld", "event loop: %s", strerror(errno));
		goto out;
	}
	/* Privileged part: BPF, netlink, sockets. */
	if (d->sim) {
		evld_log(EVLD_INFO, "bpf",
			 "--sim: simulated APs, running without BPF, nl80211 and "
			 "hostapd");
	} else {
		if (evld_bpf_start(d) == 0 && watch(d, evld_bpf_fd(d), TAG(TAG_BPF, 0)))
			evld_log(EVLD_ERR, "bpf", "cannot watch the ring buffer: %s",
				 strerror(errno));
		d->radio = evld_radio_open();
		if (!d->radio)
			evld_log(EVLD_WARN, "nl80211",
				 "no sensing (%s): no survey, station or DFS "
				 "state polls",
				 strerror(errno));
		else if (evld_radio_mon_fd(d->radio) < 0 ||
			 watch(d, evld_radio_mon_fd(d->radio), TAG(TAG_NL, 0)))
			evld_log(EVLD_WARN, "nl80211", "no mlme event monitor");
	}
	if (open_ctl(d))
		goto out;
	if (evl_sys_prepare_dir(d->cfg.state_dir, 0750, d->cfg.user[0] ? d->cfg.uid : (uid_t)-1,
				d->cfg.user[0] ? d->cfg.gid : (gid_t)-1) ||
	    evl_sys_prepare_dir(d->cfg.audit_dir, 0700, d->cfg.user[0] ? d->cfg.uid : (uid_t)-1,
				d->cfg.user[0] ? d->cfg.gid : (gid_t)-1)) {
		evld_log(EVLD_ERR, "evld", "cannot prepare %s and %s", d->cfg.state_dir,
			 d->cfg.audit_dir);
		goto out;
	}
	set_rt_priority(d);
	if (drop_privileges(d))
		goto out;
	/* As the run-time user: audit trail, state, radios, engine. */
	if (open_audit(d))
		goto out;
	state = state_read(d);
	if (setup_ifaces(d, state))
		goto out;
	d->e = engine_new(d);
	if (!d->e)
		goto out;
	state_apply(d, state);
	json_object_put(state);
	state = NULL;
	audit_daemon(d, EVL_REC_DAEMON_START, d->sim ? "start_sim" : "start");
	d->dirty = true;
	polls(d, evld_now()); /* hostapd event connections, first samples */
	evld_log(EVLD_INFO, "evld", "running: %u interface(s), control socket %s", d->n_if,
		 d->cfg.ctl_socket);
	if (!d->foreground) {
		struct sched_param sp;
		int pol;

		if (daemon(1, 1)) {
			evld_log(EVLD_ERR, "evld", "cannot detach: %s", strerror(errno));
			goto out;
		}
		pol = sched_getscheduler(0);
		if (pol == SCHED_FIFO && !sched_getparam(0, &sp))
			sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp);
		pol = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
		evld_log(EVLD_INFO, "evld", "detached as pid %d, %s %d", (int)getpid(),
			 pol == SCHED_FIFO ? "SCHED_FIFO" : "normal scheduling",
			 pol == SCHED_FIFO && !sched_getparam(0, &sp) ? sp.sched_priority : 0);
	}
	rc = run(d) ? 1 : 0;
	restore_fallback(d);
	audit_daemon(d, EVL_REC_DAEMON_STOP, "stop");
	write_metrics(d);
	if ((c = save_state(d)))
		evld_log(EVLD_ERR, "state", "cannot save state: %s", strerror(-c));
	evld_log(EVLD_INFO, "evld", "stopped");
out:
	json_object_put(state);
	shutdown_all(d);
	return rc;
}
