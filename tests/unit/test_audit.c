// SPDX-License-Identifier: GPL-2.0
/* Audit trail: tampering of every kind is caught, clean trails verify across rotation,
 * compression, retention and key evolution; torn tails, disk full and privacy. */
#include <check.h>
#include "../lib/check_run.h"
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "evl/audit.h"

#define DAY_US 86400000000LL
/* 2025-01-01T00:00:00Z */
#define T0_US	1735689600000000LL
#define RAW_AP	"ap-kitchen-AA:BB:CC:DD:EE:FF"
#define RAW_EVT "radar@AA:BB:CC:DD:EE:FF#7"

struct fx {
	char base[256], dir[300], key[300], init_key[300], secret[300];
	int64_t wall0; /* wall clock at engine time 0 */
};

static int64_t fx_wall(void *ctx, uint64_t mono_ns)
{
	return ((struct fx *)ctx)->wall0 + (int64_t)(mono_ns / 1000);
}

static void copy_file(const char *from, const char *to)
{
	char buf[64];
	FILE *f = fopen(from, "rb"), *g = fopen(to, "wb");
	size_t n;

	ck_assert(f && g);
	n = fread(buf, 1, sizeof(buf), f);
	ck_assert_uint_eq(fwrite(buf, 1, n, g), n);
	fclose(f);
	fclose(g);
	chmod(to, 0600);
}

