// SPDX-License-Identifier: GPL-2.0
/* evld: the epoll loop (signals, timer, control socket, ring buffer, nl80211, hostapd) and its
 * polls. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "daemon.h"

#define CLIENTS_EVERY_S 60 /* client support also refreshes on every association change */

void evld_polls(struct evld *d, uint64_t now)
{
	bool survey = d->radio && now >= d->next_survey, sta = d->radio && now >= d->next_sta;
	bool wiphy = d->radio && now >= d->next_wiphy;

	for (unsigned int i = 0; i < d->n_if; i++) {
		struct evld_iface *f = &d->ifs[i];
		int rc = 0;

		if (f->kind == EVL_CONFIG_ACT_HOSTAPD && now >= f->mon_retry_ns) {
			if (f->mon)
				evld_hapd_ping(d, f, now);
			else
				evld_hapd_connect(d, f, now);
		}
		if (f->kind == EVL_CONFIG_ACT_SIM || f->ifindex <= 0)
			continue;
		if (survey && (rc = evld_radio_survey(d->radio, d, i, f->ifindex)))
			evld_log(EVLD_DEBUG, "nl80211", "%s: survey: %s", f->name, strerror(-rc));
		if (sta && (rc = evld_radio_stations(d->radio, d, i, f->ifindex, now)))
			evld_log(EVLD_DEBUG, "nl80211", "%s: stations: %s", f->name, strerror(-rc));
		if (wiphy && f->wiphy_idx >= 0 &&
		    (rc = evld_radio_channels(d->radio, d, i, f->wiphy_idx, f->ifindex)))
			evld_log(EVLD_DEBUG, "nl80211", "%s: channels: %s", f->name, strerror(-rc));
	}
	if (now >= d->next_clients) {
		for (unsigned int i = 0; i < d->n_if; i++)
			if (d->ifs[i].kind == EVL_CONFIG_ACT_HOSTAPD && d->ifs[i].mon)
				evld_clients_refresh(d, &d->ifs[i]);
		d->next_clients = now + CLIENTS_EVERY_S * NS_PER_S;
	}
	if (survey)
		d->next_survey = now + d->cfg.survey_interval_ms * NS_PER_MS;
	if (sta)
		d->next_sta = now + d->cfg.station_interval_ms * NS_PER_MS;
	if (wiphy)
		d->next_wiphy = now + d->cfg.wiphy_interval_s * NS_PER_S;
	evld_scan_poll(d, now);
	if (d->next_hw && now >= d->next_hw)
		evld_hw_poll(d, now);
	if (d->cfg.metrics_file[0] && now >= d->next_metrics) {
		evld_write_metrics(d);
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
	MIN(evld_scan_next(d));
	MIN(d->next_clients);
	if (d->next_hw)
		MIN(d->next_hw);
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

int evld_run(struct evld *d)
{
	struct epoll_event evs[16];

	for (;;) {
		uint64_t now = evld_now();
		int n, rc;

		evl_engine_tick(d->e, now);
		evld_polls(d, now);
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
					evld_hapd_events(d, &d->ifs[idx]);
				break;
			}
		}
	}
}

int evld_watch(struct evld *d, int fd, uint64_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};

	return fd < 0 || epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int evld_open_loop(struct evld *d)
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
	if (evld_watch(d, d->sfd, TAG(TAG_SIGNAL, 0)) || evld_watch(d, d->tfd, TAG(TAG_TIMER, 0)))
		return -errno;
	return 0;
}
