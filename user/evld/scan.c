// SPDX-License-Identifier: GPL-2.0
/*
 * evld's off-channel sensing of its APs. A scan is a cycle over the channels of the AP's band
 * and plan, cut into slices of SLICE channels (a passive AP scan, NL80211_SCAN_FLAG_AP) with
 * GAP_NS back on the AP's own channel between them, so the AP is never away longer than a
 * slice (its stations miss a few beacons, not enough to leave). After the last slice the BSS
 * and survey dumps go to the core as channel reports with their time. Cycles run at start-up
 * and every scan_interval_s (0: only on `evlctl scan`), never while an action awaits
 * confirmation; a radar aborts a running slice at once. A driver that refuses AP scans is
 * reported once; its AP then reports what the survey of its own channel says.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <evl/nl80211.h>
#include <evl/scan.h>

#include "daemon.h"

#define SLICE		 4 /* channels per slice: about 0.45 s off-channel (passive dwell) */
#define GAP_NS		 (1 * NS_PER_S)	 /* on the AP's channel between slices */
#define SLICE_TIMEOUT_NS (10 * NS_PER_S) /* no results event: read what is there */
#define RETRY_NS	 (60 * NS_PER_S) /* after an aborted cycle or a transient error */
#define WAIT_NS		 (5 * NS_PER_S)	 /* AP not up, or an action pending */

#define SURVEY_MAX 64
#define BSS_MAX	   256

/* What io_read() takes from the kernel's dumps. */
enum {
	SCAN_BSS = 1 << 0,    /* neighbours from the BSS dump */
	SCAN_SURVEY = 1 << 1, /* every survey entry (drivers may keep only the last scan's) */
	SCAN_OWN = 1 << 2,    /* only the in-use channel's survey entry */
};

/* Each slice's survey, read right after it: drivers (mac80211_hwsim) keep only the last scan's. */
static struct evl_air_chan survey_acc[EVL_CONFIG_MAX_IFACES][EVL_CHAN_MAX];

static bool scannable(const struct evld *d, const struct evld_iface *f)
{
	return d->radio && f->kind != EVL_CONFIG_ACT_SIM && f->ifindex > 0;
}

/* One slice in the kernel: 0 or the kernel's -errno (-EOPNOTSUPP: the driver refuses). */
static int io_start(struct evld *d, struct evld_scan *s, int ifindex, const int *freqs, int n)
{
	int rc;

	if (s->k_running)
		return -EBUSY;
	if (!d->scan_nl && !(d->scan_nl = evl_nl80211_open()))
		return -errno;
	rc = evl_nl80211_scan_trigger(d->scan_nl, ifindex, freqs, n);
	if (rc)
		return rc;
	s->k_running = true;
	s->k_aborted = false;
	s->k_started = evld_now();
	return 0;
}

/* 1 running, 0 ended with results, -ECANCELED aborted; *off_ns its duration. */
static int io_state(const struct evld_scan *s, uint64_t *off_ns)
{
	if (s->k_running)
		return 1;
	*off_ns = s->k_ended > s->k_started ? s->k_ended - s->k_started : 0;
	return s->k_aborted ? -ECANCELED : 0;
}

static void io_ended(struct evld_scan *s, bool aborted)
{
	s->k_running = false;
	s->k_aborted = aborted;
	s->k_ended = evld_now();
}

static int io_abort(struct evld *d, struct evld_iface *f)
{
	int rc;

	if (!f->scan.k_running)
		return -ENOENT;
	rc = evl_nl80211_scan_abort(d->scan_nl, f->ifindex);
	io_ended(&f->scan, true); /* never wait for the kernel's SCAN_ABORTED */
	return rc;
}

void evld_scan_ended(struct evld *d, int ifindex, bool aborted)
{
	for (unsigned int i = 0; i < d->n_if; i++)
		if (d->ifs[i].ifindex == ifindex && d->ifs[i].scan.k_running)
			io_ended(&d->ifs[i].scan, aborted);
}

void evld_scan_close(struct evld *d)
{
	evl_nl80211_close(d->scan_nl);
	d->scan_nl = NULL;
}

/*
 * What (SCAN_*) of the BSS dump (entries seen within max_age_ms) and the survey dump, digested
 * into out[EVL_CHAN_MAX]: the neighbours counted or -errno.
 */
