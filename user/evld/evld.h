/* SPDX-License-Identifier: GPL-2.0 */
/*
 * evld internals shared by every file of the daemon. radio.c (nl80211 sensing) needs only
 * these plain calls; the rest of the daemon also sees the engine through daemon.h.
 */
#ifndef EVLD_H
#define EVLD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <evl/chan.h>

struct evld;
struct evld_radio;

/* ---- logging (stderr, module prefix; debug only with -v) ------------------------------ */
enum { EVLD_ERR, EVLD_WARN, EVLD_INFO, EVLD_DEBUG };
__attribute__((format(printf, 3, 4))) void evld_log(int level, const char *mod, const char *fmt,
						    ...);

/* CLOCK_BOOTTIME, the engine's clock (ns). */
uint64_t evld_now(void);

/* ---- radio.c: nl80211 sensing (survey, stations, wiphy, mlme events) ------------------- */
struct evld_radio *evld_radio_open(void); /* NULL + errno (ENOENT: no nl80211) */
void evld_radio_close(struct evld_radio *r);
int evld_radio_mon_fd(const struct evld_radio *r); /* -1 without the mlme monitor */
/* Read queued mlme events and hand them to the evld_on_* calls below. */
int evld_radio_mon_read(struct evld_radio *r, struct evld *d);
/* Polls of interface slot i (ifindex > 0). 0 or -errno; results through evld_on_*. */
int evld_radio_survey(struct evld_radio *r, struct evld *d, unsigned int i, int ifindex);
int evld_radio_stations(struct evld_radio *r, struct evld *d, unsigned int i, int ifindex,
			uint64_t now);
/* Channel list: DFS states and the kernel's plan (with the interface's TX power) to the core. */
int evld_radio_channels(struct evld_radio *r, struct evld *d, unsigned int i, int wiphy,
			int ifindex);

/* nlact.c: the nl80211 actuator back end (its header cannot sit beside engine.h). */
struct evl_act_ops;
const struct evl_act_ops *evld_radio_act_ops(void);
struct evl_config;
void *evld_radio_act_new(const struct evl_config *cfg); /* NULL + errno */

/* ---- what sensing reports (sense.c) ---------------------------------------------------- */

/* wiphy index (nl80211) or name (BPF) identify the radio; freq 0 = unknown. */
/* nl80211 "scan" group: the scan of an interface ended (results, or aborted). */
void evld_scan_ended(struct evld *d, int ifindex, bool aborted);
void evld_on_radar(struct evld *d, int wiphy_idx, const char *wiphy_name, int freq,
		   uint64_t detect_ns, const char *source);
void evld_on_switch_done(struct evld *d, int ifindex, int freq, const char *source);
void evld_on_survey(struct evld *d, unsigned int i, double busy, bool burst, bool sat);
void evld_on_link(struct evld *d, unsigned int i, double per, double retry, double tput_mbps,
		  double disc_per_min, unsigned int n_sta);
void evld_on_dfs_state(struct evld *d, unsigned int i, int channel, enum evl_dfs_state st);
struct evl_plan_chan;
/* The kernel's plan of slot i's band; tx_mbm: the interface's TX power (0 unknown). */
void evld_on_plan(struct evld *d, unsigned int i, const struct evl_plan_chan *ch, size_t n,
		  int tx_mbm);
/* The regulatory domain changed (wiphy -1: every radio): re-read the plans now. */
void evld_on_reg_change(struct evld *d, int wiphy);
const char *evld_iface_name(const struct evld *d, unsigned int i);
/* Hardware: a driver restart on a wiphy (BPF; mono_ns its CLOCK_MONOTONIC time), a wiphy or
 * interface removed (nl80211; -1 / 0 when not named), an interface added. */
void evld_on_hw_restart(struct evld *d, const char *wiphy_name, uint64_t mono_ns,
			uint64_t detect_ns);
void evld_on_radio_gone(struct evld *d, int wiphy_idx, int ifindex, const char *source);
void evld_on_iface_new(struct evld *d, const char *ifname, int ifindex, const char *source);

#endif /* EVLD_H */
