/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Daemon support: atomic file replace, a Prometheus textfile writer, directories for the
 * unprivileged user, and dropping root while keeping a named set of capabilities.
 */
#ifndef EVL_SYS_H
#define EVL_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/capability.h>
#include <sys/types.h>

/*
 * Write buf to path so that readers see the old or the new content, never a mix, even across
 * a crash or power loss: write PATH.tmp.PID in the same directory, fsync it, rename over
 * path, fsync the directory. On error the old file is intact and no temp file is left.
 */
int evl_sys_write_atomic(const char *path, const void *buf, size_t len, mode_t mode);

/* Read a whole file of at most max bytes, NUL-terminated (*buf malloc'd). -EFBIG if larger. */
int evl_sys_read_file(const char *path, size_t max, char **buf, size_t *len);

/*
 * Keep a file that could not be used (corrupt state) for a human to look at: rename it to
 * PATH.bad.UNIXTIME (the name in aside). 0 or -errno.
 */
int evl_sys_move_aside(const char *path, char *aside, size_t len);

/* mkdir -p path (mode for what it creates), then give the leaf to uid:gid ((uid_t)-1 keeps). */
int evl_sys_prepare_dir(const char *path, mode_t mode, uid_t uid, gid_t gid);

/*
 * Capabilities evld keeps after dropping root, in ONE place (the systemd unit's
 * CapabilityBoundingSet and the README list these plus what start-up needs):
 *   CAP_NET_ADMIN  nl80211 commands (SET_WIPHY tx power, DEL_STATION, CHANNEL_SWITCH,
 *                  RADAR_DETECT) are GENL_ADMIN_PERM.
 * BPF programs are loaded, attached and their ring buffer opened while still root; the fds
 * stay usable without CAP_BPF. hostapd's control sockets need ctrl_interface_group=evl.
 */
extern const cap_value_t evl_sys_run_caps[];
extern const size_t evl_sys_n_run_caps;

/*
 * Become user (uid, gid, the user's supplementary groups) keeping only keep[0..n) as
 * permitted+effective capabilities; every other capability leaves the bounding set too,
 * and no_new_privs is set. Needs root; 0 or -errno (the process may then be half-dropped:
 * the caller must exit).
 */
int evl_sys_drop_privileges(const char *user, uid_t uid, gid_t gid, const cap_value_t *keep,
			    size_t n);

/* "cap_net_admin,cap_bpf" for logs; writes "" when n == 0. */
void evl_sys_caps_text(const cap_value_t *caps, size_t n, char *buf, size_t len);

/*
 * Prometheus text exposition format (node_exporter textfile collector). Build the whole
 * file in memory, family by family, then write it atomically:
 *
 *   p = evl_prom_new();
 *   evl_prom_family(p, "evl_events_total", "counter", "Events received.");
 *   evl_prom_sample(p, "evl_events_total", (struct evl_prom_label[]){{"type", "dfs_radar"}}, 1, 3);
 *   evl_prom_write(p, "/var/lib/prometheus/node-exporter/evl.prom");
 *
 * Names and label names are checked, label values escaped; a sample outside its family,
 * a family declared twice or a bad name is -EINVAL (-EEXIST) and changes nothing.
 */
struct evl_prom_label {
	const char *name;
	const char *value;
};

struct evl_prom;
struct evl_prom *evl_prom_new(void);
void evl_prom_free(struct evl_prom *p);
void evl_prom_reset(struct evl_prom *p); /* empty it, for the next interval */
int evl_prom_family(struct evl_prom *p, const char *name, const char *type, const char *help);
int evl_prom_sample(struct evl_prom *p, const char *name, const struct evl_prom_label *labels,
		    size_t n_labels, double value);
/* Histogram of the current family: counts[i] falls in (le[i-1], le[i]]; counts[n] above le[n-1]. */
int evl_prom_histogram(struct evl_prom *p, const char *name, const struct evl_prom_label *labels,
		       size_t n_labels, const double *le, const uint64_t *counts, size_t n,
		       double sum);
const char *evl_prom_text(const struct evl_prom *p, size_t *len);
int evl_prom_write(const struct evl_prom *p, const char *path);

#endif /* EVL_SYS_H */