static int io_read(struct evld *d, int ifindex, enum evl_band band, int floor_dbm,
		   uint32_t max_age_ms, unsigned int what, struct evl_air_chan *out)
{
	static struct evl_bss b[BSS_MAX];
	struct evl_survey sv[SURVEY_MAX];
	int nb = 0, ns, k = 0;

	if (!d->scan_nl && !(d->scan_nl = evl_nl80211_open()))
		return -errno;
	if ((what & SCAN_BSS) &&
	    (nb = evl_nl80211_scan_results(d->scan_nl, ifindex, b, BSS_MAX)) < 0)
		return nb;
	for (int j = 0; j < nb; j++) /* what this scan heard, not older entries of the table */
		if (b[j].seen_ms_ago <= max_age_ms)
			b[k++] = b[j];
	ns = what & (SCAN_SURVEY | SCAN_OWN)
		     ? evl_nl80211_survey(d->scan_nl, ifindex, sv, SURVEY_MAX)
		     : 0;
	if (ns < 0)
		return ns;
	if (what & SCAN_OWN) { /* no scans: the current channel's survey is all there is */
		int m = 0;

		for (int j = 0; j < ns; j++)
			if (sv[j].in_use)
				sv[m++] = sv[j];
		ns = m;
	}
	return evl_air_digest(band, b, (size_t)k, sv, (size_t)ns, floor_dbm, out);
}

/*
 * Up, no action of ours awaiting confirmation (a scan would delay or confuse it) and, unless
 * the operator asked for this scan, none being watched for a rollback (time off-channel must
 * not count against the new setting behind the operator's back).
 */
static bool ap_ready(const struct evld *d, const struct evld_iface *f, bool asked,
		     enum evl_band *band)
{
	struct evl_ap_info info;

	if (evl_engine_ap(d->e, f->name, &info) || info.pending || (info.monitoring && !asked) ||
	    info.conf.state != EVL_AP_UP)
		return false;
	*band = info.conf.band;
	return true;
}

/* The channels of the AP's plan as the core has it (the kernel's, else the country's). */
static int plan(const struct evld *d, const struct evld_iface *f, enum evl_band band, int *freqs,
		int max, uint64_t now)
{
	static struct evl_chan_row rows[EVL_CHAN_MAX];
	int n = evl_engine_channels(d->e, f->name, now, rows, EVL_CHAN_MAX), k = 0;

	for (int j = 0; j < n && j < EVL_CHAN_MAX && k < max; j++)
		freqs[k++] = evl_chan_to_freq(band, rows[j].channel);
	return k;
}

/* The scan's facts as channel reports; client support stays what the core knows. */
static void report(struct evld *d, struct evld_iface *f, const struct evl_air_chan *air, bool bss,
		   uint64_t now)
{
	struct evl_chan_row rows[EVL_CHAN_MAX];
	int n = evl_engine_channels(d->e, f->name, now, rows, EVL_CHAN_MAX);

	for (int k = 0; k < n && k < EVL_CHAN_MAX; k++) {
		const struct evl_air_chan *a = &air[rows[k].channel];
		struct evl_chan_report rep = rows[k].rep;

		if (!bss && !a->have_survey)
			continue; /* survey-only: just the AP's own channel */
		if (bss) {
			rep.neighbors = a->neighbors;
			rep.neighbor_load = a->load;
			rep.strongest_dbm = a->strongest_dbm;
		}
		if (a->have_survey)
			rep.interference = a->interference;
		rep.measured_ns = now;
		evl_engine_chan_report(d->e, f->name, rows[k].channel, &rep);
	}
	evl_engine_tick(d->e, now); /* re-arms the radar fallback with the new ranking */
	d->dirty = true;
}

