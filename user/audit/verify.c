// SPDX-License-Identifier: GPL-2.0
/* Audit verification: signatures, chain, epochs, seals, retired days and the signed head. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <zlib.h>

#include "audit_int.h"

#define MAX_EPOCH_STEP 100000 /* ~270 years of daily epochs */

struct vstate {
	struct evl_audit_verify *res;
	bool lenient;
	uint8_t init_key[EVL_AUDIT_KEY_LEN];
	uint64_t init_epoch;
	uint8_t key[EVL_AUDIT_KEY_LEN];
	uint64_t key_epoch;
	struct audit_mac mac;
	struct audit_sha sha;
	bool has_head;
	struct audit_head head;
	bool head_seen;
	bool head_unchecked; /* head from an epoch before the key's */
	char unchecked_first[256];
	unsigned long unchecked_first_line;
	int64_t unchecked_first_epoch, unchecked_last_epoch;
	char head_line_hash[AUDIT_HASH_HEX + 1];
};

static void bad(struct vstate *v, enum evl_audit_verdict verdict, const char *file,
		unsigned long line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void bad(struct vstate *v, enum evl_audit_verdict verdict, const char *file,
		unsigned long line, const char *fmt, ...)
{
	struct evl_audit_verify *r = v->res;
	va_list ap;

	if (r->verdict != EVL_AUDIT_OK)
		return; /* keep the first */
	r->verdict = verdict;
	snprintf(r->file, sizeof(r->file), "%s", file);
	r->line = line;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/* Key for an epoch, derived forward from the initial key. */
static int key_for(struct vstate *v, uint64_t epoch)
{
	if (epoch < v->init_epoch)
		return -EKEYREJECTED;
	if (epoch < v->key_epoch) {
		memcpy(v->key, v->init_key, sizeof(v->key));
		v->key_epoch = v->init_epoch;
	}
	if (epoch - v->key_epoch > MAX_EPOCH_STEP)
		return -ERANGE;
	while (v->key_epoch < epoch) {
		evl_audit_key_evolve(v->key);
		v->key_epoch++;
	}
	return audit_mac_rekey(&v->mac, v->key);
}

static int load_head(struct vstate *v, const char *dir)
{
	char path[4096], slots[2 * AUDIT_HEAD_SLOT];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, AUDIT_HEAD_FILE);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = read(fd, slots, sizeof(slots));
	close(fd);
	if (n != (ssize_t)sizeof(slots)) {
		bad(v, EVL_AUDIT_TAMPERED, AUDIT_HEAD_FILE, 0, "signed head has the wrong size");
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		const char *s = slots + i * AUDIT_HEAD_SLOT;
		struct audit_head h;
		int err = audit_head_parse(s, &h);

		if (err == -ENOENT)
			continue;
		if (err) {
			bad(v, EVL_AUDIT_TAMPERED, AUDIT_HEAD_FILE, (unsigned long)i + 1,
			    "head slot %d is malformed", i);
			continue;
		}
		err = key_for(v, (uint64_t)h.key_epoch);
		if (err == -EKEYREJECTED) { /* older than the key: cannot be checked */
			v->head_unchecked = true;
			continue;
		}
		if (err || !audit_head_sig_ok(&v->mac, s) || (uint64_t)h.seq % 2 != (uint64_t)i) {
			bad(v, EVL_AUDIT_TAMPERED, AUDIT_HEAD_FILE, (unsigned long)i + 1,
			    "head slot %d signature mismatch (edited head, or wrong key)", i);
			continue;
		}
		if (!v->has_head || h.seq > v->head.seq)
			v->head = h;
		v->has_head = true;
	}
	return 0;
}

struct chain {
	int64_t seq; /* expected next seq */
	char prev[AUDIT_HASH_HEX + 1];
	int64_t epoch;	   /* epoch of the last record, -1 none */
	int64_t seal_next; /* last record was a seal announcing this epoch, else -1 */
};

static int check_line(struct vstate *v, struct chain *c, const char *file, unsigned long ln,
		      const char *line, size_t len, evl_audit_walk_fn cb, void *ctx)
{
	struct audit_line l;
	const char *why;
	char hash[AUDIT_HASH_HEX + 1];
	bool ok = true, unchecked = false;
	int err;

	if (audit_line_parse(line, len, &l, &why)) {
		bad(v, EVL_AUDIT_TAMPERED, file, ln, "malformed record: %s", why);
		return 0;
	}
	err = key_for(v, (uint64_t)l.key_epoch);
	if (err == -EKEYREJECTED) {
		/* Before an evolved sealing key's epoch: the chain is checked, the signature
		 * cannot be (forward security). Named in the PARTIAL verdict. */
		if (!v->res->unchecked) {
			snprintf(v->unchecked_first, sizeof(v->unchecked_first), "%s", file);
			v->unchecked_first_line = ln;
			v->unchecked_first_epoch = l.key_epoch;
		}
		v->res->unchecked++;
		snprintf(v->res->unchecked_last, sizeof(v->res->unchecked_last), "%s", file);
		v->res->unchecked_last_line = ln;
		v->unchecked_last_epoch = l.key_epoch;
		unchecked = true;
	}
	if (!unchecked && (err || !audit_line_sig_ok(&v->mac, line, len))) {
		bad(v, EVL_AUDIT_TAMPERED, file, ln,
		    "signature mismatch (record edited or forged, or wrong key)");
		ok = false;
	} else if (l.seq > c->seq) {
		bad(v, EVL_AUDIT_TAMPERED, file, ln,
		    "seq %" PRId64 " but %" PRId64 " expected: records deleted", l.seq, c->seq);
		ok = false;
	} else if (l.seq < c->seq) {
		bad(v, EVL_AUDIT_TAMPERED, file, ln,
		    "seq %" PRId64 " but %" PRId64
		    " expected: record inserted, repeated or reordered",
		    l.seq, c->seq);
		ok = false;
	} else if (strcmp(l.prev, c->prev)) {
		bad(v, EVL_AUDIT_TAMPERED, file, ln,
		    "prev does not match the hash of the record before it (chain broken)");
		ok = false;
	} else if (c->seal_next >= 0 && l.key_epoch != c->seal_next) {
		bad(v, EVL_AUDIT_TAMPERED, file, ln,
		    "key epoch %" PRId64 " after a seal announcing epoch %" PRId64, l.key_epoch,
		    c->seal_next);
		ok = false;
	} else if (c->seal_next < 0 && c->epoch >= 0 && l.key_epoch != c->epoch) {
		bad(v, EVL_AUDIT_TAMPERED, file, ln,
		    "key epoch changes from %" PRId64 " to %" PRId64 " without a seal", c->epoch,
		    l.key_epoch);
		ok = false;
	} else if (l.next_key_epoch >= 0 && l.next_key_epoch != l.key_epoch + 1) {
		bad(v, EVL_AUDIT_TAMPERED, file, ln, "seal announces a wrong epoch");
		ok = false;
	}
	audit_line_hash(&v->sha, line, len, hash);
	if (v->has_head && l.seq == v->head.seq) {
		v->head_seen = true;
		memcpy(v->head_line_hash, hash, sizeof(hash));
	}
	c->seq = l.seq + 1;
	memcpy(c->prev, hash, sizeof(hash));
	c->epoch = l.key_epoch;
	c->seal_next = l.next_key_epoch;
	v->res->records++;
	if (!strcmp(l.kind, "torn_line"))
		v->res->incidents++;
	v->res->key_epoch = (uint64_t)l.key_epoch;
	if (!ok && !v->lenient)
		return 1;
	if (cb && (!unchecked || v->lenient)) /* unchecked records only with --force */
		return cb(ctx, l.day, line, len, l.ap_id[0] ? l.ap_id : NULL);
	return 0;
}

static int walk_file(struct vstate *v, struct chain *c, const char *dir,
		     const struct audit_dayfile *f, bool last, char *buf, evl_audit_walk_fn cb,
		     void *ctx)
{
	char path[4096];
	unsigned long ln = 0;
	bool any = false;
	gzFile g;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, f->name);
	g = gzopen(path, "rb");
	if (!g) {
		bad(v, EVL_AUDIT_IO_ERROR, f->name, 0, "cannot open: %s", strerror(errno));
		return 1;
	}
	while (gzgets(g, buf, AUDIT_LINE_MAX + 2)) {
		size_t len = strlen(buf);

		ln++;
		if (!len || buf[len - 1] != '\n') {
			bad(v, EVL_AUDIT_TAMPERED, f->name, ln,
			    len > AUDIT_LINE_MAX ? "line too long"
			    : last && gzeof(g)
				    ? "torn last line (crash; evld moves it aside on start)"
				    : "line without newline or with a NUL byte");
			ret = v->lenient ? 0 : 1;
			break;
		}
		any = true;
		ret = check_line(v, c, f->name, ln, buf, len - 1, cb, ctx);
		if (ret)
			break;
	}
	if (!ret && !gzeof(g)) {
		int zerr;

		bad(v, EVL_AUDIT_IO_ERROR, f->name, ln, "read error: %s", gzerror(g, &zerr));
		ret = 1;
	}
	gzclose(g);
	/* A closed day ends with a seal signed by its own epoch's key. */
	if (!ret && any && !last && c->seal_next < 0) {
		bad(v, EVL_AUDIT_TAMPERED, f->name, ln,
		    "day file does not end with its key_rotation seal (tail truncated)");
		ret = v->lenient ? 0 : 1;
	}
	return ret;
}

