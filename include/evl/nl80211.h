/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nl80211 through libnl-genl: a socket, message builders (separate from sending, so tests can
 * build each message and parse it back), defensive reply parsers into the plain structs of
 * evl/sense.h, the "mlme" multicast monitor, and the `nl80211` actuator back end.
 *
 * Parsers return -EINVAL and set *err (when not NULL) to a static string naming what was
 * missing or malformed; they never crash on short or odd replies.
 */
#ifndef EVL_NL80211_H
#define EVL_NL80211_H

#include <stdbool.h>

#include <netlink/msg.h>

#include "evl/act.h"
#include "evl/scan.h"
#include "evl/sense.h"

struct evl_nl80211;

/* A genl socket with nl80211 resolved; NULL with errno ENOENT when nl80211 is absent. */
struct evl_nl80211 *evl_nl80211_open(void);
void evl_nl80211_close(struct evl_nl80211 *nl);
int evl_nl80211_family(const struct evl_nl80211 *nl);

/* Called for every reply message of a request; a negative return aborts with that error. */
typedef int (*evl_nl80211_reply_fn)(struct nl_msg *msg, void *arg);

/*
 * Send msg (always freed) and collect replies until the ack or the end of the dump.
 * Returns 0, the kernel's -errno, or the first negative return of fn.
 */
int evl_nl80211_xfer(struct evl_nl80211 *nl, struct nl_msg *msg, evl_nl80211_reply_fn fn,
		     void *arg);

/* --- builders: NULL with errno on failure ------------------------------------------------- */

struct nl_msg *evl_nl80211_msg_set_txpower(int family, int ifindex, int dbm);
/* mac NULL: every station. reason: IEEE 802.11 reason code (deauthentication). */
struct nl_msg *evl_nl80211_msg_del_station(int family, int ifindex, const unsigned char *mac,
					   int reason);
/* cac_ms 0: the regulatory default. */
struct nl_msg *evl_nl80211_msg_radar_detect(int family, int ifindex, const struct evl_chandef *cd,
					    unsigned int cac_ms);
struct nl_msg *evl_nl80211_msg_channel_switch(int family, int ifindex, const struct evl_chandef *cd,
					      int count, bool block_tx);
struct nl_msg *evl_nl80211_msg_get_interface(int family, int ifindex);
struct nl_msg *evl_nl80211_msg_survey_dump(int family, int ifindex);
struct nl_msg *evl_nl80211_msg_station_dump(int family, int ifindex);
/* wiphy -1: every wiphy. Split dump: a wiphy's bands arrive over several messages. */
struct nl_msg *evl_nl80211_msg_wiphy_dump(int family, int wiphy);

/* nl80211 chandef width <-> MHz (-EINVAL for widths evl does not use). */
int evl_nl80211_width_to_mhz(int nl_width);
int evl_nl80211_mhz_to_width(int mhz);

/* --- parsers ------------------------------------------------------------------------------ */

struct evl_nl_iface {
	int ifindex;
	int wiphy;
	int iftype; /* enum nl80211_iftype */
	int freq;   /* 0 when not operating */
	int width_mhz;
	int center_freq1;
	int tx_power_mbm; /* INT32_MIN when not reported */
};

int evl_nl80211_parse_interface(struct nl_msg *msg, struct evl_nl_iface *out, const char **err);
int evl_nl80211_parse_survey(struct nl_msg *msg, struct evl_survey *out, const char **err);
int evl_nl80211_parse_station(struct nl_msg *msg, struct evl_sta *out, const char **err);
/* Merge one wiphy dump message into l (frequencies seen again are updated in place). */
int evl_nl80211_parse_wiphy(struct nl_msg *msg, struct evl_chanlist *l, const char **err);

/* --- dumps, one call each ----------------------------------------------------------------- */

/* Survey entries of ifindex into out[max]: count or -errno. */
int evl_nl80211_survey(struct evl_nl80211 *nl, int ifindex, struct evl_survey *out, size_t max);
/* One station dump into the tracker (begin + add; the caller ends it with its timestamp). */
int evl_nl80211_stations(struct evl_nl80211 *nl, int ifindex, struct evl_sta_tracker *t);
/* Channel list of a wiphy (-1: the first one). */
int evl_nl80211_channels(struct evl_nl80211 *nl, int wiphy, struct evl_chanlist *l);
/* GET_INTERFACE of one interface (its TX power, channel). */
int evl_nl80211_interface(struct evl_nl80211 *nl, int ifindex, struct evl_nl_iface *out);

/* --- mlme events -------------------------------------------------------------------------- */

