// SPDX-License-Identifier: GPL-2.0
/*
 * evld's eBPF side: load and attach the data plane (user/bpf), log every hook, and turn
 * ring-buffer records into engine input. Built without the loader (a tree before the BPF
 * component landed) it says so and evld runs on the nl80211 and hostapd paths alone.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "daemon.h"

#include <evl/bpf_loader.h>

/* BPF stamps records with CLOCK_MONOTONIC; the engine runs on CLOCK_BOOTTIME. */
static uint64_t to_boottime(uint64_t mono_ns)
{
	struct timespec b, m;

	clock_gettime(CLOCK_BOOTTIME, &b);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return mono_ns + ((uint64_t)b.tv_sec - (uint64_t)m.tv_sec) * 1000000000ull +
	       (uint64_t)b.tv_nsec - (uint64_t)m.tv_nsec;
}

static void signal_event(struct evld *d, const struct evl_bpf_event *ev, enum evl_event_type t)
{
	struct evld_iface *f = evld_iface_by_index(d, (int)ev->ifindex);

	if (!f)
		return;
	evld_submit(d, t, f->name, 0, 1.0, evld_default_severity(t), to_boottime(ev->ts_ns),
		    "ebpf");
}

static int on_event(void *ctx, const struct evl_bpf_event *ev)
{
	struct evld *d = ctx;

	switch (ev->type) {
	case EVL_BPF_EV_RADAR: /* first: act on it */
		evld_on_radar(d, -1, ev->wiphy, 0, to_boottime(ev->ts_ns), "ebpf");
		break;
	case EVL_BPF_EV_RADAR_CHANDEF: /* ~1 ms later, with the channel */
		evld_log(EVLD_INFO, "dfs", "%s: radar confirmed at %u MHz%s", ev->wiphy,
			 ev->chan.control_freq, ev->chan.offchan ? " (background chain)" : "");
		if (!ev->chan.offchan)
			evld_on_radar(d, -1, ev->wiphy, (int)ev->chan.control_freq,
				      to_boottime(ev->ts_ns), "ebpf");
		break;
	case EVL_BPF_EV_CH_SWITCH_DONE:
		evld_on_switch_done(d, (int)ev->ifindex, (int)ev->chan.control_freq, "ebpf");
		break;
	case EVL_BPF_EV_CH_SWITCH_STARTED:
		evld_log(EVLD_DEBUG, "bpf", "ifindex %u: channel switch to %u MHz started",
			 ev->ifindex, ev->chan.control_freq);
		break;
	case EVL_BPF_EV_TX_SPIKE:
		if (ev->tx.reasons & EVL_BPF_SPIKE_PER)
			signal_event(d, ev, EVL_EV_PER_SPIKE);
		if (ev->tx.reasons & EVL_BPF_SPIKE_RETRY)
			signal_event(d, ev, EVL_EV_RETRY_SPIKE);
		break;
	case EVL_BPF_EV_STA_NEW:
	case EVL_BPF_EV_STA_DEL: /* associations in the BPF station window (sta_window_ns) */
		evld_on_churn(d, (int)ev->ifindex, ev->sta.new_in_window, to_boottime(ev->ts_ns));
		break;
	case EVL_BPF_EV_HW_RESTART: /* the driver's own recovery: the core watches it */
		evld_on_hw_restart(d, ev->wiphy, ev->ts_ns, to_boottime(ev->ts_ns));
		break;
	default: /* CAC, station churn: counted in the maps, logged here */
		evld_log(EVLD_DEBUG, "bpf", "record type %u ifindex %u %s", ev->type, ev->ifindex,
			 ev->wiphy);
		break;
	}
	return 0;
}

int evld_bpf_start(struct evld *d)
{
	struct evl_bpf_opts o = {.pin_dir = d->cfg.bpf_pin_dir, .on_event = on_event, .ctx = d};
	const struct evl_bpf_hook *h;
	struct evl_bpf *b;
	size_t n;
	int rc;

	b = evl_bpf_open(&o);
	if (!b) {
		rc = -errno;
		evld_log(EVLD_ERR, "bpf", "cannot open the BPF programs: %s", strerror(-rc));
		goto no_radar;
	}
	rc = evl_bpf_load(b);
	if (!rc)
		rc = evl_bpf_attach(b);
	n = evl_bpf_hooks(b, &h);
	for (size_t i = 0; i < n; i++)
		evld_log(h[i].active ? EVLD_INFO : EVLD_WARN, "bpf", "%-18s %-44s %s", h[i].prog,
			 h[i].target, h[i].why);
	if (rc) {
		evld_log(EVLD_ERR, "bpf", "load/attach failed: %s", strerror(-rc));
		evl_bpf_close(b);
		goto no_radar;
	}
	d->bpf = b;
	if (!evl_bpf_radar_ok(b))
		goto no_radar;
	evld_log(EVLD_INFO, "bpf", "radar hooks attached; maps pinned at %s", evl_bpf_pin_dir(b));
	return 0;
no_radar:
	evld_log(EVLD_ERR, "dfs",
		 "!!! radar hooks NOT attached: evl reacts to radar only through "
		 "the nl80211/hostapd events, after hostapd has seen them; "
		 "DFS moves may lose to hostapd's own fallback !!!");
	return d->bpf ? 0 : (rc ? rc : -ENOENT);
}

int evld_bpf_fd(const struct evld *d)
{
	return d->bpf ? evl_bpf_ringbuf_fd(d->bpf) : -1;
}

void evld_bpf_consume(struct evld *d)
{
	int rc = d->bpf ? evl_bpf_consume(d->bpf) : 0;

	if (rc < 0)
		evld_log(EVLD_WARN, "bpf", "ring buffer: %s", strerror(-rc));
}

uint64_t evld_bpf_drops(const struct evld *d)
{
	struct evl_bpf_counters c;

	return d->bpf && !evl_bpf_counters_get(d->bpf, &c) ? c.rb_drops : 0;
}

uint64_t evld_bpf_tx_last(const struct evld *d, int ifindex)
{
	struct evl_bpf_iface f;

	return d->bpf && ifindex > 0 && !evl_bpf_iface_get(d->bpf, (__u32)ifindex, &f)
		       ? f.tx.last_ns
		       : 0;
}

void evld_bpf_stop(struct evld *d)
{
	evl_bpf_close(d->bpf);
	d->bpf = NULL;
}
