/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Actuators: the one ops table between decisions and radios. Back ends: `sim` (in-memory APs,
 * user/act/sim.c), `hostapd` (control socket), `nl80211` (libnl-genl). Policy code never
 * touches sockets; it calls these.
 *
 * Every operation returns 0 when done and confirmed, EVL_ACT_PENDING when issued and the
 * confirmation arrives later (the daemon reports it to the engine, or the engine's timeout
 * marks the action failed), or -errno when it failed.
 */
#ifndef EVL_ACT_H
#define EVL_ACT_H

#include <stdbool.h>

#define EVL_ACT_PENDING 1

enum evl_band {
	EVL_BAND_2G,
	EVL_BAND_5G,
	EVL_BAND_6G,
};

enum evl_ap_state {
	EVL_AP_UP,
	EVL_AP_DISABLED, /* taken down by failover */
};

/* A channel as a radio needs it: the core fills every field. */
struct evl_chandef {
	enum evl_band band;
	int channel;	  /* primary (control) channel number */
	int width;	  /* MHz: 20, 40, 80, 160 */
	int freq;	  /* primary centre frequency, MHz */
	int center_freq1; /* centre of the whole block, MHz */
};

struct evl_ap_conf {
	enum evl_band band;
	int channel;
	int bandwidth; /* MHz */
	int tx_power;  /* dBm */
	int obss_pd;   /* dBm; 0 = OBSS-PD off */
	int max_sta;   /* admission limit; 0 = unlimited */
	enum evl_ap_state state;
};

#define EVL_SSID_LEN  33 /* 32 octets and the NUL (hostapd prints it as text) */
#define EVL_BSSID_LEN 18 /* "02:00:00:00:01:00" */

/* An AP's BSS as its stations see it. */
struct evl_ap_bss {
	char ssid[EVL_SSID_LEN];
	char bssid[EVL_BSSID_LEN];
};

/* 802.11v BSS Transition Management: where stations should go (one neighbour report entry). */
struct evl_bss_target {
	char bssid[EVL_BSSID_LEN];
	unsigned int bssid_info; /* Neighbor Report BSSID Information field */
	int op_class;		 /* global operating class of the target's channel */
	int channel;
	int phy_type;	    /* 7 HT, 9 VHT, 14 HE (802.11 PHY type) */
	int disassoc_timer; /* beacon intervals until the old AP lets them go; 0 = not imminent */
};

struct evl_act_ops {
	const char *name;
	int (*get_conf)(void *ctx, const char *ap, struct evl_ap_conf *out);
	/* radar: a DFS move (CSA with blocktx, must not wait for anything). */
	int (*switch_channel)(void *ctx, const char *ap, const struct evl_chandef *to, bool radar);
	int (*set_tx_power)(void *ctx, const char *ap, int dbm);
	int (*set_obss_pd)(void *ctx, const char *ap, int dbm);
	int (*set_max_sta)(void *ctx, const char *ap, int max_sta);
	int (*set_state)(void *ctx, const char *ap, enum evl_ap_state state);
	/*
	 * The channels the radio's own radar reaction may move to (hostapd's run-time
	 * `chanlist`), ascending 20 MHz channel numbers; n = 0: every channel (hostapd's
	 * default). NULL: the back end has no reaction of its own to steer.
	 */
	int (*set_radar_fallback)(void *ctx, const char *ap, const int *chans, int n);
	/* SSID and BSSID of an AP (NULL: unknown to the back end, no steering to or from it). */
	int (*get_bss)(void *ctx, const char *ap, struct evl_ap_bss *out);
	/*
	 * Ask every station of @ap to move to @to (BSS Transition Management request); 0 also
	 * when no station is associated. NULL: the back end cannot steer stations.
	 */
	int (*bss_transition)(void *ctx, const char *ap, const struct evl_bss_target *to);
	void (*destroy)(void *ctx); /* NULL-safe on ctx */
};

struct evl_actuator {
	const struct evl_act_ops *ops;
	void *ctx;
};

#endif /* EVL_ACT_H */
