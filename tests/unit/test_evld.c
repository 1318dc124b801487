// SPDX-License-Identifier: GPL-2.0
/*
 * evld end to end: the real daemon (build/bin/evld --sim, or $EVLD) with a temporary config,
 * driven over its control socket as evlctl drives it: radar move, status, automatic and
 * manual rollback, kill -9 and restart (tokens, radio settings and the degradation counter
 * survive), SIGHUP/reload good and bad, bad config, corrupt state, and a trail that verifies.
 */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <json-c/json.h>

#include <evl/audit.h>
#include <evl/ctl.h>

static char dir[64], sock[128], conf[128], logpath[128];
static pid_t pid;

static const char *evld_bin(void)
{
	const char *b = getenv("EVLD");

	return b && *b ? b : "build/bin/evld";
}

static void write_conf(const char *extra)
{
	FILE *f = fopen(conf, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"country=DE\naudit_dir=%s/audit\naudit_key_file=%s/audit.key\n"
		"site_secret_file=%s/site.secret\nstate_dir=%s/state\nctl_socket=%s\n"
		"metrics_file=%s/evl.prom\nmetrics_interval_s=1\n%s"
		"interface=ap0\nactuator=sim\nband=5g\nchannel=52\nbandwidth=80\n"
		"interface=ap1\nactuator=sim\nband=2g\nchannel=6\nbandwidth=20\n",
		dir, dir, dir, dir, sock, dir, extra ? extra : "");
	fclose(f);
}

static void setup(void)
{
	char p[160];

	strcpy(dir, "/tmp/test_evld.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/evld.sock", dir);
	snprintf(conf, sizeof(conf), "%s/evld.conf", dir);
	snprintf(logpath, sizeof(logpath), "%s/evld.log", dir);
	snprintf(p, sizeof(p), "%s/audit.key", dir);
	ck_assert_int_eq(evl_audit_keygen(p), 0);
	snprintf(p, sizeof(p), "%s/site.secret", dir);
	ck_assert_int_eq(evl_audit_keygen(p), 0);
	write_conf(NULL);
	pid = 0;
}

static void teardown(void)
{
	char cmd[128];

	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}

/* Request; the reply body (caller frees) and the return code. */
static int req(const char *line, char **body)
{
	*body = NULL;
	return evl_ctl_request(sock, line, 3000, body);
}

static char *ok(const char *line)
{
	char *b;
	int rc = req(line, &b);

	ck_assert_msg(rc == 0, "'%s' failed: %d %s", line, rc, b ? b : "");
	return b;
}

static void dump_log(void)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "cat %s >&2", logpath);
	(void)!system(cmd);
}

static pid_t spawn_mode(bool sim)
{
	pid_t p = fork();

	ck_assert_int_ge(p, 0);
	if (!p) {
		int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(fd, 2);
		dup2(fd, 1);
		execl(evld_bin(), "evld", "-c", conf, "-f", sim ? "--sim" : NULL, (char *)NULL);
		_exit(127);
	}
	return p;
}

static pid_t spawn(void)
{
	return spawn_mode(true);
}

/* Start evld and wait until its control socket answers. */
static void start_mode(bool sim)
{
	struct timespec ts = {0, 20 * 1000 * 1000};
	char *b = NULL;

	pid = spawn_mode(sim);
	for (int i = 0; i < 250; i++) {
		int st;

		if (!req("stats", &b)) {
			free(b);
			return;
		}
		free(b);
		if (waitpid(pid, &st, WNOHANG) == pid) {
			pid = 0;
			dump_log();
			ck_abort_msg("evld exited during start-up (status %d)", st);
		}
		nanosleep(&ts, NULL);
	}
	dump_log();
	ck_abort_msg("evld did not answer on %s", sock);
}

static void start(void)
{
	start_mode(true);
}

static int stop(int sig)
{
	int st = -1;

	kill(pid, sig);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	pid = 0;
	return st;
}