static void finish(struct evld *d, unsigned int i, bool bss, enum evl_band band, uint64_t now)
{
	static struct evl_air_chan air[EVL_CHAN_MAX];
	struct evld_iface *f = &d->ifs[i];
	struct evld_scan *s = &f->scan;
	uint32_t age_ms = (uint32_t)((now - s->cycle_ns) / NS_PER_MS) + 1000;
	int n = io_read(d, f->ifindex, band, d->core.scan_floor_dbm, age_ms,
			bss ? SCAN_BSS : SCAN_OWN, air);

	for (int c = 1; bss && n >= 0 && c < EVL_CHAN_MAX; c++) {
		air[c].have_survey = survey_acc[i][c].have_survey;
		air[c].interference = survey_acc[i][c].interference;
	}

	s->running = s->slice = false;
	s->next_ns = d->core.scan_interval_s ? now + d->core.scan_interval_s * NS_PER_S : 0;
	if (n < 0) {
		evld_log(EVLD_WARN, "scan", "%s: reading the results: %s", f->name, strerror(-n));
		return;
	}
	report(d, f, air, bss, now);
	s->scans++;
	s->last_ns = now;
	s->last_off_ms = s->off_ns / NS_PER_MS;
	s->last_neighbours = n;
	f->m.scans = s->scans;
	f->m.scan_offchannel_ms = (double)s->off_ns / 1e6;
	if (bss)
		evld_log(EVLD_INFO, "scan",
			 "%s: %d channels, %d neighbour BSSs; %" PRIu64
			 " ms off-channel in %d slices (longest %" PRIu64 " ms)",
			 f->name, s->n, n, s->last_off_ms, (s->n + SLICE - 1) / SLICE,
			 (uint64_t)(s->longest_ns / NS_PER_MS));
	else
		evld_log(EVLD_DEBUG, "scan", "%s: own channel's survey reported", f->name);
}

static void survey_slice(struct evld *d, unsigned int i, enum evl_band band)
{
	static struct evl_air_chan air[EVL_CHAN_MAX];
	int rc = io_read(d, d->ifs[i].ifindex, band, d->core.scan_floor_dbm, 0, SCAN_SURVEY, air);

	if (rc < 0) {
		evld_log(EVLD_DEBUG, "scan", "%s: survey after a slice: %s", d->ifs[i].name,
			 strerror(-rc));
		return;
	}
	for (int c = 1; c < EVL_CHAN_MAX; c++)
		if (air[c].have_survey)
			survey_acc[i][c] = air[c];
}

/* The slice in the kernel ended (or timed out): account its cost, plan the next one. */
static void slice_done(struct evld *d, unsigned int i, enum evl_band band, uint64_t now)
{
	struct evld_scan *s = &d->ifs[i].scan;
	uint64_t off = 0;
	int rc = io_state(s, &off);

	if (rc == 1) {
		if (now < s->slice_ns + SLICE_TIMEOUT_NS)
			return;
		io_abort(d, &d->ifs[i]);
		off = now - s->slice_ns;
		rc = 0;
	}
	s->slice = false;
	s->off_ns += off;
	if (!rc) /* this slice's channels: their survey, before the next slice resets it */
		survey_slice(d, i, band);
	s->longest_ns = off > s->longest_ns ? off : s->longest_ns;
	if (rc == -ECANCELED) {
		s->running = false;
		s->aborted++;
		s->next_ns = now + RETRY_NS;
		evld_log(EVLD_INFO, "scan", "%s: scan aborted after %" PRIu64 " ms off-channel",
			 d->ifs[i].name, (uint64_t)(s->off_ns / NS_PER_MS));
		return;
	}
	s->resume_ns = now + GAP_NS;
	if (s->pos >= s->n)
		finish(d, i, true, band, now);
}

static void slice_start(struct evld *d, unsigned int i, enum evl_band band, uint64_t now)
{
	struct evld_iface *f = &d->ifs[i];
	struct evld_scan *s = &f->scan;
	int k = s->n - s->pos < SLICE ? s->n - s->pos : SLICE;
	int rc = io_start(d, s, f->ifindex, s->freqs + s->pos, k);

	if (!rc) {
		s->slice = true;
		s->slice_ns = now;
		s->pos += k;
		return;
	}
	if (rc == -EBUSY) { /* another scan on the radio: try again shortly */
		s->resume_ns = now + GAP_NS;
		return;
	}
	s->running = false;
	if (rc == -EOPNOTSUPP || rc == -EINVAL || rc == -EPERM) {
		s->refused = true;
		evld_log(EVLD_WARN, "scan",
			 "%s: the driver refuses AP scans (%s); using its own channel's survey",
			 f->name, strerror(-rc));
		finish(d, i, false, band, now);
		return;
	}
	s->next_ns = now + RETRY_NS;
	evld_log(EVLD_WARN, "scan", "%s: scan not started: %s", f->name, strerror(-rc));
}