static void fx_init(struct fx *f)
{
	snprintf(f->base, sizeof(f->base), "/tmp/evl-test-audit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->base));
	snprintf(f->dir, sizeof(f->dir), "%s/trail", f->base);
	snprintf(f->key, sizeof(f->key), "%s/host.key", f->base);
	snprintf(f->init_key, sizeof(f->init_key), "%s/offline.key", f->base);
	snprintf(f->secret, sizeof(f->secret), "%s/site.secret", f->base);
	ck_assert_int_eq(evl_audit_keygen(f->key), 0);
	ck_assert_int_eq(evl_audit_keygen(f->secret), 0);
	copy_file(f->key, f->init_key); /* the verifier's offline copy of the initial key */
	f->wall0 = T0_US;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *w)
{
	(void)st;
	(void)flag;
	(void)w;
	return remove(p);
}

static void fx_fini(struct fx *f)
{
	nftw(f->base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static struct evl_audit *fx_open(struct fx *f, const struct evl_audit_io_ops *io, void *io_ctx)
{
	struct evl_audit_opts o = {
		.dir = f->dir,
		.key_file = f->key,
		.secret_file = f->secret,
		.durability = EVL_AUDIT_SYNC_NONE,
		.wall_us = fx_wall,
		.wall_ctx = f,
		.io = io,
		.io_ctx = io_ctx,
	};
	struct evl_audit *a = evl_audit_open(&o);

	ck_assert_msg(a, "open: %s", evl_audit_errmsg());
	return a;
}

static struct evl_record rec_at(uint64_t mono_ns, int i)
{
	struct evl_record r = {
		.kind = i % 3 ? EVL_REC_ACTION : EVL_REC_REJECTED,
		.mono_ns = mono_ns,
		.event_id = RAW_EVT,
		.event_type = "dfs_radar",
		.ap = RAW_AP,
		.radio = "5g",
		.action_type = "channel_change",
		.changes = {{"channel", 52, 40 + i}},
		.n_changes = 1,
		.token = "evtloop-1764818821-abc",
		.status = i % 3 ? "success" : "refused",
		.reason = i % 3 ? "radar" : "low_confidence",
		.source = "ebpf",
		.detect_to_action_us = 850,
		.radar_ns = mono_ns ? mono_ns - 1000 : 0,
		.switch_issued_ns = mono_ns,
		.switch_confirmed_ns = mono_ns + 850000000ULL,
	};

	return r;
}

/* n records every step_us of engine time from mono_start_us. */
static void append_n(struct evl_audit *a, int n, int64_t mono_start_us, int64_t step_us)
{
	for (int i = 0; i < n; i++) {
		struct evl_record r = rec_at((uint64_t)(mono_start_us + i * step_us) * 1000, i);

		ck_assert_int_eq(evl_audit_append(a, &r), 0);
	}
}

/* Three days: 4 records 8 h apart starting 2025-01-01 06:00 -> 01-01, 01-02 (x3), 01-03?
 * Use 7 records 8 h apart from 06:00: 06,14,22 | 06,14,22 | 06 -> three day files. */
static void three_days(struct fx *f)
{
	struct evl_audit *a = fx_open(f, NULL, NULL);

	append_n(a, 7, 6LL * 3600 * 1000000, 8LL * 3600 * 1000000);
	evl_audit_close(a);
}

static enum evl_audit_verdict verify(struct fx *f, struct evl_audit_verify *r)
{
	ck_assert_int_eq(evl_audit_verify_dir(f->dir, f->init_key, false, NULL, NULL, r), 0);
	return r->verdict;
}

static void path_of(struct fx *f, const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", f->dir, name);
}

/* Whole file as lines (in place, newline-terminated) for editing. */
struct lines {
	char *buf;
	char *l[256];
	size_t n;
};

static void lines_read(const char *path, struct lines *ls)
{
	FILE *fp = fopen(path, "rb");
	long sz;

	ck_assert_ptr_nonnull(fp);
	fseek(fp, 0, SEEK_END);
	sz = ftell(fp);
	rewind(fp);
	ls->buf = calloc(1, (size_t)sz + 1);
	ck_assert_uint_eq(fread(ls->buf, 1, (size_t)sz, fp), (size_t)sz);
	fclose(fp);
	ls->n = 0;
	for (char *p = ls->buf, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		ls->l[ls->n++] = p;
	}
}

/* Write lines back, in the order given by idx (-1 terminated). */
static void lines_write(const char *path, struct lines *ls, const int *idx)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	for (; *idx >= 0; idx++)
		fprintf(fp, "%s\n", ls->l[*idx]);
	fclose(fp);
	free(ls->buf);
}

static char day1[] = "audit_20250101.jsonl", day2[] = "audit_20250102.jsonl",
	    day3[] = "audit_20250103.jsonl";

START_TEST(clean_trail_across_days_and_key_evolution)
{
	struct evl_audit_verify r;
	uint8_t host[EVL_AUDIT_KEY_LEN], init[EVL_AUDIT_KEY_LEN];
	uint64_t he, ie;
	struct lines ls;
	char p[400];
	struct fx f;

	fx_init(&f);
	three_days(&f);
	ck_assert_int_eq(verify(&f, &r), EVL_AUDIT_OK);
	ck_assert_uint_eq(r.files, 3);
	ck_assert_uint_eq(r.records, 7 + 2); /* two day seals */
	ck_assert_uint_eq(r.key_epoch, 2);
	/* The host key moved on: epoch 2 = SHA-256 twice of the initial key. */
	ck_assert_int_eq(evl_audit_key_load(f.key, host, &he), 0);
	ck_assert_int_eq(evl_audit_key_load(f.init_key, init, &ie), 0);
	ck_assert_uint_eq(he, 2);
	ck_assert_uint_eq(ie, 0);
	evl_audit_key_evolve(init);
	ck_assert_mem_ne(init, host, EVL_AUDIT_KEY_LEN);
	evl_audit_key_evolve(init);
	ck_assert_mem_eq(init, host, EVL_AUDIT_KEY_LEN);
	/* Yesterday ends with a seal signed by yesterday's key. */
	path_of(&f, day1, p, sizeof(p));
	lines_read(p, &ls);
	ck_assert_uint_eq(ls.n, 4);
	ck_assert_ptr_nonnull(strstr(ls.l[3], "\"kind\":\"key_rotation\""));
	ck_assert_ptr_nonnull(strstr(ls.l[3], "\"key_epoch\":0,"));
	ck_assert_ptr_nonnull(strstr(ls.l[3], "\"next_key_epoch\":1"));
	ck_assert_ptr_nonnull(strstr(ls.l[0], "\"timestamp\":\"2025-01-01T06:00:00.000000Z\""));
	ck_assert_ptr_nonnull(strstr(ls.l[1], "\"radar_to_switch_confirmed_us\":850001"));
	free(ls.buf);
	/* The evolved host key checks its own epoch on and names what it cannot check. */
	ck_assert_int_eq(evl_audit_verify_dir(f.dir, f.key, false, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.verdict, EVL_AUDIT_PARTIAL);
	ck_assert_uint_eq(r.records, 9);
	ck_assert_uint_eq(r.unchecked, 8); /* both closed days with their seals */
	ck_assert_uint_eq(r.checked_from_epoch, 2);
	ck_assert_str_eq(r.file, day1);
	ck_assert_uint_eq(r.line, 1);
	ck_assert_str_eq(r.unchecked_last, day2);
	ck_assert_uint_eq(r.unchecked_last_line, 4);
	ck_assert_ptr_nonnull(strstr(r.reason, "key epochs 0..1"));
	ck_assert_ptr_nonnull(strstr(r.reason, "verification key"));
	/* ...and still finds an edit in the part it can check */
	path_of(&f, day3, p, sizeof(p));
	lines_read(p, &ls);
	ls.l[0][strlen(ls.l[0]) - 10] ^= 1;
	lines_write(p, &ls, (const int[]){0, -1});
	ck_assert_int_eq(evl_audit_verify_dir(f.dir, f.key, false, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.verdict, EVL_AUDIT_TAMPERED);
	ck_assert_str_eq(r.file, day3);
	fx_fini(&f);
	fx_init(&f);
	three_days(&f);
	/* Reopening continues the chain in the same day. */
	f.wall0 = T0_US + 2 * DAY_US;
	struct evl_audit *a = fx_open(&f, NULL, NULL);
	append_n(a, 2, 8LL * 3600 * 1000000, 1000000);
	evl_audit_close(a);
	ck_assert_int_eq(verify(&f, &r), EVL_AUDIT_OK);
	ck_assert_uint_eq(r.files, 3);
	ck_assert_uint_eq(r.records, 11);
	fx_fini(&f);
}
END_TEST

/* Rewrite one day file with the given line order; expect tampering reported in `file`. */
static void expect_tampered(struct fx *f, const char *file, unsigned long line, const char *why)
{
	struct evl_audit_verify r;

	ck_assert_int_eq(verify(f, &r), EVL_AUDIT_TAMPERED);
	ck_assert_msg(!strcmp(r.file, file), "file %s, want %s (%s)", r.file, file, r.reason);
	if (line)
		ck_assert_msg(r.line == line, "line %lu, want %lu (%s)", r.line, line, r.reason);
	ck_assert_msg(strstr(r.reason, why), "reason '%s' lacks '%s'", r.reason, why);
}

START_TEST(edit_one_byte)
{
	struct lines ls;
	char p[400], *v;
	struct fx f;

	fx_init(&f);
	three_days(&f);
	path_of(&f, day2, p, sizeof(p));
	lines_read(p, &ls);
	v = strstr(ls.l[1], "\"new_value\":4");
	ck_assert_ptr_nonnull(v);
	v[strlen("\"new_value\":")] = '6'; /* 4x -> 6x */
	lines_write(p, &ls, (int[]){0, 1, 2, 3, -1});
	expect_tampered(&f, day2, 2, "signature mismatch");
	fx_fini(&f);
}
END_TEST

START_TEST(delete_insert_swap)
{
	struct lines ls;
	char p[400];
	struct fx f;

	fx_init(&f);
	three_days(&f);
	path_of(&f, day2, p, sizeof(p));
	lines_read(p, &ls);
	lines_write(p, &ls, (int[]){0, 2, 3, -1}); /* delete */
	expect_tampered(&f, day2, 2, "records deleted");
	fx_fini(&f);

	fx_init(&f);
	three_days(&f);
	path_of(&f, day2, p, sizeof(p));
	lines_read(p, &ls);
	lines_write(p, &ls, (int[]){0, 1, 1, 2, 3, -1}); /* insert (a replayed record) */
	expect_tampered(&f, day2, 3, "inserted");
	fx_fini(&f);

	fx_init(&f);
	three_days(&f);
	path_of(&f, day2, p, sizeof(p));
	lines_read(p, &ls);
	lines_write(p, &ls, (int[]){0, 2, 1, 3, -1}); /* swap */
	expect_tampered(&f, day2, 2, "records deleted");
	fx_fini(&f);
}
END_TEST

START_TEST(insert_forged_record)
{
	struct lines ls;
	char p[400], forged[4096];
	struct fx f;

	fx_init(&f);
	three_days(&f);
	path_of(&f, day1, p, sizeof(p));
	lines_read(p, &ls);
	/* A copy of line 2 with a new seq: the signature no longer matches. */
	snprintf(forged, sizeof(forged), "%s", ls.l[1]);
	char *s = strstr(forged, "\"seq\":1,");
	ck_assert_ptr_nonnull(s);
	s[6] = '2';
	ls.l[ls.n] = forged;
	lines_write(p, &ls, (int[]){0, 1, (int)ls.n, 2, 3, -1});
	expect_tampered(&f, day1, 3, "signature mismatch");
	fx_fini(&f);
}
END_TEST

START_TEST(truncate_tail)
{
	struct lines ls;
	char p[400];
	struct fx f;

	fx_init(&f);
	three_days(&f);
	path_of(&f, day3, p, sizeof(p));
	lines_read(p, &ls);
	ck_assert_uint_eq(ls.n, 1);
	lines_write(p, &ls, (int[]){-1}); /* the newest record gone */
	expect_tampered(&f, day3, 0, "signed head vouches for seq 8");
	fx_fini(&f);

	/* Cutting yesterday's tail (its seal) is caught even with the later days re-linked. */
	fx_init(&f);
	three_days(&f);
	path_of(&f, day1, p, sizeof(p));
	lines_read(p, &ls);
	lines_write(p, &ls, (int[]){0, 1, 2, -1});
	expect_tampered(&f, day1, 3, "does not end with its key_rotation seal");
	fx_fini(&f);
}
END_TEST

START_TEST(delete_day_files)
{
	char p[400];
	struct fx f;

	fx_init(&f);
	three_days(&f);
	path_of(&f, day2, p, sizeof(p));
	ck_assert_int_eq(unlink(p), 0);
	expect_tampered(&f, day3, 1, "records deleted");
	fx_fini(&f);

	fx_init(&f);
	three_days(&f);
	path_of(&f, day3, p, sizeof(p));
	ck_assert_int_eq(unlink(p), 0);
	expect_tampered(&f, day2, 0, "signed head vouches");
	fx_fini(&f);

	fx_init(&f);
	three_days(&f);
	path_of(&f, day1, p, sizeof(p));
	ck_assert_int_eq(unlink(p), 0);
	expect_tampered(&f, day2, 1, "records deleted");
	fx_fini(&f);

	fx_init(&f);
	three_days(&f);
	path_of(&f, "audit.head", p, sizeof(p));
	ck_assert_int_eq(unlink(p), 0);
	expect_tampered(&f, "audit.head", 0, "head missing");
	fx_fini(&f);
}
END_TEST

START_TEST(wrong_key)
{
	struct evl_audit_verify r;
	char other[400];
	struct fx f;

	fx_init(&f);
	three_days(&f);
	snprintf(other, sizeof(other), "%s/other.key", f.base);
	ck_assert_int_eq(evl_audit_keygen(other), 0);
	ck_assert_int_eq(evl_audit_verify_dir(f.dir, other, false, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.verdict, EVL_AUDIT_TAMPERED);
	ck_assert_ptr_nonnull(strstr(r.reason, "wrong key"));
	fx_fini(&f);
}
END_TEST

START_TEST(compress_and_retire_still_verify)
{
	struct evl_audit_verify r;
	struct evl_audit_maint m;
	struct stat st;
	char p[400];
	struct fx f;

	fx_init(&f);
	three_days(&f);
	/* 100 days later: compress after 30 d, keep the rest. */
	ck_assert_int_eq(evl_audit_maintain(f.dir, 30, 0, T0_US + 100 * DAY_US, &m), 0);
	ck_assert_uint_eq(m.compressed, 2); /* never the newest day */
	path_of(&f, "audit_20250101.jsonl.gz", p, sizeof(p));
	ck_assert_int_eq(stat(p, &st), 0);
	path_of(&f, day1, p, sizeof(p));
	ck_assert_int_ne(stat(p, &st), 0);
	ck_assert_int_eq(verify(&f, &r), EVL_AUDIT_OK);
	ck_assert_uint_eq(r.records, 9);
	/* Retention 60 d: the two old days go, the manifest anchors the chain. */
	ck_assert_int_eq(evl_audit_maintain(f.dir, 30, 60, T0_US + 100 * DAY_US, &m), 0);
	ck_assert_uint_eq(m.deleted, 2);
	ck_assert_int_eq(verify(&f, &r), EVL_AUDIT_OK);
	ck_assert_uint_eq(r.records, 1);
	ck_assert_uint_eq(r.retired_records, 8);
	/* The daemon carries on after maintenance. */
	f.wall0 = T0_US + 100 * DAY_US;
	struct evl_audit *a = fx_open(&f, NULL, NULL);
	append_n(a, 3, 0, 1000000);
	evl_audit_close(a);
	ck_assert_int_eq(verify(&f, &r), EVL_AUDIT_OK);
	ck_assert_uint_eq(r.files, 2);
	/* Deleting the oldest remaining day without the manifest is still caught. */
	path_of(&f, day3, p, sizeof(p));
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(verify(&f, &r), EVL_AUDIT_TAMPERED);
	fx_fini(&f);
}
END_TEST

START_TEST(torn_line_recovered)
{
	struct evl_audit_verify r;
	struct evl_audit_stats st;
	struct lines ls;
	char p[400], aside[450];
	struct stat sb;
	struct fx f;
	FILE *fp;

	fx_init(&f);
	three_days(&f);
	path_of(&f, day3, p, sizeof(p));
	fp = fopen(p, "ab");
	fputs("{\"audit_id\":\"4f1c", fp); /* crash in the middle of a write */
	fclose(fp);
	expect_tampered(&f, day3, 2, "torn last line");

	f.wall0 = T0_US + 2 * DAY_US;
	struct evl_audit *a = fx_open(&f, NULL, NULL);
	evl_audit_get_stats(a, &st);
	ck_assert_uint_eq(st.torn_recovered, 1);
	append_n(a, 1, 12LL * 3600 * 1000000, 1);
	evl_audit_close(a);
	ck_assert_int_eq(verify(&f, &r), EVL_AUDIT_OK);
	ck_assert_uint_eq(r.incidents, 1);
	lines_read(p, &ls);
	ck_assert_uint_eq(ls.n, 3);
	ck_assert_ptr_nonnull(strstr(ls.l[1], "\"kind\":\"torn_line\""));
	ck_assert_ptr_nonnull(strstr(ls.l[1], "17 bytes moved to audit_20250103.jsonl.torn-"));
	snprintf(aside, sizeof(aside), "%s.torn-%zu", p, strlen(ls.l[0]) + 1);
	ck_assert_int_eq(stat(aside, &sb), 0);
	ck_assert_int_eq(sb.st_size, 17);
	ck_assert_int_eq(sb.st_mode & 077, 0);
	free(ls.buf);
	fx_fini(&f);
}
END_TEST

/* Injected disk full: write() fails (or writes half a line) while `full` is set. */
struct fault {
	bool full;
	bool partial;
	bool nomem; /* the writer's memory queue cannot grow */
	int calls;
};

static ssize_t fault_write(void *ctx, int fd, const void *buf, size_t len)
{
	struct fault *fl = ctx;

	fl->calls++;
	if (!fl->full)
		return write(fd, buf, len);
	if (fl->partial)
		return write(fd, buf, len / 2);
	errno = ENOSPC;
	return -1;
}

static ssize_t fault_pwrite(void *ctx, int fd, const void *buf, size_t len, off_t off)
{
	(void)ctx;
	return pwrite(fd, buf, len, off);
}

static int fault_sync(void *ctx, int fd)
{
	(void)ctx;
	return fdatasync(fd);
}

static void *fault_realloc(void *ctx, void *p, size_t size)
{
	return ((struct fault *)ctx)->nomem ? NULL : realloc(p, size);
}

static const struct evl_audit_io_ops fault_io = {
	.write = fault_write,
	.pwrite = fault_pwrite,
	.fdatasync = fault_sync,
	.realloc = fault_realloc,
};

static void disk_full(bool partial)
{
	struct fault fl = {.partial = partial};
	struct evl_audit_verify r;
	struct evl_audit_stats st;
	struct stat before, after;
	char p[400];
	struct fx f;

	fx_init(&f);
	struct evl_audit *a = fx_open(&f, &fault_io, &fl);
	append_n(a, 3, 3600LL * 1000000, 1000000);
	path_of(&f, day1, p, sizeof(p));
	ck_assert_int_eq(stat(p, &before), 0);
	fl.full = true;
	for (int i = 0; i < 4; i++) {
		struct evl_record rec = rec_at((uint64_t)(7200 + i) * 1000000000ULL, i);

		ck_assert_int_eq(evl_audit_append(a, &rec), -ENOSPC);
	}
	evl_audit_get_stats(a, &st);
	ck_assert_uint_eq(st.pending, 4);
	ck_assert_uint_ge(st.write_errors, 1);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_int_eq(stat(p, &after), 0);
	ck_assert_int_eq(after.st_size, before.st_size); /* no half line left behind */
	ck_assert_int_eq(evl_audit_flush(a), -ENOSPC);
	fl.full = false; /* space again */
	ck_assert_int_eq(evl_audit_flush(a), 0);
	evl_audit_get_stats(a, &st);
	ck_assert_uint_eq(st.pending, 0);
	ck_assert_uint_eq(st.records, 7);
	evl_audit_close(a);
	ck_assert_int_eq(verify(&f, &r), EVL_AUDIT_OK);
	ck_assert_uint_eq(r.records, 7);
	fx_fini(&f);
}

START_TEST(disk_full_enospc)
{
	disk_full(false);
}
END_TEST

START_TEST(disk_full_short_write)
{
	disk_full(true);
}
END_TEST

/* Disk full and no memory to hold the line: refused (-ENOMEM, counted), and the chain does not
 * advance for it, so the trail verifies without a gap once writes work again; a day-change
 * seal refused the same way is written with the next record. */
START_TEST(no_memory_leaves_no_gap_in_the_chain)
{
	const uint64_t day = 86400ULL * 1000000000ULL;
	struct fault fl = {0};
	struct evl_audit_verify r;
	struct evl_audit_stats st;
	struct evl_record rec;
	struct fx f;

	fx_init(&f);
	struct evl_audit *a = fx_open(&f, &fault_io, &fl);
	append_n(a, 2, 3600LL * 1000000, 1000000);
	fl.full = fl.nomem = true;
	rec = rec_at(7200ULL * 1000000000ULL, 1);
	ck_assert_int_eq(evl_audit_append(a, &rec), -ENOMEM);
	rec = rec_at(day + 3600ULL * 1000000000ULL, 2); /* next day: seal first */
	ck_assert_int_eq(evl_audit_append(a, &rec), -ENOMEM);
	evl_audit_get_stats(a, &st);
	ck_assert_uint_eq(st.pending, 0);
	ck_assert_uint_eq(st.dropped, 3); /* two records and the seal, none silent */
	ck_assert_uint_eq(st.key_epoch, 0);
	fl.full = fl.nomem = false;
	rec = rec_at(day + 3601ULL * 1000000000ULL, 1);
	ck_assert_int_eq(evl_audit_append(a, &rec), 0);
	evl_audit_get_stats(a, &st);
	ck_assert_uint_eq(st.key_epoch, 1);
	evl_audit_close(a);
	ck_assert_int_eq(verify(&f, &r), EVL_AUDIT_OK);
	ck_assert_uint_eq(r.records, 4); /* 2 + seal + 1 */
	ck_assert_uint_eq(r.key_epoch, 1);
	fx_fini(&f);
}
END_TEST

START_TEST(memory_queue_bound_is_not_silent)
{
	struct evl_audit_opts o = {.durability = EVL_AUDIT_SYNC_NONE, .max_pending = 2};
	struct fault fl = {.full = true};
	struct evl_audit_verify r;
	struct evl_audit_stats st;
	struct fx f;

	fx_init(&f);
	o.dir = f.dir;
	o.key_file = f.key;
	o.secret_file = f.secret;
	o.wall_us = fx_wall;
	o.wall_ctx = &f;
	o.io = &fault_io;
	o.io_ctx = &fl;
	struct evl_audit *a = evl_audit_open(&o);
	ck_assert_ptr_nonnull(a);
	for (int i = 0; i < 3; i++) {
		struct evl_record rec = rec_at((uint64_t)(i + 1) * 1000000000ULL, i);

		ck_assert_int_eq(evl_audit_append(a, &rec), i < 2 ? -ENOSPC : -ENOBUFS);
	}
	evl_audit_get_stats(a, &st);
	ck_assert_uint_eq(st.dropped, 1);
	fl.full = false;
	ck_assert_int_eq(evl_audit_flush(a), 0);
	evl_audit_close(a);
	ck_assert_int_eq(verify(&f, &r), EVL_AUDIT_OK); /* refused record left no gap */
	ck_assert_uint_eq(r.records, 2);
	fx_fini(&f);
}
END_TEST

/* Any file in the directory containing needle? */
static bool dir_contains(const char *dir, const char *needle)
{
	struct dirent *de;
	bool found = false;
	DIR *d = opendir(dir);

	ck_assert_ptr_nonnull(d);
	while (!found && (de = readdir(d))) {
		char p[600], *buf;
		FILE *fp;
		long sz;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		fp = fopen(p, "rb");
		ck_assert_ptr_nonnull(fp);
		fseek(fp, 0, SEEK_END);
		sz = ftell(fp);
		rewind(fp);
		buf = calloc(1, (size_t)sz + 1);
		ck_assert_uint_eq(fread(buf, 1, (size_t)sz, fp), (size_t)sz);
		fclose(fp);
		found = memmem(buf, (size_t)sz, needle, strlen(needle)) != NULL;
		free(buf);
	}
	closedir(d);
	return found;
}

START_TEST(no_raw_identifier_in_any_file)
{
	uint8_t secret[EVL_AUDIT_KEY_LEN];
	char hash[EVL_AUDIT_ID_HEX + 1];
	uint64_t ep;
	struct fx f;
	FILE *fp;
	char p[400];

	fx_init(&f);
	three_days(&f);
	path_of(&f, day3, p, sizeof(p));
	fp = fopen(p, "ab");
	fputs("{\"torn", fp);
	fclose(fp);
	f.wall0 = T0_US + 2 * DAY_US;
	struct evl_audit *a = fx_open(&f, NULL, NULL);
	append_n(a, 1, 0, 1);
	evl_audit_close(a);
	ck_assert(!dir_contains(f.dir, "AA:BB:CC:DD:EE:FF"));
	ck_assert(!dir_contains(f.dir, "kitchen"));
	ck_assert(!dir_contains(f.dir, "radar@"));
	/* What is there is the documented 128-bit hash, the same one export --ap computes. */
	ck_assert_int_eq(evl_audit_key_load(f.secret, secret, &ep), 0);
	ck_assert_int_eq(evl_audit_hash_id(secret, RAW_AP, hash), 0);
	ck_assert_uint_eq(strlen(hash), 32);
	ck_assert(dir_contains(f.dir, hash));
	fx_fini(&f);
}
END_TEST

struct count_ctx {
	const char *ap;
	int n, match;
};

static int count_cb(void *ctx, const char *day, const char *line, size_t len, const char *ap)
{
	struct count_ctx *c = ctx;

	(void)day;
	(void)line;
	(void)len;
	c->n++;
	c->match += ap && !strcmp(ap, c->ap);
	return 0;
}

START_TEST(secret_rotation_recorded)
{
	uint8_t s1[EVL_AUDIT_KEY_LEN], s2[EVL_AUDIT_KEY_LEN];
	char h1[EVL_AUDIT_ID_HEX + 1], h2[EVL_AUDIT_ID_HEX + 1];
	struct evl_audit_verify r;
	struct evl_audit_stats st;
	struct count_ctx c = {0};
	struct lines ls;
	uint64_t ep;
	char p[400];
	struct fx f;

	fx_init(&f);
	three_days(&f);
	ck_assert_int_eq(evl_audit_key_load(f.secret, s1, &ep), 0);
	ck_assert_int_eq(unlink(f.secret), 0);
	ck_assert_int_eq(evl_audit_keygen(f.secret), 0);
	ck_assert_int_eq(evl_audit_key_load(f.secret, s2, &ep), 0);
	f.wall0 = T0_US + 2 * DAY_US;
	struct evl_audit *a = fx_open(&f, NULL, NULL);
	append_n(a, 2, 12LL * 3600 * 1000000, 1000000);
	evl_audit_get_stats(a, &st);
	ck_assert_uint_eq(st.secret_epoch, 1);
	evl_audit_close(a);
	path_of(&f, day3, p, sizeof(p));
	lines_read(p, &ls);
	ck_assert_uint_eq(ls.n, 4);
	ck_assert_ptr_nonnull(strstr(ls.l[1], "\"kind\":\"secret_rotation\""));
	ck_assert_ptr_nonnull(strstr(ls.l[2], "\"secret_epoch\":1,"));
	free(ls.buf);
	/* Same AP, different hash per secret epoch; each secret finds its own records. */
	evl_audit_hash_id(s1, RAW_AP, h1);
	evl_audit_hash_id(s2, RAW_AP, h2);
	ck_assert_str_ne(h1, h2);
	c.ap = h2;
	ck_assert_int_eq(evl_audit_verify_dir(f.dir, f.init_key, false, count_cb, &c, &r), 0);
	ck_assert_int_eq(r.verdict, EVL_AUDIT_OK);
	ck_assert_int_eq(c.n, 12);
	ck_assert_int_eq(c.match, 2);
	fx_fini(&f);
}
END_TEST

START_TEST(key_file_permissions)
{
	struct evl_audit_opts o = {0};
	struct evl_audit_verify r;
	struct fx f;

	fx_init(&f);
	ck_assert_int_eq(chmod(f.key, 0640), 0);
	o.dir = f.dir;
	o.key_file = f.key;
	o.secret_file = f.secret;
	ck_assert_ptr_null(evl_audit_open(&o));
	ck_assert_int_eq(errno, EPERM);
	ck_assert_ptr_nonnull(strstr(evl_audit_errmsg(), "group or others"));
	ck_assert_int_eq(chmod(f.key, 0600), 0);
	ck_assert_int_eq(chmod(f.secret, 0604), 0);
	ck_assert_ptr_null(evl_audit_open(&o));
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(chmod(f.init_key, 0644), 0);
	ck_assert_int_eq(evl_audit_verify_dir(f.dir, f.init_key, false, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.verdict, EVL_AUDIT_IO_ERROR);
	ck_assert_ptr_nonnull(strstr(r.reason, "group or others"));
	/* keygen never overwrites a key */
	ck_assert_int_eq(evl_audit_keygen(f.key), -EEXIST);
	fx_fini(&f);
}
END_TEST

START_TEST(wrong_key_refused_on_open)
{
	struct evl_audit_opts o = {.durability = EVL_AUDIT_SYNC_NONE};
	struct fx f;

	fx_init(&f);
	three_days(&f);
	ck_assert_int_eq(unlink(f.key), 0);
	ck_assert_int_eq(evl_audit_keygen(f.key), 0);
	o.dir = f.dir;
	o.key_file = f.key;
	o.secret_file = f.secret;
	ck_assert_ptr_null(evl_audit_open(&o));
	ck_assert_int_eq(errno, EKEYREJECTED);
	ck_assert_ptr_nonnull(strstr(evl_audit_errmsg(), "wrong key"));
	fx_fini(&f);
}
END_TEST

/* A crash with durability none can leave the head ahead of the log: the restart says so in the
 * trail (kind torn_line, reason lost_tail) instead of hiding it. */
START_TEST(lost_tail_recorded_on_restart)
{
	struct evl_audit_verify r;
	struct lines ls;
	char p[400];
	struct fx f;

	fx_init(&f);
	three_days(&f);
	path_of(&f, day3, p, sizeof(p));
	lines_read(p, &ls);
	lines_write(p, &ls, (int[]){-1});
	f.wall0 = T0_US + 2 * DAY_US;
	struct evl_audit *a = fx_open(&f, NULL, NULL);
	append_n(a, 1, 12LL * 3600 * 1000000, 1);
	evl_audit_close(a);
	ck_assert_int_eq(verify(&f, &r), EVL_AUDIT_OK);
	ck_assert_uint_eq(r.incidents, 1);
	lines_read(p, &ls);
	ck_assert_uint_eq(ls.n, 2);
	ck_assert_ptr_nonnull(strstr(ls.l[0], "\"reason\":\"lost_tail\""));
	ck_assert_ptr_nonnull(strstr(ls.l[0], "seq 8..8 signed in the head but not on disk"));
	free(ls.buf);
	fx_fini(&f);
}
END_TEST

/* A manual key rotation seals the epoch; a crash before the evolved key reached the disk is
 * repaired on open (the seal says which epoch comes next). */
START_TEST(manual_rotation_and_crash_before_key_update)
{
	struct evl_record rot = {.kind = EVL_REC_KEY_ROTATION,
				 .reason = "operator",
				 .source = "daemon",
				 .detect_to_action_us = -1};
	struct evl_audit_verify r;
	struct evl_audit_stats st;
	uint64_t ep;
	uint8_t k[EVL_AUDIT_KEY_LEN];
	struct fx f;

	fx_init(&f);
	struct evl_audit *a = fx_open(&f, NULL, NULL);
	append_n(a, 2, 3600LL * 1000000, 1000000);
	rot.mono_ns = 3700ULL * 1000000000ULL;
	ck_assert_int_eq(evl_audit_append(a, &rot), 0);
	evl_audit_close(a);
	ck_assert_int_eq(evl_audit_key_load(f.key, k, &ep), 0);
	ck_assert_uint_eq(ep, 1);
	copy_file(f.init_key, f.key); /* as if we crashed between seal and key update */
	a = fx_open(&f, NULL, NULL);
	evl_audit_get_stats(a, &st);
	ck_assert_uint_eq(st.key_epoch, 1);
	append_n(a, 2, 7200LL * 1000000, 1000000);
	evl_audit_close(a);
	ck_assert_int_eq(evl_audit_key_load(f.key, k, &ep), 0);
	ck_assert_uint_eq(ep, 1);
	ck_assert_int_eq(verify(&f, &r), EVL_AUDIT_OK);
	ck_assert_uint_eq(r.records, 5);
	ck_assert_uint_eq(r.files, 1);
	ck_assert_uint_eq(r.key_epoch, 1);
	fx_fini(&f);
}
END_TEST

/* The CLI's exit codes, when the binary is built (make check builds it first). */
START_TEST(cli_exit_codes)
{
	const char *bin = "build/bin/evl-audit";
	char cmd[2048], p[400];
	struct lines ls;
	struct fx f;

	if (access(bin, X_OK)) {
		printf("SKIP cli_exit_codes: %s not built (run from the repository root)\n", bin);
		return;
	}
	fx_init(&f);
	three_days(&f);
	snprintf(cmd, sizeof(cmd), "%s verify --dir %s --key %s >/dev/null 2>&1", bin, f.dir,
		 f.init_key);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 0);
	snprintf(cmd, sizeof(cmd),
		 "%s export --dir %s --key %s --site-secret %s --ap '%s' --from 2025-01-02 "
		 "-o %s/out.jsonl 2>/dev/null",
		 bin, f.dir, f.init_key, f.secret, RAW_AP, f.base);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 0);
	snprintf(p, sizeof(p), "%s/out.jsonl", f.base);
	lines_read(p, &ls);
	ck_assert_uint_eq(ls.n, 4); /* 3 on 01-02, 1 on 01-03; seals carry no ap */
	free(ls.buf);
	path_of(&f, day2, p, sizeof(p));
	lines_read(p, &ls);
	lines_write(p, &ls, (int[]){0, 2, 3, -1});
	snprintf(cmd, sizeof(cmd), "%s verify --dir %s --key %s 2>&1 | grep -q '%s:2:'", bin, f.dir,
		 f.init_key, day2);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 0);
	snprintf(cmd, sizeof(cmd), "%s verify --dir %s --key %s >/dev/null 2>&1", bin, f.dir,
		 f.init_key);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 1);
	snprintf(cmd, sizeof(cmd), "%s export --dir %s --key %s -o /dev/null 2>/dev/null", bin,
		 f.dir, f.init_key);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 1);
	snprintf(cmd, sizeof(cmd), "%s verify --dir %s >/dev/null 2>&1", bin, f.dir);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 2);
	fx_fini(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("audit");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, clean_trail_across_days_and_key_evolution);
	tcase_add_test(tc, edit_one_byte);
	tcase_add_test(tc, delete_insert_swap);
	tcase_add_test(tc, insert_forged_record);
	tcase_add_test(tc, truncate_tail);
	tcase_add_test(tc, delete_day_files);
	tcase_add_test(tc, wrong_key);
	tcase_add_test(tc, compress_and_retire_still_verify);
	tcase_add_test(tc, torn_line_recovered);
	tcase_add_test(tc, disk_full_enospc);
	tcase_add_test(tc, disk_full_short_write);
	tcase_add_test(tc, memory_queue_bound_is_not_silent);
	tcase_add_test(tc, no_memory_leaves_no_gap_in_the_chain);
	tcase_add_test(tc, no_raw_identifier_in_any_file);
	tcase_add_test(tc, secret_rotation_recorded);
	tcase_add_test(tc, key_file_permissions);
	tcase_add_test(tc, wrong_key_refused_on_open);
	tcase_add_test(tc, lost_tail_recorded_on_restart);
	tcase_add_test(tc, manual_rotation_and_crash_before_key_update);
	tcase_add_test(tc, cli_exit_codes);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
