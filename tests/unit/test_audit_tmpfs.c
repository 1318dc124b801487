// SPDX-License-Identifier: GPL-2.0
/* Audit on a really full file system (a tiny tmpfs; needs root): records are held in memory,
 * nothing half-written stays on disk, and everything lands once space is back. */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evl/audit.h"

static char base[64], mnt[128], dir[160], key[128], secret[128], filler[160];

static int64_t wall(void *ctx, uint64_t mono_ns)
{
	(void)ctx;
	return 1735732800000000LL + (int64_t)(mono_ns / 1000);
}

START_TEST(full_tmpfs)
{
	struct evl_audit_opts o = {.dir = dir,
				   .key_file = key,
				   .secret_file = secret,
				   .durability = EVL_AUDIT_SYNC_EACH,
				   .wall_us = wall};
	struct evl_record r = {.kind = EVL_REC_ACTION,
			       .ap = "ap-1",
			       .event_type = "dfs_radar",
			       .action_type = "channel_change",
			       .status = "success",
			       .source = "inject",
			       .detect_to_action_us = -1,
			       .changes = {{"channel", 52, 36}},
			       .n_changes = 1};
	struct evl_audit_verify v;
	struct evl_audit_stats st;
	char blk[4096] = {0}, last;
	int fd, n = 0, failed = 0, err = 0;
	struct evl_audit *a;

	a = evl_audit_open(&o);
	ck_assert_msg(a, "open: %s", evl_audit_errmsg());
	for (; n < 5; n++) {
		r.mono_ns = (uint64_t)n * 1000000;
		ck_assert_int_eq(evl_audit_append(a, &r), 0);
	}
	fd = open(filler, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	while (write(fd, blk, sizeof(blk)) > 0)
		;
	close(fd);
	/* Fill the partial page too, then records must start failing. */
	for (; n < 400 && failed < 3; n++) {
		r.mono_ns = (uint64_t)n * 1000000;
		err = evl_audit_append(a, &r);
		failed += err != 0;
	}
	ck_assert_int_eq(failed, 3);
	ck_assert_int_eq(err, -ENOSPC);
	evl_audit_get_stats(a, &st);
	ck_assert_uint_eq(st.pending, 3);
	ck_assert_uint_eq(st.dropped, 0);
	/* What is on disk ends with a whole line. */
	snprintf(blk, sizeof(blk), "%s/audit_20250101.jsonl", dir);
	fd = open(blk, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &last, 1, lseek(fd, 0, SEEK_END) - 1), 1);
	close(fd);
	ck_assert_int_eq(last, '\n');
	ck_assert_int_eq(unlink(filler), 0); /* space again */
	ck_assert_int_eq(evl_audit_flush(a), 0);
	evl_audit_get_stats(a, &st);
	ck_assert_uint_eq(st.pending, 0);
	ck_assert_uint_eq(st.records, (uint64_t)n);
	evl_audit_close(a);
	ck_assert_int_eq(evl_audit_verify_dir(dir, key, false, NULL, NULL, &v), 0);
	ck_assert_msg(v.verdict == EVL_AUDIT_OK, "%s:%lu %s", v.file, v.line, v.reason);
	ck_assert_uint_eq(v.records, (uint64_t)n);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;
	int failed;

	snprintf(base, sizeof(base), "/tmp/evl-test-audit-tmpfs.XXXXXX");
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(mnt, sizeof(mnt), "%s/mnt", base);
	snprintf(dir, sizeof(dir), "%s/trail", mnt);
	snprintf(filler, sizeof(filler), "%s/filler", mnt);
	snprintf(key, sizeof(key), "%s/key", base);
	snprintf(secret, sizeof(secret), "%s/secret", base);
	if (geteuid() != 0 || mkdir(mnt, 0700) ||
	    mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=128k,mode=0700")) {
		printf("SKIP test_audit_tmpfs: needs root and a tmpfs mount (%s)\n",
		       geteuid() ? "not root" : strerror(errno));
		rmdir(mnt);
		rmdir(base);
		return 77;
	}
	if (evl_audit_keygen(key) || evl_audit_keygen(secret)) {
		printf("keygen: %s\n", evl_audit_errmsg());
		failed = 1;
		goto out;
	}
	s = suite_create("audit_tmpfs");
	tc = tcase_create("full");
	tcase_add_test(tc, full_tmpfs);
	suite_add_tcase(s, tc);
	setenv("CK_FORK", "no", 1); /* one process: the mount is cleaned up below */
	failed = evl_check_run(s);
out:
	umount2(mnt, MNT_DETACH);
	rmdir(mnt);
	unlink(key);
	unlink(secret);
	rmdir(base);
	return failed ? 1 : 0;
}
