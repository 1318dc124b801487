/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostapd control-socket client and the `hostapd` actuator back end.
 *
 * One struct evl_hapd is one AF_UNIX datagram connection to one hostapd interface socket
 * (e.g. /var/run/hostapd/wlan0), bound to a local socket of our own so hostapd can answer.
 * Requests and the event monitor use separate connections, as wpa_ctrl does, so unsolicited
 * events never get mixed into a reply.
 *
 * The parsers take plain strings so tests can feed them replies captured from a real hostapd
 * (tests/vm/captures/).
 */
#ifndef EVL_HOSTAPD_H
#define EVL_HOSTAPD_H

#include <stdbool.h>
#include <stddef.h>

#include "evl/act.h"

#define EVL_HAPD_REPLY_MAX 4096 /* hostapd's own reply buffer size */

struct evl_hapd;

/* Connect to hostapd's socket at ctrl_path; the local socket is created in local_dir. */
struct evl_hapd *evl_hapd_open(const char *ctrl_path, const char *local_dir, int timeout_ms);
void evl_hapd_close(struct evl_hapd *h);
/* The socket; watch it for EPOLLIN on a monitor connection. */
int evl_hapd_fd(const struct evl_hapd *h);

/*
 * Send cmd and wait up to the timeout for the reply (unsolicited "<N>..." lines are skipped).
 * Returns the reply length (NUL-terminated in reply) or -errno (-ETIMEDOUT, -ECONNREFUSED ...).
 */
int evl_hapd_request(struct evl_hapd *h, const char *cmd, char *reply, size_t len);

/* "OK" -> 0, "FAIL-BUSY" -> -EBUSY, "FAIL" -> -EIO, "UNKNOWN COMMAND" -> -EOPNOTSUPP,
 * anything else -> -EPROTO. */
int evl_hapd_reply_status(const char *reply);

/* Request for commands answered by OK/FAIL: 0 or -errno as above. */
int evl_hapd_command(struct evl_hapd *h, const char *cmd);

/* Which PHY modes the CSA announces (hostapd's "ht", "vht", "he" flags). */
enum {
	EVL_HAPD_HT = 1 << 0,
	EVL_HAPD_VHT = 1 << 1,
	EVL_HAPD_HE = 1 << 2,
};

/*
 * "CHAN_SWITCH <count> <freq> center_freq1= bandwidth= sec_channel_offset= [ht] [vht] [he]
 * [blocktx]" into buf. Modes not valid for the band are dropped (no vht on 2.4 GHz, only he on
 * 6 GHz). Returns the length or -EINVAL (bad chandef, count) / -ENOSPC.
 */
int evl_hapd_format_chan_switch(char *buf, size_t len, int count, const struct evl_chandef *to,
				bool blocktx, unsigned int modes);

struct evl_hapd_status {
	char state[24]; /* ENABLED, DISABLED, DFS, ACS, COUNTRY_UPDATE, ... */
	enum evl_band band;
	int freq;
	int channel;
	int secondary_channel;	   /* -1, 0, 1 */
	int bandwidth;		   /* MHz, derived from secondary_channel and vht/he_oper_chwidth */
	int center_freq1;	   /* MHz */
	int max_txpower;	   /* dBm, 0 when not reported */
	int num_sta;		   /* num_sta[0] */
	unsigned int modes;	   /* EVL_HAPD_HT/VHT/HE from ieee80211n/ac/ax */
	char ssid[EVL_SSID_LEN];   /* ssid[0]= as hostapd prints it; "" when absent */
	char bssid[EVL_BSSID_LEN]; /* bssid[0]=; "" when absent or not an address */
};

/* Parse a STATUS reply; -EINVAL when state, freq or channel is missing or malformed
 * (*err, when not NULL, names what). */
int evl_hapd_parse_status(const char *reply, struct evl_hapd_status *st, const char **err);