enum evl_nl_ev_type {
	EVL_NL_EV_RADAR, /* NL80211_RADAR_DETECTED */
	EVL_NL_EV_CAC_STARTED,
	EVL_NL_EV_CAC_FINISHED,
	EVL_NL_EV_CAC_ABORTED,
	EVL_NL_EV_NOP_FINISHED,
	EVL_NL_EV_CH_SWITCH_STARTED, /* CSA announced */
	EVL_NL_EV_CH_SWITCH_DONE,    /* now on the new channel: the confirmation */
	EVL_NL_EV_SCAN_STARTED,	     /* "scan" group: NL80211_CMD_TRIGGER_SCAN */
	EVL_NL_EV_SCAN_DONE,	     /* NL80211_CMD_NEW_SCAN_RESULTS: dump them now */
	EVL_NL_EV_SCAN_ABORTED,	     /* NL80211_CMD_SCAN_ABORTED */
	EVL_NL_EV_REG_CHANGE,	     /* regulatory domain changed (wiphy -1: global); freq 0 */
	/* "config" group: radios and interfaces coming and going (no freq) */
	EVL_NL_EV_DEL_WIPHY,	 /* NL80211_CMD_DEL_WIPHY: the radio is gone */
	EVL_NL_EV_DEL_INTERFACE, /* NL80211_CMD_DEL_INTERFACE */
	EVL_NL_EV_NEW_INTERFACE, /* NL80211_CMD_NEW_INTERFACE (ifname set) */
};

struct evl_nl_event {
	enum evl_nl_ev_type type;
	int ifindex; /* 0 when the kernel sent none (radar events are per wiphy) */
	int wiphy;   /* -1 when absent */
	int freq;
	int width_mhz; /* 0 when absent */
	int center_freq1;
	char ifname[16]; /* NEW/DEL_INTERFACE, "" when absent */
};

/* -ENOENT for commands that are not one of the events above; -EINVAL when malformed. */
int evl_nl80211_parse_event(struct nl_msg *msg, struct evl_nl_event *ev, const char **err);

/* Scan events (no frequency): -ENOENT for other commands; parse_event() calls it. */
int evl_nl80211_parse_scan_event(struct nl_msg *msg, struct evl_nl_event *ev, const char **err);

/* --- off-channel scans of an AP (scan.c) -------------------------------------------------- */

/* Passive (no SSIDs) on @freqs (n 0: every channel); ap: NL80211_SCAN_FLAG_AP. */
struct nl_msg *evl_nl80211_msg_trigger_scan(int family, int ifindex, const int *freqs, int n,
					    bool ap);
struct nl_msg *evl_nl80211_msg_abort_scan(int family, int ifindex);
struct nl_msg *evl_nl80211_msg_scan_dump(int family, int ifindex);
/* One NL80211_CMD_GET_SCAN entry. */
int evl_nl80211_parse_bss(struct nl_msg *msg, struct evl_bss *out, const char **err);
/* 0 once the kernel took the scan (its end comes as EVL_NL_EV_SCAN_*), or its -errno. */
int evl_nl80211_scan_trigger(struct evl_nl80211 *nl, int ifindex, const int *freqs, int n);
int evl_nl80211_scan_abort(struct evl_nl80211 *nl, int ifindex);
/* The BSS dump into out[max] (more are dropped): count or -errno. */
int evl_nl80211_scan_results(struct evl_nl80211 *nl, int ifindex, struct evl_bss *out, size_t max);

struct evl_nl80211_mon;
typedef void (*evl_nl80211_event_fn)(const struct evl_nl_event *ev, void *arg);

/* Subscribed to nl80211 "mlme" and "config" and, when the kernel has them, "scan" and
 * "regulatory"; non-blocking. */
struct evl_nl80211_mon *evl_nl80211_mon_open(void);
void evl_nl80211_mon_close(struct evl_nl80211_mon *m);
int evl_nl80211_mon_fd(const struct evl_nl80211_mon *m);
/* Read what is queued, calling fn per event: count handled (0 when nothing) or -errno. */
int evl_nl80211_mon_read(struct evl_nl80211_mon *m, evl_nl80211_event_fn fn, void *arg);

/* --- the actuator ------------------------------------------------------------------------- */

/*
 * An AP name is the interface name. switch_channel is for mesh/IBSS interfaces, where the
 * kernel builds beacons itself (an AP needs hostapd): EVL_ACT_PENDING, confirmed by
 * EVL_NL_EV_CH_SWITCH_DONE. set_tx_power is confirmed by the kernel's ack. OBSS-PD, admission
 * and AP state need hostapd: -EOPNOTSUPP.
 *
 * Everything goes through xfer (the ops table in front of netlink): NULL = a real socket.
 */
struct evl_nl80211_act_opts {
	int (*xfer)(void *arg, struct nl_msg *msg, evl_nl80211_reply_fn fn, void *fn_arg);
	void *xfer_arg;
	int family;	    /* with xfer */
	int cs_count;	    /* default 10 */
	int radar_cs_count; /* radar moves; default 5 */
};

extern const struct evl_act_ops evl_act_nl80211_ops;
void *evl_act_nl80211_new(const struct evl_nl80211_act_opts *opts);
int evl_act_nl80211_del_station(void *ctx, const char *ap, const unsigned char *mac, int reason);
int evl_act_nl80211_radar_detect(void *ctx, const char *ap, const struct evl_chandef *cd);

#endif /* EVL_NL80211_H */