static json_object *tokens(void)
{
	char *b = ok("tokens --json");
	json_object *o = json_tokener_parse(b);

	free(b);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_is_type(o, json_type_array));
	return o;
}

/* The newest token of an AP: its id, and next/prev channel. */
static bool token_of(const char *ap, char *id, size_t len, int *prev, int *next)
{
	json_object *a = tokens(), *t, *v, *c;
	bool found = false;

	for (size_t i = 0; i < json_object_array_length(a); i++) {
		t = json_object_array_get_idx(a, i);
		json_object_object_get_ex(t, "ap", &v);
		if (strcmp(json_object_get_string(v), ap))
			continue;
		json_object_object_get_ex(t, "token", &v);
		snprintf(id, len, "%s", json_object_get_string(v));
		json_object_object_get_ex(t, "prev", &c);
		json_object_object_get_ex(c, "channel", &v);
		*prev = json_object_get_int(v);
		json_object_object_get_ex(t, "next", &c);
		json_object_object_get_ex(c, "channel", &v);
		*next = json_object_get_int(v);
		found = true;
	}
	json_object_put(a);
	return found;
}

static bool status_has(const char *what)
{
	char *b = ok("status");
	bool r = strstr(b, what) != NULL;

	if (!r)
		fprintf(stderr, "status lacks '%s':\n%s", what, b);
	free(b);
	return r;
}

static void verify_trail(uint64_t min_records)
{
	struct evl_audit_verify v;
	char adir[160], key[160];

	snprintf(adir, sizeof(adir), "%s/audit", dir);
	snprintf(key, sizeof(key), "%s/audit.key", dir);
	evl_audit_verify_dir(adir, key, false, NULL, NULL, &v);
	ck_assert_msg(v.verdict == EVL_AUDIT_OK, "trail: %s:%lu %s", v.file, v.line, v.reason);
	ck_assert_uint_ge(v.records, min_records);
}

static bool file_has(const char *path, const char *what)
{
	char *buf = calloc(1, 1 << 20);
	FILE *f = fopen(path, "r");
	bool r = false;

	if (f) {
		size_t n = fread(buf, 1, (1 << 20) - 1, f);

		buf[n] = 0;
		r = strstr(buf, what) != NULL;
		fclose(f);
	}
	free(buf);
	return r;
}

/* ---- tests ------------------------------------------------------------------------------ */

START_TEST(test_radar_status_audit)
{
	char id[64], *b;
	int prev, next, st;

	start();
	b = ok("inject --type dfs_radar --ap ap0 --channel 52");
	ck_assert_ptr_nonnull(strstr(b, "queued"));
	free(b);
	ck_assert(token_of("ap0", id, sizeof(id), &prev, &next));
	ck_assert_int_eq(prev, 52);
	ck_assert_msg(next >= 36 && next <= 48, "DE radar move from 52/80 went to %d", next);
	ck_assert(status_has("Events Processed: 1\n"));
	ck_assert(status_has("Actions Executed: 1\n"));
	ck_assert(status_has("Active Tokens: 1/1\n"));
	b = ok("nop");
	ck_assert_ptr_nonnull(strstr(b, "ap0 channel 52 for"));
	ck_assert_ptr_nonnull(strstr(b, "ap0 channel 64 for"));
	free(b);
	/* a burst right after the move waits for the AP's cooldown */
	free(ok("inject --type non_wifi_burst --ap ap0 --channel 40"));
	ck_assert(status_has("Pending Events: 1\n"));
	ck_assert(status_has("Actions Executed: 1\n"));

	/* bad requests: an error reply, the daemon keeps going */
	ck_assert_int_eq(req("inject --type no_such --ap ap0", &b), -EREMOTEIO);
	free(b);
	ck_assert_int_eq(req("inject --type dfs_radar --ap nope", &b), -EREMOTEIO);
	free(b);
	ck_assert_int_eq(req("rollback evl-0-deadbeef", &b), -EREMOTEIO);
	ck_assert_ptr_nonnull(strstr(b, "no live token"));
	free(b);
	ck_assert_int_eq(req("metrics --ap ap0 --per 2 --retry 0 --tput 1", &b), -EREMOTEIO);
	free(b);

	st = stop(SIGTERM);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	verify_trail(4); /* daemon_start, action, ..., daemon_stop */
	{
		char p[160];

		snprintf(p, sizeof(p), "%s/evl.prom", dir);
		/* the radar on ap0 and the one for an unknown AP (rejected) */
		ck_assert(file_has(p, "evl_events_total{type=\"dfs_radar\"} 2"));
		ck_assert(file_has(p, "evl_rejected_total{reason=\"unknown_ap\"} 1"));
		ck_assert(file_has(p, "evl_active_tokens 1"));
	}
}
END_TEST

