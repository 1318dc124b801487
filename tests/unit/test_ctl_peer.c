// SPDX-License-Identifier: GPL-2.0
/*
 * Control socket peer checks with real credentials: a child drops to nobody and connects.
 * Needs root (to setuid); SKIPs otherwise.
 */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <evl/ctl.h>

#define NOBODY 65534
#define GROUP  4242 /* any gid works: membership is all that is checked */

static char dir[64], sock[96];

static int handler(void *ctx, const struct evl_ctl_req *req, const struct evl_ctl_peer *peer,
		   struct evl_ctl_reply *r)
{
	(void)ctx;
	(void)req;
	evl_ctl_reply_printf(r, "hello uid %u", (unsigned int)peer->uid);
	return 0;
}

/*
 * Child: become nobody with the given groups, ask "status". Exit code: 0 ok reply with
 * want, 1 wrong reply, 2 connect refused by the file system.
 */
static void child(gid_t gid, gid_t extra, const char *want)
{
	char *body = NULL;
	int rc;

	if (setgroups(extra ? 1 : 0, &extra) || setgid(gid) || setuid(NOBODY))
		_exit(3);
	rc = evl_ctl_request(sock, "status", 2000, &body);
	if (rc == -EACCES)
		_exit(2);
	if (!(body && strstr(body, want)))
		fprintf(stderr, "child: rc %d body %s\n", rc, body ? body : "(null)");
	_exit(body && strstr(body, want) ? 0 : 1);
}

static int run(mode_t mode, gid_t allowed, gid_t gid, gid_t extra, const char *want)
{
	struct evl_ctl_server_opts o = {
		.path = sock, .mode = mode, .gid = allowed, .handler = handler};
	struct evl_ctl_server *s = evl_ctl_server_new(&o);
	int status = -1;
	pid_t pid;

	ck_assert_msg(s, "server: %s", strerror(errno));
	pid = fork();
	if (pid == 0)
		child(gid, extra, want);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		struct pollfd p = {evl_ctl_server_fd(s), POLLIN, 0};

		poll(&p, 1, 10);
		ck_assert_int_eq(evl_ctl_server_dispatch(s), 0);
	}
	evl_ctl_server_free(s);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void setup(void)
{
	strcpy(dir, "/tmp/evl-peer-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	snprintf(sock, sizeof(sock), "%s/evld.sock", dir);
}

static void teardown(void)
{
	rmdir(dir);
}

START_TEST(test_wrong_peer_gets_error)
{
	/* file mode wide open, so the credential check is what refuses */
	ck_assert_int_eq(run(0666, (gid_t)-1, NOBODY, 0, "permission denied: uid 65534"), 0);
	ck_assert_int_eq(run(0666, GROUP, NOBODY, 0, "permission denied: uid 65534"), 0);
}
END_TEST

START_TEST(test_group_member_allowed)
{
	/* supplementary group (SO_PEERGROUPS) and primary group (SO_PEERCRED) */
	ck_assert_int_eq(run(0666, GROUP, NOBODY, GROUP, "hello uid 65534"), 0);
	ck_assert_int_eq(run(0666, GROUP, GROUP, 0, "hello uid 65534"), 0);
}
END_TEST

START_TEST(test_socket_mode_keeps_others_out)
{
	/* 0660 root:GROUP: nobody outside GROUP cannot even connect; a member can */
	ck_assert_int_eq(run(0660, GROUP, NOBODY, 0, ""), 2);
	ck_assert_int_eq(run(0660, GROUP, NOBODY, GROUP, "hello uid 65534"), 0);
}
END_TEST

int main(void)
{
	Suite *su;
	TCase *tc;

	if (geteuid() != 0) {
		printf("SKIP: peer credential tests need root (setuid to nobody)\n");
		return 77;
	}
	su = suite_create("ctl_peer");
	tc = tcase_create("peer");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_wrong_peer_gets_error);
	tcase_add_test(tc, test_group_member_allowed);
	tcase_add_test(tc, test_socket_mode_keeps_others_out);
	suite_add_tcase(su, tc);
	return evl_check_run(su);
}