/* Where the chain starts: genesis, or the last day retired by maintain. */
static int anchor(struct vstate *v, const char *dir, int first_date, struct chain *c)
{
	struct audit_retired *r;
	size_t n, use = 0;
	int err;

	c->seq = 0;
	memset(c->prev, '0', AUDIT_HASH_HEX);
	c->prev[AUDIT_HASH_HEX] = '\0';
	c->epoch = c->seal_next = -1;
	err = audit_read_retired(dir, &r, &n);
	if (err) {
		bad(v, EVL_AUDIT_TAMPERED, AUDIT_RETIRED_FILE, 0, "%s", evl_audit_errmsg());
		return 1;
	}
	/* Entries for days still present: maintain stopped between manifest and unlink. */
	while (use < n && (!first_date || r[use].date < first_date))
		use++;
	for (size_t i = 0; i < use; i++) {
		if (r[i].first_seq != c->seq || r[i].last_seq < r[i].first_seq) {
			bad(v, EVL_AUDIT_TAMPERED, AUDIT_RETIRED_FILE, i + 1,
			    "retired day %d does not continue the chain", r[i].date);
			free(r);
			return 1;
		}
		c->seq = r[i].last_seq + 1;
		memcpy(c->prev, r[i].last_hash, sizeof(c->prev));
	}
	v->res->retired_records = (uint64_t)c->seq;
	free(r);
	return 0;
}