START_TEST(test_automatic_rollback)
{
	char id[64];
	int prev, next;

	start();
	free(ok("metrics --ap ap1 --per 0.01 --retry 0.05 --tput 100")); /* baseline */
	free(ok("inject --type non_wifi_burst --ap ap1 --channel 6"));
	ck_assert(token_of("ap1", id, sizeof(id), &prev, &next));
	ck_assert_int_eq(prev, 6);
	ck_assert_int_ne(next, 6);
	/* retry 5% -> 15% (3x) on two samples: the seed's example, rolled back to 6 */
	free(ok("metrics --ap ap1 --per 0.01 --retry 0.15 --tput 100"));
	ck_assert(status_has("Rollbacks Triggered: 0\n"));
	free(ok("metrics --ap ap1 --per 0.01 --retry 0.15 --tput 100"));
	ck_assert(status_has("Rollbacks Triggered: 1\n"));
	ck_assert(status_has("  - Automatic: 1\n"));
	ck_assert(status_has("ap1: 2g ch6/20 MHz"));
	ck_assert(!token_of("ap1", id, sizeof(id), &prev, &next));
	stop(SIGTERM);
	verify_trail(5);
}
END_TEST

START_TEST(test_restart_keeps_token_manual_rollback)
{
	char id[64], id2[64], line[128], *b;
	int prev, next, prev2, next2;

	start();
	free(ok("inject --type non_wifi_burst --ap ap1 --channel 6"));
	ck_assert(token_of("ap1", id, sizeof(id), &prev, &next));
	stop(SIGKILL); /* no goodbye: the state must already be on disk */
	start();
	ck_assert(token_of("ap1", id2, sizeof(id2), &prev2, &next2));
	ck_assert_str_eq(id, id2);
	ck_assert_int_eq(next2, next);
	snprintf(line, sizeof(line), "ap1: 2g ch%d/20 MHz", next);
	ck_assert(status_has(line)); /* the (simulated) radio kept its channel too */
	snprintf(line, sizeof(line), "rollback %s", id);
	b = ok(line);
	ck_assert_ptr_nonnull(strstr(b, "rolled back"));
	free(b);
	ck_assert(status_has("ap1: 2g ch6/20 MHz"));
	ck_assert(status_has("  - Manual: 1\n"));
	stop(SIGTERM);
	verify_trail(6);
}
END_TEST

START_TEST(test_kill9_inside_monitoring_window)
{
	char id[64];
	int prev, next;

	start();
	free(ok("metrics --ap ap1 --per 0.01 --retry 0.05 --tput 100"));
	free(ok("inject --type non_wifi_burst --ap ap1 --channel 6"));
	ck_assert(token_of("ap1", id, sizeof(id), &prev, &next));
	free(ok("metrics --ap ap1 --per 0.01 --retry 0.15 --tput 100")); /* 1st bad sample */
	stop(SIGKILL);
	start();
	ck_assert(status_has("Active Monitoring: 1\n"));
	free(ok("metrics --ap ap1 --per 0.01 --retry 0.15 --tput 100")); /* 2nd: roll back */
	ck_assert(status_has("  - Automatic: 1\n"));
	ck_assert(status_has("ap1: 2g ch6/20 MHz"));
	stop(SIGTERM);
	verify_trail(6);
}
END_TEST

