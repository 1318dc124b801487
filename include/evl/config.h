/* SPDX-License-Identifier: GPL-2.0 */
/*
 * evld's configuration file: hostapd.conf-style `key=value` lines.
 *
 *   - `#` starts a comment line; blank lines are ignored; whitespace around key and value
 *     is trimmed. A line is at most EVL_CONFIG_LINE_MAX bytes.
 *   - Global keys may appear anywhere. `interface=NAME` opens an interface block; the
 *     per-interface keys (actuator, band, channel, bandwidth, tx_power) that follow apply to
 *     the most recent `interface=` line and are an error before the first one.
 *   - Keys evld does not know go to the caller's setter (the decision core's tunables), which
 *     returns 0, -ENOENT (unknown key), -EINVAL or -ERANGE (bad value); `country` is kept
 *     here and also handed to it, so the core checks it is a country it has a plan for.
 *   - Parsing is all-or-nothing: on error *out is untouched and err names file, line and key.
 *     The callback should write into a scratch copy the caller commits only on success.
 */
#ifndef EVL_CONFIG_H
#define EVL_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <evl/act.h>

#define EVL_CONFIG_LINE_MAX   1024
#define EVL_CONFIG_IFNAME_MAX 16 /* IFNAMSIZ, NUL included */
#define EVL_CONFIG_MAX_IFACES 64
#define EVL_CONFIG_ERR_MAX    512

enum evl_config_actuator {
	EVL_CONFIG_ACT_HOSTAPD,
	EVL_CONFIG_ACT_NL80211,
	EVL_CONFIG_ACT_SIM,
};

enum evl_config_durability {
	EVL_CONFIG_DUR_EACH,  /* fsync after every audit record */
	EVL_CONFIG_DUR_EVERY, /* fsync every audit_sync_every records */
	EVL_CONFIG_DUR_NONE,  /* leave it to the page cache */
};

struct evl_config_iface {
	char name[EVL_CONFIG_IFNAME_MAX]; /* network interface; also the AP identifier */
	enum evl_config_actuator actuator;
	/* Initial radio settings of a `sim` interface (others read them from the radio). */
	enum evl_band band;
	int channel;
	int bandwidth; /* MHz */
	int tx_power;  /* dBm */
	/* hostapd.conf's chanlist of this interface (hostapd cannot report it), restored when
	 * evld stops; "" = every channel, hostapd's default. */
	unsigned char chanlist[256 / 8]; /* bit c: channel c */
};

/* The interface's chanlist as ascending channel numbers (at most 255): how many. */
int evl_config_chanlist(const struct evl_config_iface *i, int chans[255]);

struct evl_config {
	struct evl_config_iface ifaces[EVL_CONFIG_MAX_IFACES];
	unsigned int n_ifaces;
	char country[3]; /* ISO 3166 alpha-2 or "00" (world) */
	char hostapd_ctrl_dir[PATH_MAX];
	char audit_dir[PATH_MAX];
	char audit_key_file[PATH_MAX];
	char site_secret_file[PATH_MAX];
	enum evl_config_durability durability;
	unsigned int audit_sync_every; /* records per fsync with EVL_CONFIG_DUR_EVERY */
	char state_dir[PATH_MAX];
	char ctl_socket[108]; /* sun_path */
	mode_t ctl_socket_mode;
	gid_t ctl_socket_gid; /* (gid_t)-1: keep the daemon's group */
	char ctl_socket_group[64];
	char bpf_pin_dir[PATH_MAX];
	char metrics_file[PATH_MAX]; /* "" = no metrics file */
	unsigned int metrics_interval_s;
	char user[64]; /* "" = stay root */
	uid_t uid;
	gid_t gid;
	unsigned int survey_interval_ms;
	unsigned int station_interval_ms;
	unsigned int wiphy_interval_s;
	unsigned int rt_priority;	  /* SCHED_FIFO priority of evld, 0 = normal scheduling */
	unsigned int cs_count;		  /* CSA beacons announced by a channel move */
	unsigned int radar_cs_count;	  /* ... by a radar move (blocktx) */
};

/* Where keys evld does not know go (e.g. evl_core_config_set on a scratch copy). */
struct evl_config_keys {
	/* 0 taken, -ENOENT unknown, -EINVAL/-ERANGE bad value */
	int (*set)(void *ctx, const char *key, const char *value);
	/* optional: what a key accepts, for the error message ("an integer 0..86400") */
	const char *(*expect)(const char *key);
	void *ctx;
};

/* Built-in defaults (no interfaces). */
void evl_config_defaults(struct evl_config *cfg);

/*
 * Parse a file (or a NUL-terminated buffer, name used only in errors) on top of the
 * defaults. 0 and *out replaced, or -errno with *out untouched and a message in err.
 */
int evl_config_load(const char *path, const struct evl_config_keys *keys, struct evl_config *out,
		    char *err, size_t errlen);
int evl_config_parse(const char *name, const char *text, const struct evl_config_keys *keys,
		     struct evl_config *out, char *err, size_t errlen);

const struct evl_config_iface *evl_config_iface_find(const struct evl_config *cfg,
						     const char *name);
const char *evl_config_actuator_name(enum evl_config_actuator a);

#endif /* EVL_CONFIG_H */