enum evl_hapd_ev_type {
	EVL_HAPD_EV_OTHER,
	EVL_HAPD_EV_CSA_STARTED,  /* CTRL-EVENT-STARTED-CHANNEL-SWITCH */
	EVL_HAPD_EV_CSA_FINISHED, /* AP-CSA-FINISHED */
	EVL_HAPD_EV_RADAR,	  /* DFS-RADAR-DETECTED */
	EVL_HAPD_EV_CAC_START,	  /* DFS-CAC-START */
	EVL_HAPD_EV_CAC_DONE,	  /* DFS-CAC-COMPLETED */
	EVL_HAPD_EV_NOP_FINISHED, /* DFS-NOP-FINISHED */
	EVL_HAPD_EV_NEW_CHANNEL,  /* DFS-NEW-CHANNEL (hostapd's own DFS pick) */
	EVL_HAPD_EV_STA_CONNECTED,
	EVL_HAPD_EV_STA_DISCONNECTED,
	EVL_HAPD_EV_AP_ENABLED,
	EVL_HAPD_EV_AP_DISABLED,
};

struct evl_hapd_event {
	enum evl_hapd_ev_type type;
	int level;	/* the <N> priority */
	char name[40];	/* event name as sent, e.g. "AP-CSA-FINISHED" */
	int freq;	/* freq=, 0 when absent */
	int cf1;	/* cf1=, 0 when absent */
	int chan_width; /* chan_width= / ch_width= as sent, -1 when absent */
	int channel;	/* chan=, 0 when absent */
	int dfs;	/* dfs=, -1 when absent */
	int success;	/* success=, -1 when absent */
	unsigned char mac[6];
	bool has_mac;
};

/* Parse one unsolicited message ("<3>AP-CSA-FINISHED freq=5180 dfs=0"). -EINVAL when it is not
 * an event or a known event lacks its mandatory field. */
int evl_hapd_parse_event(const char *msg, struct evl_hapd_event *ev);

/* A monitor connection: open + ATTACH. Read it when its fd is readable. */
struct evl_hapd *evl_hapd_monitor_open(const char *ctrl_path, const char *local_dir,
				       int timeout_ms);
/* Next event without blocking: 0, -EAGAIN when none is queued, -errno. Non-event messages
 * are skipped. */
int evl_hapd_monitor_read(struct evl_hapd *h, struct evl_hapd_event *ev);
/* Liveness of an event connection: a datagram socket never learns that hostapd went away
 * until it sends. 0, or -ECONNREFUSED / -ENOENT / -errno: reconnect. The PONG is skipped by
 * evl_hapd_monitor_read. */
int evl_hapd_monitor_ping(struct evl_hapd *h);

/*
 * "SET chanlist 36-48 100" into buf: the channels, runs of consecutive numbers as ranges
 * (hostapd's chanlist syntax); n = 0 gives "SET chanlist " (hostapd: every channel).
 * Returns the length, -EINVAL (a channel outside 1..255) or -ENOSPC.
 */
int evl_hapd_format_chanlist(char *buf, size_t len, const int *chans, int n);

/*
 * "BSS_TM_REQ <sta> pref=1 abridged=1 [disassoc_imminent=1 disassoc_timer=N]
 * neighbor=<bssid>,0x<bssid_info>,<op_class>,<channel>,<phy_type>" into buf (hostapd's
 * ctrl_iface syntax; the candidate is preferred, the rest of the ESS is not). Returns the
 * length or -EINVAL (addresses, op class, channel, PHY type, timer out of range) / -ENOSPC.
 */
int evl_hapd_format_bss_tm_req(char *buf, size_t len, const char *sta,
			       const struct evl_bss_target *to);

/*
 * The actuator. An AP name is the hostapd interface name: its socket is ctrl_dir/<ap>.
 * switch_channel returns EVL_ACT_PENDING once hostapd accepted CHAN_SWITCH; the daemon confirms
 * it on AP-CSA-FINISHED (or nl80211 ch_switch_notify). set_radar_fallback sets hostapd's
 * run-time chanlist, the only channels its own radar reaction considers. hostapd cannot set TX
 * power: that op is delegated to `txpower` (e.g. the nl80211 back end) or fails with -EOPNOTSUPP.
 */
struct evl_hapd_opts {
	const char *ctrl_dir;		    /* default /var/run/hostapd */
	const char *local_dir;		    /* default /tmp */
	int timeout_ms;			    /* per request; default 1000 */
	int cs_count;			    /* CSA beacon count; default 10 */
	int radar_cs_count;		    /* ... of radar moves; default 5, as hostapd's own */
	const struct evl_actuator *txpower; /* may be NULL */
};

extern const struct evl_act_ops evl_act_hostapd_ops;
void *evl_act_hostapd_new(const struct evl_hapd_opts *opts);

#endif /* EVL_HOSTAPD_H */
