// SPDX-License-Identifier: GPL-2.0
/*
 * Daemon support that needs root: privilege drop with libcap (in a child, checked from
 * /proc-visible state), and atomic replace on a full file system (a 64 KiB tmpfs).
 * SKIPs when not root or when tmpfs cannot be mounted.
 */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <evl/sys.h>

#define NOBODY 65534

static bool has_cap(cap_t c, cap_value_t v, cap_flag_t f)
{
	cap_flag_value_t on = CAP_CLEAR;

	cap_get_flag(c, v, f, &on);
	return on == CAP_SET;
}

/* Child body; returns the exit code the parent checks (0 = all as expected). */
static int dropped_child(const cap_value_t *keep, size_t n)
{
	cap_t c;
	int bad = 0;

	if (evl_sys_drop_privileges(NULL, NOBODY, NOBODY, keep, n))
		return 10;
	if (getuid() != NOBODY || geteuid() != NOBODY || getgid() != NOBODY || getegid() != NOBODY)
		return 11;
	if (getgroups(0, NULL) != 0)
		return 12;
	c = cap_get_proc();
	for (cap_value_t v = 0; v <= CAP_LAST_CAP; v++) {
		bool want = false;

		for (size_t i = 0; i < n; i++)
			want |= keep[i] == v;
		if (!CAP_IS_SUPPORTED(v))
			continue;
		if (has_cap(c, v, CAP_EFFECTIVE) != want || has_cap(c, v, CAP_PERMITTED) != want ||
		    has_cap(c, v, CAP_INHERITABLE) || (cap_get_bound(v) == 1) != want)
			bad = 20 + v;
	}
	cap_free(c);
	if (bad)
		return bad > 250 ? 250 : bad;
	if (setuid(0) == 0 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 13;
	/* root's files are out of reach now */
	if (access("/root", W_OK) == 0)
		return 14;
	return 0;
}

static int run_child(const cap_value_t *keep, size_t n)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(dropped_child(keep, n));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_drop_keeps_run_caps)
{
	ck_assert_int_eq(run_child(evl_sys_run_caps, evl_sys_n_run_caps), 0);
}
END_TEST

START_TEST(test_drop_keeps_nothing)
{
	ck_assert_int_eq(run_child(NULL, 0), 0);
}
END_TEST

START_TEST(test_drop_refuses_root_target)
{
	ck_assert_int_eq(evl_sys_drop_privileges(NULL, 0, 0, NULL, 0), -EINVAL);
	ck_assert_int_eq(evl_sys_drop_privileges(NULL, (uid_t)-1, 1, NULL, 0), -EINVAL);
	ck_assert_int_eq(geteuid(), 0); /* nothing changed */
}
END_TEST

START_TEST(test_atomic_on_full_fs)
{
	char dir[] = "/tmp/evl-full-XXXXXX", path[96], *buf, *big;
	size_t len;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	if (mount("tmpfs", dir, "tmpfs", 0, "size=64k")) {
		rmdir(dir);
		ck_abort_msg("mount tmpfs: %s", strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/state.json", dir);
	ck_assert_int_eq(evl_sys_write_atomic(path, "{\"tokens\":[1]}", 14, 0600), 0);

	/* 1 MiB cannot fit: ENOSPC, the old state intact, no temp file eating the space */
	big = malloc(1 << 20);
	memset(big, '7', 1 << 20);
	ck_assert_int_eq(evl_sys_write_atomic(path, big, 1 << 20, 0600), -ENOSPC);
	ck_assert_int_eq(evl_sys_read_file(path, 1024, &buf, &len), 0);
	ck_assert_str_eq(buf, "{\"tokens\":[1]}");
	free(buf);
	/* and the space is back: a normal write works again */
	ck_assert_int_eq(evl_sys_write_atomic(path, big, 32 * 1024, 0600), 0);
	ck_assert_int_eq(evl_sys_read_file(path, 1 << 20, &buf, &len), 0);
	ck_assert_uint_eq(len, 32 * 1024);
	free(buf);
	free(big);
	ck_assert_int_eq(umount(dir), 0);
	rmdir(dir);
}
END_TEST

static bool can_mount_tmpfs(void)
{
	char dir[] = "/tmp/evl-probe-XXXXXX";
	bool ok;

	if (!mkdtemp(dir))
		return false;
	ok = mount("tmpfs", dir, "tmpfs", 0, "size=4k") == 0;
	if (ok)
		umount(dir);
	rmdir(dir);
	return ok;
}

int main(void)
{
	Suite *s;
	TCase *tc;

	if (geteuid() != 0) {
		printf("SKIP: privilege drop and full-disk tests need root\n");
		return 77;
	}
	s = suite_create("sys_root");
	tc = tcase_create("root");
	tcase_add_test(tc, test_drop_keeps_run_caps);
	tcase_add_test(tc, test_drop_keeps_nothing);
	tcase_add_test(tc, test_drop_refuses_root_target);
	if (can_mount_tmpfs())
		tcase_add_test(tc, test_atomic_on_full_fs);
	else
		printf("SKIP (one test): full-disk test: cannot mount a tmpfs here\n");
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
