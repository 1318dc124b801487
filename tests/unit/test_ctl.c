// SPDX-License-Identifier: GPL-2.0
/*
 * Control protocol: request parsing, and the server driven by real clients over a real
 * socket: good, malformed, oversized, a client that never sends, one that never reads,
 * too many clients, a live daemon's socket not stolen.
 */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <evl/ctl.h>

/* ---- parsing ------------------------------------------------------------------------ */

START_TEST(test_parse_good)
{
	struct evl_ctl_req r;
	char err[256];

	ck_assert_int_eq(evl_ctl_parse("status", 6, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, EVL_CTL_STATUS);
	ck_assert_int_eq(evl_ctl_parse("stats --json\n", 13, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, EVL_CTL_STATS);
	ck_assert(r.json);
	ck_assert_int_eq(evl_ctl_parse("tokens", 6, &r, err, sizeof(err)), 0);
	ck_assert(!r.json);
	ck_assert_int_eq(
		evl_ctl_parse("rollback evtloop-3f2a-1764818821-abc", 36, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, EVL_CTL_ROLLBACK);
	ck_assert_str_eq(r.token, "evtloop-3f2a-1764818821-abc");
	ck_assert_int_eq(evl_ctl_parse("nop", 3, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, EVL_CTL_NOP);
	ck_assert_int_eq(evl_ctl_parse("reload", 6, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, EVL_CTL_RELOAD);

	const char *inj = "inject  --type dfs_radar --ap wlan0 --severity critical "
			  "--confidence 0.95 --channel 52";
	ck_assert_int_eq(evl_ctl_parse(inj, strlen(inj), &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, EVL_CTL_INJECT);
	ck_assert_str_eq(r.inject.type, "dfs_radar");
	ck_assert_str_eq(r.inject.ap, "wlan0");
	ck_assert_str_eq(r.inject.severity, "critical");
	ck_assert_double_eq_tol(r.inject.confidence, 0.95, 1e-9);
	ck_assert_int_eq(r.inject.channel, 52);

	/* defaults: confidence 1, no severity, no channel */
	ck_assert_int_eq(
		evl_ctl_parse("inject --ap a --type non_wifi_burst", 35, &r, err, sizeof(err)), 0);
	ck_assert_double_eq(r.inject.confidence, 1.0);
	ck_assert_str_eq(r.inject.severity, "");

	const char *met =
		"metrics --ap wlan0 --per 0.02 --retry 0.1 --tput 250.5 --disc 3 --clients 7";
	ck_assert_int_eq(evl_ctl_parse(met, strlen(met), &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, EVL_CTL_METRICS);
	ck_assert_str_eq(r.metrics.ap, "wlan0");
	ck_assert_double_eq_tol(r.metrics.per, 0.02, 1e-12);
	ck_assert_double_eq_tol(r.metrics.retry, 0.1, 1e-12);
	ck_assert_double_eq_tol(r.metrics.tput_mbps, 250.5, 1e-9);
	ck_assert_double_eq_tol(r.metrics.disc_per_min, 3, 1e-12);
	ck_assert_int_eq(r.metrics.clients, 7);
	ck_assert_int_eq(r.inject.channel, 0);
	ck_assert_str_eq(evl_ctl_cmd_name(EVL_CTL_INJECT), "inject");
}
END_TEST

static const struct {
	const char *line, *msg;
} malformed[] = {
	{"", "empty request"},
	{"   ", "empty request"},
	{"frobnicate", "unknown command 'frobnicate'"},
	{"status now", "status takes no arguments"},
	{"stats --yaml", "usage: stats [--json]"},
	{"rollback", "usage: rollback TOKEN"},
	{"rollback a b", "usage: rollback TOKEN"},
	{"rollback ../../etc", "bad token"},
	{"inject --type dfs_radar", "--type and --ap are required"},
	{"inject --type dfs_radar --ap", "--ap needs a value"},
	{"inject --type dfs;rm --ap x", "bad event type"},
	{"inject --type t --ap wlan0 --confidence 1.5", "confidence '1.5' is not in 0..1"},
	{"inject --type t --ap wlan0 --confidence nan", "confidence 'nan'"},
	{"inject --type t --ap wlan0 --channel 0", "channel '0' is not in 1..233"},
	{"inject --type t --ap wlan0 --severity urgent", "severity 'urgent'"},
	{"inject --type t --ap wlan0 --colour red", "unknown option '--colour'"},
	{"status\tnow", "non-printable byte at 6"},
	{"a b c d e f g h i j k l m n o p q", "too many words"},
	{"metrics --ap wlan0 --per 0.1 --retry 0.1", "--tput is required"},
	{"metrics --per 0.1 --retry 0.1 --tput 5", "--ap is required"},
	{"metrics --ap wlan0 --per 1.5 --retry 0 --tput 5", "--per '1.5' is not a number in 0..1"},
	{"metrics --ap wlan0 --per 0 --retry -1 --tput 5", "--retry '-1'"},
	{"metrics --ap wlan0 --per 0 --retry 0 --tput nan", "--tput 'nan'"},
	{"metrics --ap wlan0 --per 0 --retry 0 --tput 5 --clients 2.5", "--clients '2.5'"},
	{"metrics --ap wlan0 --per 0 --retry 0 --tput 5 --clients 77777777777",
	 "--clients '77777777777'"},
	{"metrics --ap wlan0 --per 0 --retry 0 --tput 5 --jitter 1", "unknown option '--jitter'"},
};

START_TEST(test_parse_malformed)
{
	struct evl_ctl_req r;
	char err[256] = "";

	ck_assert_int_eq(
		evl_ctl_parse(malformed[_i].line, strlen(malformed[_i].line), &r, err, sizeof(err)),
		-EINVAL);
	ck_assert_msg(strstr(err, malformed[_i].msg), "'%s': got '%s'", malformed[_i].line, err);
}
END_TEST

START_TEST(test_parse_oversized)
{
	char line[EVL_CTL_REQ_MAX + 10], err[256];
	struct evl_ctl_req r;

	memset(line, 'a', sizeof(line));
	ck_assert_int_eq(evl_ctl_parse(line, sizeof(line), &r, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "longer than 512"));
	/* a binary NUL inside a request is refused, not cut short */
	ck_assert_int_eq(evl_ctl_parse("status\0x", 8, &r, err, sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(test_reply_printf)
{
	static struct evl_ctl_reply r;

	evl_ctl_reply_printf(&r, "Events Processed: %d\n", 3);
	ck_assert_str_eq(r.buf, "Events Processed: 3\n");
	for (int i = 0; i < 10000; i++)
		evl_ctl_reply_printf(&r, "0123456789");
	ck_assert(r.truncated);
	ck_assert_uint_lt(r.len, sizeof(r.buf));
	ck_assert_uint_eq(strlen(r.buf), r.len);
}
END_TEST

/* ---- server --------------------------------------------------------------------------- */

static char dir[64], sock[96];
static int handled;

/* A daemon stand-in: echoes the parsed request so the test sees what arrived. */
static int handler(void *ctx, const struct evl_ctl_req *req, const struct evl_ctl_peer *peer,
		   struct evl_ctl_reply *r)
{
	(void)ctx;
	handled++;
	if (req->cmd == EVL_CTL_ROLLBACK && !strcmp(req->token, "unknown")) {
		evl_ctl_reply_printf(r, "no such token '%s'", req->token);
		return -ENOENT;
	}
	if (req->cmd == EVL_CTL_NOP)
		return -EIO;		  /* no message: the server uses strerror */
	if (req->cmd == EVL_CTL_TOKENS) { /* far more than a reply can hold */
		for (int i = 0; i < 20000; i++)
			evl_ctl_reply_printf(r, "token-%d\n", i);
		return 0;
	}
	/* the test talks to itself: SO_PEERCRED must report our own uid */
	evl_ctl_reply_printf(r, "cmd=%s peer=%s json=%d", evl_ctl_cmd_name(req->cmd),
			     peer->uid == getuid() ? "self" : "other", req->json);
	if (req->cmd == EVL_CTL_INJECT)
		evl_ctl_reply_printf(r, " ap=%s ch=%d", req->inject.ap, req->inject.channel);
	return 0;
}

static struct evl_ctl_server *start(unsigned int idle_ms, unsigned int max_clients)
{
	struct evl_ctl_server_opts o = {.path = sock,
					.mode = 0660,
					.gid = (gid_t)-1,
					.idle_ms = idle_ms,
					.max_clients = max_clients,
					.handler = handler};
	struct evl_ctl_server *s;

	strcpy(dir, "/tmp/evl-ctl-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/evld.sock", dir);
	s = evl_ctl_server_new(&o);
	ck_assert_msg(s, "server: %s", strerror(errno));
	handled = 0;
	return s;
}

static void stop(struct evl_ctl_server *s)
{
	evl_ctl_server_free(s);
	ck_assert_int_eq(access(sock, F_OK), -1); /* the socket file is gone */
	rmdir(dir);
}

static int connect_client(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	strcpy(sa.sun_path, sock);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static uint64_t ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/* Run the server (as the daemon's loop would) until fd has something to read or wait_ms. */
static void pump(struct evl_ctl_server *s, int fd, int wait_ms)
{
	uint64_t end = ms() + wait_ms;

	while (ms() < end) {
		struct pollfd p[2] = {{evl_ctl_server_fd(s), POLLIN, 0}, {fd, POLLIN, 0}};

		poll(p, fd >= 0 ? 2 : 1, 10);
		ck_assert_int_eq(evl_ctl_server_dispatch(s), 0);
		if (fd >= 0 && (p[1].revents & (POLLIN | POLLHUP)))
			return;
	}
}

/* Send one datagram on fd, return the reply (static buffer). */
static const char *ask(struct evl_ctl_server *s, int fd, const void *req, size_t len)
{
	static char buf[EVL_CTL_REPLY_MAX + 64];
	ssize_t n;

	ck_assert_int_eq(send(fd, req, len, 0), (ssize_t)len);
	pump(s, fd, 2000);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ck_assert_int_ge(n, 0);
	buf[n] = 0;
	return buf;
}

START_TEST(test_server_good)
{
	struct evl_ctl_server *s = start(0, 0);
	struct evl_ctl_stats st;
	struct stat sb;
	int fd = connect_client();

	ck_assert_int_eq(stat(sock, &sb), 0);
	ck_assert(S_ISSOCK(sb.st_mode));
	ck_assert_uint_eq(sb.st_mode & 0777, 0660);

	ck_assert_str_eq(ask(s, fd, "status\n", 7), "ok\ncmd=status peer=self json=0");
	/* several requests on one connection */
	ck_assert_str_eq(ask(s, fd, "stats --json", 12), "ok\ncmd=stats peer=self json=1");
	ck_assert_str_eq(ask(s, fd, "inject --type dfs_radar --ap wlan0 --channel 52", 47),
			 "ok\ncmd=inject peer=self json=0 ap=wlan0 ch=52");
	ck_assert_str_eq(ask(s, fd, "rollback unknown", 16), "error: no such token 'unknown'\n");
	ck_assert_str_eq(ask(s, fd, "nop", 3), "error: Input/output error\n");
	ck_assert_str_eq(ask(s, fd, "tokens", 6), "error: Message too long\n");
	ck_assert_uint_eq(evl_ctl_server_clients(s), 1);
	close(fd);
	pump(s, -1, 50);
	ck_assert_uint_eq(evl_ctl_server_clients(s), 0);
	evl_ctl_server_stats(s, &st);
	ck_assert_uint_eq(st.requests, 6);
	ck_assert_uint_eq(st.errors, 3);
	stop(s);
}
END_TEST

START_TEST(test_server_malformed_and_oversized)
{
	struct evl_ctl_server *s = start(0, 0);
	static char big[64 * 1024];
	struct evl_ctl_stats st;
	int fd = connect_client();

	ck_assert_str_eq(ask(s, fd, "frobnicate", 10), "error: unknown command 'frobnicate'\n");
	ck_assert_str_eq(ask(s, fd, "\xff\xfe\x00\x01", 4),
			 "error: request contains a non-printable byte at 0\n");
	memset(big, 'x', sizeof(big));
	ck_assert_str_eq(ask(s, fd, big, sizeof(big)), "error: request longer than 512 bytes\n");
	ck_assert_str_eq(ask(s, fd, big, EVL_CTL_REQ_MAX + 1),
			 "error: request longer than 512 bytes\n");
	/* the handler never saw any of it, and the connection still works */
	ck_assert_int_eq(handled, 0);
	ck_assert_str_eq(ask(s, fd, "status", 6), "ok\ncmd=status peer=self json=0");
	evl_ctl_server_stats(s, &st);
	ck_assert_uint_eq(st.errors, 4);
	close(fd);
	stop(s);
}
END_TEST

START_TEST(test_server_silent_client)
{
	struct evl_ctl_server *s = start(200, 0);
	struct evl_ctl_stats st;
	char buf[64];
	uint64_t t0;
	int hung = connect_client(), fd = connect_client();

	/* a client that never sends does not hold up another one */
	t0 = ms();
	ck_assert_str_eq(ask(s, fd, "status", 6), "ok\ncmd=status peer=self json=0");
	ck_assert_uint_lt(ms() - t0, 150);
	close(fd);
	/* and is disconnected once idle */
	pump(s, hung, 2000);
	ck_assert_int_eq(recv(hung, buf, sizeof(buf), MSG_DONTWAIT), 20);
	ck_assert_int_eq(memcmp(buf, "error: idle timeout\n", 20), 0);
	ck_assert_int_eq(recv(hung, buf, sizeof(buf), MSG_DONTWAIT), 0); /* EOF */
	ck_assert_uint_ge(ms() - t0, 200);
	evl_ctl_server_stats(s, &st);
	ck_assert_uint_eq(st.dropped, 1);
	ck_assert_uint_eq(evl_ctl_server_clients(s), 0);
	close(hung);
	stop(s);
}
END_TEST

START_TEST(test_server_client_never_reads)
{
	struct evl_ctl_server *s = start(0, 0);
	uint64_t t0 = ms();
	int greedy = connect_client(), fd;

	/* thousands of requests, no reply read: replies are dropped, the server never blocks */
	for (int i = 0; i < 3000; i++) {
		if (send(greedy, "status", 6, MSG_DONTWAIT) != 6)
			pump(s, -1, 5);
	}
	pump(s, -1, 50);
	fd = connect_client();
	ck_assert_str_eq(ask(s, fd, "status", 6), "ok\ncmd=status peer=self json=0");
	ck_assert_uint_lt(ms() - t0, 5000);
	close(fd);
	close(greedy);
	stop(s);
}
END_TEST

START_TEST(test_server_too_many_clients)
{
	struct evl_ctl_server *s = start(0, 2);
	int a = connect_client(), b = connect_client(), c;

	pump(s, -1, 30);
	c = connect_client();
	pump(s, c, 1000);
	char buf[64];
	ssize_t n = recv(c, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	ck_assert_int_gt(n, 0);
	buf[n] = 0;
	ck_assert_str_eq(buf, "error: busy, too many control clients\n");
	ck_assert_str_eq(ask(s, a, "status", 6), "ok\ncmd=status peer=self json=0");
	close(a);
	close(b);
	close(c);
	stop(s);
}
END_TEST

START_TEST(test_server_path_claim)
{
	struct evl_ctl_server *s = start(0, 0), *s2;
	struct evl_ctl_server_opts o = {
		.path = sock, .mode = 0600, .gid = (gid_t)-1, .handler = handler};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	/* a live daemon's socket is not stolen */
	s2 = evl_ctl_server_new(&o);
	ck_assert_ptr_null(s2);
	ck_assert_int_eq(errno, EADDRINUSE);
	ck_assert_int_eq(access(sock, F_OK), 0); /* and the failed attempt left it in place */
	evl_ctl_server_free(s);

	/* a stale socket (daemon killed -9) is replaced */
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	strcpy(sa.sun_path, sock);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	s2 = evl_ctl_server_new(&o);
	ck_assert_ptr_nonnull(s2);
	evl_ctl_server_free(s2);

	/* a regular file is not a socket to replace */
	close(creat(sock, 0600));
	ck_assert_ptr_null(evl_ctl_server_new(&o));
	ck_assert_int_eq(errno, EEXIST);
	unlink(sock);
	rmdir(dir);
}
END_TEST

/* The client library end to end: a child asks, the parent is the daemon. */
START_TEST(test_client_request)
{
	struct evl_ctl_server *s = start(0, 0);
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		char *body;
		int ok = evl_ctl_request(sock, "inject --type dfs_radar --ap wlan0", 2000, &body) ==
				 0 &&
			 !strcmp(body, "cmd=inject peer=self json=0 ap=wlan0 ch=0");

		free(body);
		ok = ok && evl_ctl_request(sock, "rollback unknown", 2000, &body) == -EREMOTEIO &&
		     !strcmp(body, "no such token 'unknown'\n");
		free(body);
		ok = ok &&
		     evl_ctl_request("/nonexistent/evld.sock", "status", 100, &body) == -ENOENT &&
		     !body;
		_exit(ok ? 0 : 1);
	}
	for (int i = 0; i < 300 && waitpid(pid, &status, WNOHANG) == 0; i++)
		pump(s, -1, 10);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	stop(s);
}
END_TEST

START_TEST(test_client_timeout)
{
	struct evl_ctl_server *s = start(0, 0);
	char *body;

	/* the server is never dispatched: the client gives up after its timeout */
	ck_assert_int_eq(evl_ctl_request(sock, "status", 100, &body), -ETIMEDOUT);
	ck_assert_ptr_null(body);
	stop(s);
}
END_TEST

/* Run build/bin/evlctl ARGS against the server; return its exit code, output in out. */
static int evlctl(struct evl_ctl_server *s, const char *const *args, char *out, size_t outlen)
{
	char *argv[16] = {"build/bin/evlctl", "-s", sock, "-t", "2000"};
	int p[2], status, n = 5;
	size_t got = 0;
	pid_t pid;

	for (; *args; args++)
		argv[n++] = (char *)*args;
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while (waitpid(pid, &status, WNOHANG) == 0)
		if (s)
			pump(s, -1, 10);
		else
			usleep(10000);
	for (ssize_t r; (r = read(p[0], out + got, outlen - 1 - got)) > 0;)
		got += r;
	out[got] = 0;
	close(p[0]);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_evlctl_exit_codes)
{
	struct evl_ctl_server *s = start(0, 0);
	char out[4096];

	ck_assert_msg(access("build/bin/evlctl", X_OK) == 0, "build/bin/evlctl not built");
	ck_assert_int_eq(evlctl(s, (const char *[]){"stats", "--json", NULL}, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "cmd=stats peer=self json=1\n");
	ck_assert_int_eq(evlctl(s,
				(const char *[]){"inject", "--type", "dfs_radar", "--ap", "wlan0",
						 "--channel", "52", NULL},
				out, sizeof(out)),
			 0);
	ck_assert_str_eq(out, "cmd=inject peer=self json=0 ap=wlan0 ch=52\n");
	ck_assert_int_eq(evlctl(s, (const char *[]){"rollback", "unknown", NULL}, out, sizeof(out)),
			 1);
	ck_assert_str_eq(out, "evlctl: rollback: no such token 'unknown'\n");
	ck_assert_int_eq(
		evlctl(s, (const char *[]){"inject", "--ap", "wlan0", NULL}, out, sizeof(out)), 2);
	ck_assert_ptr_nonnull(strstr(out, "--type and --ap are required"));
	ck_assert_int_eq(
		evlctl(s, (const char *[]){"status", "now please", NULL}, out, sizeof(out)), 2);
	ck_assert_int_eq(evlctl(s, (const char *[]){"--help", NULL}, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "see evlctl(8)")); /* short: the man page has the rest */
	ck_assert_int_eq(handled, 3); /* usage errors never reached the daemon */
	stop(s);
	/* no daemon at all */
	strcpy(sock, "/nonexistent/evld.sock");
	ck_assert_int_eq(evlctl(NULL, (const char *[]){"status", NULL}, out, sizeof(out)), 3);
	ck_assert_ptr_nonnull(strstr(out, "is evld running?"));
}
END_TEST

int main(void)
{
	Suite *su = suite_create("ctl");
	TCase *tp = tcase_create("parse"), *ts = tcase_create("server");

	tcase_add_test(tp, test_parse_good);
	tcase_add_loop_test(tp, test_parse_malformed, 0, sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tp, test_parse_oversized);
	tcase_add_test(tp, test_reply_printf);
	tcase_add_test(ts, test_server_good);
	tcase_add_test(ts, test_server_malformed_and_oversized);
	tcase_add_test(ts, test_server_silent_client);
	tcase_add_test(ts, test_server_client_never_reads);
	tcase_add_test(ts, test_server_too_many_clients);
	tcase_add_test(ts, test_server_path_claim);
	tcase_add_test(ts, test_client_request);
	tcase_add_test(ts, test_client_timeout);
	tcase_add_test(ts, test_evlctl_exit_codes);
	suite_add_tcase(su, tp);
	suite_add_tcase(su, ts);
	return evl_check_run(su);
}
