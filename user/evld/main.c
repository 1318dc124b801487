// SPDX-License-Identifier: GPL-2.0
/*
 * evld: the evl daemon. One epoll loop (signalfd, one timerfd, control socket, BPF ring buffer,
 * nl80211 mlme monitor, hostapd event connections) around the decision core; CLOCK_BOOTTIME is
 * engine time. See README "Deployment" and `evld --help`.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "daemon.h"

static int usage(bool help)
{
	fprintf(help ? stdout : stderr,
		"usage: evld [-c FILE] [-f] [-v] [--sim]\n"
		"  -c, --config FILE  configuration (default /etc/evl/evld.conf; keys: "
		"evld.conf(5))\n"
		"  -f, --foreground   do not detach (systemd)\n"
		"  -v, --verbose      debug log lines\n"
		"  --sim              simulated APs only: no BPF, nl80211 or hostapd\n"
		"See evld(8).\n");
	return help ? 0 : 2;
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
	return evld_watch(d, evl_ctl_server_fd(d->ctl), TAG(TAG_CTL, 0));
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
		.wall_us = evld_wall_us,
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
	evld_scan_close(d);
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
			evld_verbosity = EVLD_DEBUG;
			break;
		case 'S':
			d->sim = true;
			break;
		default: /* -h, --help, or a bad option */
			return usage(c == 'h');
		}
	}
	if (optind != argc) {
		return usage(false);
	}
	if (evld_load_config(d, &d->cfg, &d->core, err, sizeof(err))) {
		evld_log(EVLD_ERR, "evld", "%s", err);
		return 1;
	}
	/* engine time 0 is boot: tokens are named and records dated by the wall clock */
	d->wall_base_us =
		(int64_t)(evld_clock_ns(CLOCK_REALTIME) / 1000) - (int64_t)(evld_now() / 1000);
	d->core.unix_base_s = d->wall_base_us / 1000000;
	d->start_wall_s = (double)evld_clock_ns(CLOCK_REALTIME) / 1e9;
	d->mux = (struct evl_actuator){&evld_mux_ops, d};
	evld_read_boot_id(d);

	if (evld_open_loop(d)) {
		evld_log(EVLD_ERR, "evld", "event loop: %s", strerror(errno));
		goto out;
	}
	/* Privileged part: BPF, netlink, sockets. */
	if (d->sim) {
		evld_log(EVLD_INFO, "bpf",
			 "--sim: simulated APs, running without BPF, nl80211 and "
			 "hostapd");
	} else {
		if (evld_bpf_start(d) == 0 && evld_watch(d, evld_bpf_fd(d), TAG(TAG_BPF, 0)))
			evld_log(EVLD_ERR, "bpf", "cannot watch the ring buffer: %s",
				 strerror(errno));
		d->radio = evld_radio_open();
		if (!d->radio)
			evld_log(EVLD_WARN, "nl80211",
				 "no sensing (%s): no survey, station or DFS "
				 "state polls",
				 strerror(errno));
		else if (evld_radio_mon_fd(d->radio) < 0 ||
			 evld_watch(d, evld_radio_mon_fd(d->radio), TAG(TAG_NL, 0)))
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
	state = evld_state_read(d);
	if (evld_setup_ifaces(d, state))
		goto out;
	d->e = evld_engine_new(d);
	if (!d->e)
		goto out;
	evld_state_apply(d, state);
	json_object_put(state);
	state = NULL;
	evld_audit_daemon(d, EVL_REC_DAEMON_START, d->sim ? "start_sim" : "start");
	d->dirty = true;
	evld_polls(d, evld_now()); /* hostapd event connections, first samples */
	evld_log(EVLD_INFO, "evld", "running: %u interface(s), control socket %s", d->n_if,
		 d->cfg.ctl_socket);
	if (!d->foreground) {
		struct sched_param sp;
		int pol;

		if (daemon(1, 1)) {
			evld_log(EVLD_ERR, "evld", "cannot detach: %s", strerror(errno));
			goto out;
		}
		/* epoll reports a signalfd ready for the process that added it: the parent */
		epoll_ctl(d->ep, EPOLL_CTL_DEL, d->sfd, NULL);
		if (evld_watch(d, d->sfd, TAG(TAG_SIGNAL, 0))) {
			evld_log(EVLD_ERR, "evld", "cannot watch signals: %s", strerror(errno));
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
	rc = evld_run(d) ? 1 : 0;
	evld_restore_fallback(d);
	evld_audit_daemon(d, EVL_REC_DAEMON_STOP, "stop");
	evld_write_metrics(d);
	if ((c = evld_save_state(d)))
		evld_log(EVLD_ERR, "state", "cannot save state: %s", strerror(-c));
	evld_log(EVLD_INFO, "evld", "stopped");
out:
	json_object_put(state);
	shutdown_all(d);
	return rc;
}