START_TEST(test_radar_nop_refuses_manual_rollback)
{
	char id[64], line[128], *b;
	int prev, next;

	start();
	free(ok("inject --type dfs_radar --ap ap0 --channel 52"));
	ck_assert(token_of("ap0", id, sizeof(id), &prev, &next));
	stop(SIGKILL);
	start();
	snprintf(line, sizeof(line), "rollback %s", id);
	ck_assert_int_eq(req(line, &b), -EREMOTEIO);
	ck_assert_ptr_nonnull(strstr(b, "non-occupancy"));
	free(b);
	b = ok("nop"); /* the NOP list survived the kill too */
	ck_assert_ptr_nonnull(strstr(b, "ap0 channel 52"));
	free(b);
	stop(SIGTERM);
	verify_trail(5);
}
END_TEST

START_TEST(test_reload)
{
	char *b;
	int st;

	start();
	/* cooldown 10 s -> 0: a second burst right after the first acts at once */
	write_conf("cooldown_s=0\n");
	b = ok("reload");
	free(b);
	free(ok("inject --type non_wifi_burst --ap ap1 --channel 6"));
	free(ok("inject --type spectrum_sat --ap ap1"));
	ck_assert(status_has("Actions Executed: 2\n"));
	/* a bad file: refused, named, old config kept */
	write_conf("cooldown_s=-3\n");
	ck_assert_int_eq(req("reload", &b), -EREMOTEIO);
	ck_assert_ptr_nonnull(strstr(b, "cooldown_s"));
	free(b);
	/* SIGHUP with a bad file: logged, daemon alive */
	kill(pid, SIGHUP);
	usleep(200000);
	ck_assert(status_has("Actions Executed: 2\n"));
	ck_assert(file_has(logpath, "reload refused"));
	/* an interface change needs a restart: refused by name */
	write_conf("interface=ap2\nactuator=sim\n");
	ck_assert_int_eq(req("reload", &b), -EREMOTEIO);
	ck_assert_ptr_nonnull(strstr(b, "interface"));
	free(b);
	st = stop(SIGTERM);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	verify_trail(4);
}
END_TEST

/* A reload keeps the engine's state: a cooldown, the NOP list and tokens survive it. */
START_TEST(test_reload_keeps_state)
{
	char id[64], id2[64];
	int prev, next, prev2, next2;

	write_conf("cooldown_s=300\n");
	start();
	free(ok("inject --type non_wifi_burst --ap ap1 --channel 6"));
	ck_assert(token_of("ap1", id, sizeof(id), &prev, &next));
	ck_assert_int_eq(prev, 6);
	free(ok("inject --type dfs_radar --ap ap0 --channel 52"));
	ck_assert(status_has("Actions Executed: 2\n"));
	write_conf("cooldown_s=299\n");
	free(ok("reload"));
	/* still cooling down: refused, the AP stays */
	free(ok("inject --type non_wifi_burst --ap ap1"));
	ck_assert(status_has("Actions Executed: 2\n"));
	snprintf(id2, sizeof(id2), "ap1: 2g ch%d/20 MHz tx 20 dBm obss_pd 0 max_sta 0 up cooldown",
		 next);
	ck_assert(status_has(id2));
	ck_assert(token_of("ap1", id2, sizeof(id2), &prev2, &next2));
	ck_assert_str_eq(id2, id);
	ck_assert(token_of("ap0", id2, sizeof(id2), &prev2, &next2));
	{
		char *b = ok("nop");

		ck_assert_msg(strstr(b, "52"), "NOP lost by the reload: %s", b);
		free(b);
	}
	stop(SIGTERM);
}
END_TEST