void evld_scan_poll(struct evld *d, uint64_t now)
{
	for (unsigned int i = 0; i < d->n_if; i++) {
		struct evld_iface *f = &d->ifs[i];
		struct evld_scan *s = &f->scan;
		enum evl_band band = EVL_BAND_5G;

		if (!scannable(d, f))
			continue;
		if (s->slice) {
			ap_ready(d, f, true, &band);
			slice_done(d, i, band, now);
			continue;
		}
		if (!s->running) {
			if ((!d->core.scan_interval_s && s->next_ns == 0 && !s->manual) ||
			    now < s->next_ns)
				continue;
			if (!ap_ready(d, f, s->manual, &band)) {
				s->next_ns = now + WAIT_NS;
				continue;
			}
			s->asked = s->manual;
			s->manual = false;
			if (s->refused) {
				finish(d, i, false, band, now);
				continue;
			}
			s->n = plan(d, f, band, s->freqs, EVLD_SCAN_FREQS, now);
			memset(survey_acc[i], 0, sizeof(survey_acc[i]));
			s->pos = 0;
			s->off_ns = s->longest_ns = 0;
			s->cycle_ns = s->resume_ns = now;
			s->running = s->n > 0;
		}
		if (!s->running || now < s->resume_ns)
			continue;
		if (!ap_ready(d, f, s->asked,
			      &band)) /* never while an action awaits confirmation */
			s->resume_ns = now + GAP_NS;
		else
			slice_start(d, i, band, now);
	}
}

uint64_t evld_scan_next(const struct evld *d)
{
	uint64_t t = UINT64_MAX, x;

	for (unsigned int i = 0; i < d->n_if; i++) {
		const struct evld_scan *s = &d->ifs[i].scan;

		if (!scannable(d, &d->ifs[i]))
			continue;
		if (s->slice)
			x = s->slice_ns + SLICE_TIMEOUT_NS; /* the results event wakes us before */
		else if (s->running)
			x = s->resume_ns;
		else if (!d->core.scan_interval_s && s->next_ns == 0 && !s->manual)
			continue;
		else
			x = s->next_ns;
		t = x < t ? x : t;
	}
	return t;
}

/* End f's cycle now: the radio is needed on its own channel (a radar, an action). */
static void stop_cycle(struct evld *d, struct evld_iface *f, uint64_t now)
{
	struct evld_scan *s = &f->scan;

	if (!s->running || !scannable(d, f))
		return;
	if (s->slice) { /* off-channel now: back at once, slice_done() ends the cycle */
		io_abort(d, f);
		return;
	}
	/* between slices: no further slice while the move (or hostapd's own) is on */
	s->running = false;
	s->aborted++;
	s->next_ns = now + RETRY_NS;
	evld_log(EVLD_INFO, "scan", "%s: scan aborted after %" PRIu64 " ms off-channel", f->name,
		 (uint64_t)(s->off_ns / NS_PER_MS));
}

void evld_scan_radar(struct evld *d, int wiphy_idx, const char *wiphy_name)
{
	uint64_t now = evld_now();

	for (unsigned int i = 0; i < d->n_if; i++) {
		struct evld_iface *f = &d->ifs[i];

		if ((wiphy_idx >= 0 && f->wiphy_idx == wiphy_idx) ||
		    (wiphy_name && *wiphy_name && !strcmp(wiphy_name, f->wiphy)))
			stop_cycle(d, f, now);
	}
}

void evld_scan_yield(struct evld *d, struct evld_iface *f)
{
	stop_cycle(d, f, evld_now());
}

static struct evld_iface *find(struct evld *d, const char *name, struct evl_ctl_reply *r)
{
	for (unsigned int i = 0; i < d->n_if; i++)
		if (!strcmp(d->ifs[i].name, name))
			return &d->ifs[i];
	evl_ctl_reply_printf(r, "no interface %s in the configuration", name);
	return NULL;
}

int evld_scan_request(struct evld *d, const char *iface, struct evl_ctl_reply *r)
{
	struct evld_iface *f = find(d, iface, r);

	if (!f)
		return -ENOENT;
	if (!scannable(d, f)) {
		evl_ctl_reply_printf(r, "scan: %s is not a radio evld can scan (%s)", iface,
				     f->kind == EVL_CONFIG_ACT_SIM ? "simulated" : "no nl80211");
		return -EOPNOTSUPP;
	}
	if (f->scan.running) {
		evl_ctl_reply_printf(r, "scan of %s already running\n", iface);
		return 0;
	}
	f->scan.manual = true;
	f->scan.next_ns = evld_now();
	evld_scan_poll(d, evld_now());
	evl_ctl_reply_printf(r, "scan of %s %s\n", iface,
			     f->scan.running   ? "started"
			     : f->scan.refused ? "done (survey of its own channel only)"
					       : "queued (AP not up or an action pending)");
	return 0;
}