int evl_audit_verify_dir(const char *dir, const char *key_file, bool lenient, evl_audit_walk_fn cb,
			 void *ctx, struct evl_audit_verify *res)
{
	struct vstate *v;
	struct audit_dayfile *days = NULL;
	struct chain c;
	size_t n = 0;
	char *buf = NULL;
	bool verification;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->res = res;
	v->lenient = lenient;
	if (audit_key_load_any(key_file, v->init_key, &v->init_epoch, &verification)) {
		bad(v, EVL_AUDIT_IO_ERROR, key_file, 0, "%s", evl_audit_errmsg());
		goto out;
	}
	memcpy(v->key, v->init_key, sizeof(v->key));
	v->key_epoch = v->init_epoch;
	if (audit_mac_init(&v->mac, v->key) || audit_sha_init(&v->sha)) {
		bad(v, EVL_AUDIT_IO_ERROR, "", 0, "%s", evl_audit_errmsg());
		goto out;
	}
	if (audit_list_days(dir, &days, &n)) {
		bad(v, EVL_AUDIT_IO_ERROR, dir, 0, "%s", evl_audit_errmsg());
		goto out;
	}
	buf = malloc(AUDIT_LINE_MAX + 2);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	if (load_head(v, dir) || (res->verdict != EVL_AUDIT_OK && !lenient))
		goto out;
	if (anchor(v, dir, n ? days[0].date : 0, &c) && !lenient)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && days[i].date == days[i + 1].date) {
			bad(v, EVL_AUDIT_TAMPERED, days[i + 1].name, 0,
			    "both %s and %s exist (interrupted maintain? run evl-audit maintain)",
			    days[i].name, days[i + 1].name);
			if (!lenient)
				goto out;
			continue;
		}
		res->files++;
		ret = walk_file(v, &c, dir, &days[i], i + 1 == n, buf, cb, ctx);
		if (ret) {
			ret = res->verdict == EVL_AUDIT_OK ? ret : 0; /* cb's stop */
			goto out;
		}
	}
	if (!res->records && !res->retired_records) {
		bad(v, EVL_AUDIT_IO_ERROR, dir, 0, "no audit records in %s", dir);
		goto out;
	}
	/* The signed head vouches for the newest record: anything missing after it is cut. */
	res->checked_from_epoch = v->init_epoch;
	if (!v->has_head && v->head_unchecked) {
		/* an older head the key cannot check: the PARTIAL verdict below says so */
	} else if (!v->has_head) {
		bad(v, EVL_AUDIT_TAMPERED, AUDIT_HEAD_FILE, 0,
		    "signed chain head missing or blank (deleted?)");
	} else if (v->head.seq >= c.seq) {
		bad(v, EVL_AUDIT_TAMPERED, n ? days[n - 1].name : AUDIT_HEAD_FILE, 0,
		    "trail ends at seq %" PRId64 " but the signed head vouches for seq %" PRId64
		    ": newest records or day files deleted",
		    c.seq - 1, v->head.seq);
	} else if (v->head_seen && strcmp(v->head_line_hash, v->head.hash)) {
		bad(v, EVL_AUDIT_TAMPERED, AUDIT_HEAD_FILE, 0,
		    "record seq %" PRId64 " differs from the one the signed head vouches for",
		    v->head.seq);
	} else {
		res->beyond_head = (uint64_t)(c.seq - 1 - v->head.seq);
	}
	if (res->unchecked || v->head_unchecked)
		bad(v, EVL_AUDIT_PARTIAL,
		    v->unchecked_first[0] ? v->unchecked_first : AUDIT_HEAD_FILE,
		    v->unchecked_first_line,
		    "%" PRIu64 " records of key epochs %" PRId64 "..%" PRId64
		    " (up to %s:%lu) not checked: this key is at epoch %" PRIu64
		    " and cannot check older ones%s; verify with the verification key "
		    "(evl-audit setup)",
		    res->unchecked, v->unchecked_first_epoch, v->unchecked_last_epoch,
		    res->unchecked_last, res->unchecked_last_line, v->init_epoch,
		    v->head_unchecked && !v->has_head ? " (nor the signed head)" : "");
out:
	audit_mac_free(&v->mac);
	audit_sha_free(&v->sha);
	OPENSSL_cleanse(v->init_key, sizeof(v->init_key));
	OPENSSL_cleanse(v->key, sizeof(v->key));
	free(v);
	free(days);
	free(buf);
	return ret;
}