START_TEST(test_bad_config_and_corrupt_state)
{
	char p[160], *b;
	int st;
	FILE *f;

	write_conf("frobnicate=1\n");
	pid = spawn();
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	pid = 0;
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert(file_has(logpath, "evld.conf:9: frobnicate"));

	write_conf(NULL);
	snprintf(p, sizeof(p), "%s/state", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/state/state.json", dir);
	f = fopen(p, "w");
	fputs("{\"boot_id\": tru", f);
	fclose(f);
	start();
	ck_assert(file_has(logpath, "moved aside"));
	b = ok("tokens");
	ck_assert_ptr_nonnull(strstr(b, "no active tokens"));
	free(b);
	stop(SIGTERM);
}
END_TEST

/* ---- a fake hostapd: STATUS, ATTACH, CHAN_SWITCH (answered OK, then AP-CSA-FINISHED) ---- */

struct fake {
	int fd;
	volatile int stop;
	pthread_t th;
	char cmd[256];	    /* the CHAN_SWITCH received */
	char chanlist[256]; /* the last SET chanlist received */
	volatile int switches, chanlists;
	bool fail_csa; /* report the switch as failed */
};

static void *fake_run(void *arg)
{
	struct fake *f = arg;
	struct sockaddr_un mon = {0};
	socklen_t mon_len = 0;

	while (!f->stop) {
		struct pollfd p = {.fd = f->fd, .events = POLLIN};
		struct sockaddr_un from;
		socklen_t flen = sizeof(from);
		const char *reply = "UNKNOWN COMMAND\n";
		char buf[256], ev[128];
		ssize_t n;
		int freq = 0;

		if (poll(&p, 1, 20) <= 0)
			continue;
		n = recvfrom(f->fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &flen);
		if (n <= 0)
			continue;
		buf[n] = 0;
		if (!strcmp(buf, "ATTACH")) {
			mon = from, mon_len = flen, reply = "OK\n";
		} else if (!strcmp(buf, "STATUS")) {
			reply = "state=ENABLED\nphy=phy0\nfreq=5260\nchannel=52\n"
				"secondary_channel=0\nieee80211n=1\nieee80211ac=0\nieee80211ax=0\n"
				"num_sta[0]=0\n";
		} else if (!strncmp(buf, "CHAN_SWITCH ", 12)) {
			snprintf(f->cmd, sizeof(f->cmd), "%s", buf);
			sscanf(buf, "CHAN_SWITCH %*d %d", &freq);
			reply = "OK\n";
		} else if (!strncmp(buf, "SET chanlist ", 13)) {
			snprintf(f->chanlist, sizeof(f->chanlist), "%s", buf + 13);
			f->chanlists++;
			reply = "OK\n";
		} else if (!strcmp(buf, "PING")) {
			reply = "PONG\n";
		} else if (!strcmp(buf, "DETACH")) {
			reply = "OK\n";
		}
		sendto(f->fd, reply, strlen(reply), 0, (struct sockaddr *)&from, flen);
		if (freq && mon_len) {
			usleep(50000); /* the CSA beacons */
			snprintf(ev, sizeof(ev), "<3>AP-CSA-FINISHED freq=%d dfs=0%s", freq,
				 f->fail_csa ? " success=0" : "");
			sendto(f->fd, ev, strlen(ev), 0, (struct sockaddr *)&mon, mon_len);
			f->switches++;
		}
	}
	return NULL;
}

static struct fake *fake_start(const char *ifname)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/hostapd", dir);
	mkdir(sun.sun_path, 0700);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/hostapd/%s", dir, ifname);
	f->fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_ge(f->fd, 0);
	ck_assert_int_eq(bind(f->fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	pthread_create(&f->th, NULL, fake_run, f);
	return f;
}

static void fake_stop(struct fake *f)
{
	f->stop = 1;
	pthread_join(f->th, NULL);
	close(f->fd);
	free(f);
}

/* Started without -f, evld detaches and keeps the SCHED_FIFO priority its log names. */
START_TEST(test_detached_keeps_priority)
{
	char extra[512], *buf, *at;
	struct sched_param sp;
	pid_t p, child = 0;
	struct fake *fk;
	int st;

	if (geteuid()) {
		fprintf(stderr, "SKIP: detached priority: SCHED_FIFO needs root\n");
		return;
	}
	snprintf(extra, sizeof(extra),
		 "hostapd_ctrl_dir=%s/hostapd\nbpf_pin_dir=%s/bpf/evl\nrt_priority=42\n"
		 "interface=wlan9\nactuator=hostapd\n",
		 dir, dir);
	write_conf(extra);
	fk = fake_start("wlan9");
	p = fork();
	ck_assert_int_ge(p, 0);
	if (!p) {
		int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(fd, 2);
		dup2(fd, 1);
		execl(evld_bin(), "evld", "-c", conf, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(p, &st, 0), p);
	ck_assert_msg(WIFEXITED(st) && !WEXITSTATUS(st), "evld start-up failed: %d", st);
	buf = calloc(1, 1 << 16);
	for (int i = 0; i < 250 && !child; i++) {
		FILE *f = fopen(logpath, "r");
		size_t n = f ? fread(buf, 1, (1 << 16) - 1, f) : 0;

		if (f)
			fclose(f);
		buf[n] = 0;
		at = strstr(buf, "detached as pid ");
		if (at)
			child = (pid_t)atoi(at + 16);
		else
			usleep(20000);
	}
	ck_assert_msg(child > 0, "no 'detached as pid' in the log:\n%s", buf);
	ck_assert_ptr_nonnull(strstr(buf, "SCHED_FIFO 42"));
	free(buf);
	ck_assert_int_eq(sched_getscheduler(child) & ~SCHED_RESET_ON_FORK, SCHED_FIFO);
	ck_assert_int_eq(sched_getparam(child, &sp), 0);
	ck_assert_int_eq(sp.sched_priority, 42);
	kill(child, SIGTERM); /* not our child: its exit shows in the log */
	for (int i = 0; i < 250 && !file_has(logpath, "evld: stopped"); i++)
		usleep(20000);
	ck_assert(file_has(logpath, "evld: stopped"));
	fake_stop(fk);
}
END_TEST

/* Without --sim, through the hostapd back end: the radar move is a CHAN_SWITCH with
 * blocktx and radar_cs_count beacons, pending until hostapd reports AP-CSA-FINISHED; then a
 * token exists. hostapd's own radar fallback (its chanlist) is armed with the CAC-free
 * candidates, re-armed after the move, and the configured chanlist is restored on stop. */
START_TEST(test_hostapd_radar_move)
{
	char extra[512], id[64], want[64], *b;
	int prev, next;
	struct fake *f;

	snprintf(extra, sizeof(extra),
		 "hostapd_ctrl_dir=%s/hostapd\nbpf_pin_dir=%s/bpf/evl\n"
		 "interface=wlan9\nactuator=hostapd\nchanlist=52\n",
		 dir, dir);
	write_conf(extra);
	f = fake_start("wlan9");
	start_mode(false);
	for (int i = 0; i < 100 && !file_has(logpath, "wlan9: attached"); i++)
		usleep(20000);
	ck_assert(file_has(logpath, "wlan9: attached"));
	ck_assert(status_has("wlan9: 5g ch52/20 MHz"));
	/* country 00, nothing reported: the four non-DFS channels, none needs a CAC */
	ck_assert_int_ge(f->chanlists, 1);
	ck_assert_str_eq(f->chanlist, "36 40 44 48");
	ck_assert(status_has("radar fallback armed: 36 40 44 48"));
	ck_assert(file_has(logpath, "dfs: wlan9: radar fallback armed: 36 40 44 48"));
	free(ok("inject --type dfs_radar --ap wlan9 --channel 52"));
	for (int i = 0; i < 100 && !f->switches; i++)
		usleep(20000);
	ck_assert_int_eq(f->switches, 1);
	ck_assert_msg(strstr(f->cmd, " blocktx"), "radar CSA without blocktx: %s", f->cmd);
	for (int i = 0; i < 100 && !token_of("wlan9", id, sizeof(id), &prev, &next); i++)
		usleep(20000);
	ck_assert(token_of("wlan9", id, sizeof(id), &prev, &next));
	ck_assert_int_eq(prev, 52);
	snprintf(want, sizeof(want), "CHAN_SWITCH 5 %d ", 5000 + 5 * next);
	ck_assert_msg(!strncmp(f->cmd, want, strlen(want)), "%s vs %s", f->cmd, want);
	b = ok("status");
	ck_assert_ptr_nonnull(strstr(b, "Actions Executed: 1\n"));
	free(b);
	ck_assert(file_has(logpath, "channel switch to"));
	/* on the new channel: the three others (52 sits in its NOP) */
	for (int i = 0; i < 100 && f->chanlists < 2; i++)
		usleep(20000);
	ck_assert_int_eq(f->chanlists, 2);
	snprintf(want, sizeof(want), "%d", next);
	ck_assert_msg(!strstr(f->chanlist, want) && !strstr(f->chanlist, "52"), "armed: %s",
		      f->chanlist);
	ck_assert_int_eq((int)strlen(f->chanlist), 8);
	stop(SIGTERM);
	ck_assert_str_eq(f->chanlist, "52");
	ck_assert(file_has(logpath, "dfs: wlan9: chanlist restored: 52"));
	fake_stop(f);
	verify_trail(4);
}
END_TEST

/* The table the selector sees (evlctl channels); simulated APs are not scanned. */
START_TEST(test_channels_and_scan)
{
	json_object *o, *rows, *r, *v, *sc;
	bool current = false;
	char *b;

	start();
	b = ok("channels ap0 --json");
	o = json_tokener_parse(b);
	free(b);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "channel", &v) && json_object_get_int(v) == 52);
	ck_assert(json_object_object_get_ex(o, "scan", &sc));
	ck_assert(json_object_object_get_ex(sc, "scans", &v) && json_object_get_int(v) == 0);
	ck_assert(json_object_object_get_ex(o, "channels", &rows));
	ck_assert_int_gt(json_object_array_length(rows), 4);
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		r = json_object_array_get_idx(rows, i);
		json_object_object_get_ex(r, "channel", &v);
		if (json_object_get_int(v) != 52)
			continue;
		json_object_object_get_ex(r, "current", &v);
		current = json_object_get_boolean(v);
		ck_assert(json_object_object_get_ex(r, "score", &sc));
		ck_assert(json_object_object_get_ex(sc, "total", &v));
		ck_assert(json_object_get_double(v) > 0);
	}
	ck_assert(current);
	json_object_put(o);
	b = ok("channels ap0");
	ck_assert_ptr_nonnull(strstr(b, "ap0: channel 52/80 MHz; no scan yet"));
	ck_assert_ptr_nonnull(strstr(b, " current"));
	free(b);
	ck_assert_int_eq(req("scan ap0", &b), -EREMOTEIO);
	ck_assert_ptr_nonnull(strstr(b, "not a radio evld can scan (simulated)"));
	free(b);
	ck_assert_int_eq(req("channels nope", &b), -EREMOTEIO);
	ck_assert_ptr_nonnull(strstr(b, "no interface nope"));
	free(b);
	stop(SIGTERM);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("evld");
	TCase *tc = tcase_create("daemon");

	if (access(evld_bin(), X_OK)) {
		fprintf(stderr, "%s: %s (run from the source tree after make)\n", evld_bin(),
			strerror(errno));
		return 1;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_radar_status_audit);
	tcase_add_test(tc, test_automatic_rollback);
	tcase_add_test(tc, test_restart_keeps_token_manual_rollback);
	tcase_add_test(tc, test_kill9_inside_monitoring_window);
	tcase_add_test(tc, test_radar_nop_refuses_manual_rollback);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_reload_keeps_state);
	tcase_add_test(tc, test_bad_config_and_corrupt_state);
	tcase_add_test(tc, test_hostapd_radar_move);
	tcase_add_test(tc, test_channels_and_scan);
	tcase_add_test(tc, test_detached_keeps_priority);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
