// SPDX-License-Identifier: GPL-2.0
/* Opening the audit writer: where the chain stands, the signed head, torn-tail recovery. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "evl/sys.h"

#include "audit_int.h"

struct tail {
	char line[AUDIT_LINE_MAX + 1];
	size_t len; /* 0 = no complete line */
	off_t good; /* plain file: offset just after the last newline */
	off_t size;
};

/* Last complete line of a day file; plain files also report the torn tail. */
static int read_tail(const char *path, bool gz, struct tail *t)
{
	t->len = 0;
	t->good = t->size = 0;
	if (gz) {
		gzFile g = gzopen(path, "rb");
		char *buf;

		if (!g)
			return -errno ? -errno : -EIO;
		buf = malloc(AUDIT_LINE_MAX + 2);
		if (!buf) {
			gzclose(g);
			return -ENOMEM;
		}
		while (gzgets(g, buf, AUDIT_LINE_MAX + 2)) {
			size_t n = strlen(buf);

			if (n && buf[n - 1] == '\n' && n <= AUDIT_LINE_MAX) {
				memcpy(t->line, buf, n - 1);
				t->len = n - 1;
				t->line[t->len] = '\0';
			}
		}
		free(buf);
		gzclose(g);
		return 0;
	}

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t want;
	char *buf, *nl, *start;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		close(fd);
		return -errno;
	}
	t->size = st.st_size;
	want = st.st_size < 2 * AUDIT_LINE_MAX ? (size_t)st.st_size : 2 * AUDIT_LINE_MAX;
	buf = malloc(want + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	n = pread(fd, buf, want, st.st_size - (off_t)want);
	close(fd);
	if (n != (ssize_t)want) {
		free(buf);
		return -EIO;
	}
	buf[want] = '\0';
	nl = memrchr(buf, '\n', want);
	if (!nl) {
		free(buf);
		if (want < (size_t)st.st_size)
			return -EBADMSG; /* a huge line without a newline */
		return 0;		 /* the whole file is torn */
	}
	t->good = st.st_size - (off_t)want + (nl - buf) + 1;
	*nl = '\0';
	start = memrchr(buf, '\n', (size_t)(nl - buf));
	start = start ? start + 1 : buf;
	if (start == buf && want < (size_t)st.st_size) {
		free(buf);
		return -EBADMSG;
	}
	t->len = (size_t)(nl - start);
	if (t->len > AUDIT_LINE_MAX) {
		free(buf);
		return -EBADMSG;
	}
	memcpy(t->line, start, t->len);
	t->line[t->len] = '\0';
	free(buf);
	return 0;
}

/* Move the bytes after the last newline aside and cut the file there. */
static int recover_torn(struct evl_audit *a, const char *name, const struct tail *t)
{
	char path[4096], aside[4096];
	size_t n = (size_t)(t->size - t->good);
	char *buf;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", a->dir, name);
	snprintf(aside, sizeof(aside), "%s/%s.torn-%jd", a->dir, name, (intmax_t)t->good);
	buf = malloc(n ? n : 1);
	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || pread(fd, buf, n, t->good) != (ssize_t)n) {
		err = -EIO;
		goto out;
	}
	err = evl_sys_write_atomic(aside, buf, n, 0600);
	if (!err && (ftruncate(fd, t->good) || fsync(fd)))
		err = -errno;
	if (!err) {
		snprintf(a->torn_detail, sizeof(a->torn_detail), "%zu bytes moved to %s.torn-%jd",
			 n, name, (intmax_t)t->good);
		a->note_torn = true;
		a->st.torn_recovered++;
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return err;
}

/* Read the signed head and note records it vouches for that did not reach the trail. */
static void check_head(struct evl_audit *a)
{
	char slots[2 * AUDIT_HEAD_SLOT];
	int64_t best = -1;
	ssize_t n;

	n = pread(a->head_fd, slots, sizeof(slots), 0);
	for (int i = 0; n == (ssize_t)sizeof(slots) && i < 2; i++) {
		struct audit_head h;
		uint8_t k[EVL_AUDIT_KEY_LEN];
		struct audit_mac m;

		if (audit_head_parse(slots + i * AUDIT_HEAD_SLOT, &h) ||
		    (uint64_t)h.key_epoch != a->key_epoch)
			continue;
		memcpy(k, a->key, sizeof(k));
		if (!audit_mac_init(&m, k)) {
			if (audit_head_sig_ok(&m, slots + i * AUDIT_HEAD_SLOT) && h.seq > best)
				best = h.seq;
			audit_mac_free(&m);
		}
		OPENSSL_cleanse(k, sizeof(k));
	}
	if (best > a->seq) {
		snprintf(a->lost_detail, sizeof(a->lost_detail),
			 "seq %" PRId64 "..%" PRId64 " signed in the head but not on disk",
			 a->seq + 1, best);
		a->note_lost = true;
	}
}

static int find_tail(struct evl_audit *a)
{
	struct audit_dayfile *days;
	struct tail *t;
	size_t n;
	int err;

	err = audit_list_days(a->dir, &days, &n);
	if (err)
		return err;
	t = malloc(sizeof(*t));
	if (!t) {
		free(days);
		return -ENOMEM;
	}
	a->seq = -1;
	memset(a->last_hash, '0', AUDIT_HASH_HEX);
	a->last_hash[AUDIT_HASH_HEX] = '\0';
	a->date = n ? days[n - 1].date : 0;
	for (size_t i = n; i-- > 0;) {
		char path[4096];
		struct audit_line l;
		const char *why;
		uint64_t want;

		snprintf(path, sizeof(path), "%s/%s", a->dir, days[i].name);
		err = read_tail(path, days[i].gz, t);
		if (err) {
			audit_seterr("%s: cannot read its last record (%s)", days[i].name,
				     strerror(-err));
			goto out;
		}
		if (i == n - 1 && !days[i].gz && t->good < t->size) {
			err = recover_torn(a, days[i].name, t);
			if (err) {
				audit_seterr("%s: cannot move the torn tail aside: %s",
					     days[i].name, strerror(-err));
				goto out;
			}
		}
		if (!t->len)
			continue;
		err = audit_line_parse(t->line, t->len, &l, &why);
		if (err) {
			audit_seterr("%s: last record is malformed (%s); run evl-audit verify",
				     days[i].name, why);
			goto out;
		}
		/* The key must be at the trail's epoch (or behind it, when a crash came between
		 * a seal and the key update) and must sign the last line, unless that line is the
		 * seal whose key is already erased. */
		want = l.next_key_epoch >= 0 ? (uint64_t)l.next_key_epoch : (uint64_t)l.key_epoch;
		if (a->key_epoch > want) {
			err = -EKEYREJECTED;
			audit_seterr("key file is at epoch %" PRIu64
				     " but the trail is at epoch %" PRIu64 "; wrong key file?",
				     a->key_epoch, want);
			goto out;
		}
		if (a->key_epoch <= (uint64_t)l.key_epoch) {
			while (a->key_epoch < (uint64_t)l.key_epoch) {
				evl_audit_key_evolve(a->key);
				a->key_epoch++;
			}
			audit_mac_rekey(&a->mac, a->key);
			if (!audit_line_sig_ok(&a->mac, t->line, t->len)) {
				err = -EKEYREJECTED;
				audit_seterr(
					"%s: the key does not sign the last record; wrong key "
					"file, or the trail was altered (run evl-audit verify)",
					days[i].name);
				goto out;
			}
		}
		a->seq = l.seq;
		a->secret_epoch = (uint64_t)l.secret_epoch;
		memcpy(a->old_secret_id, l.secret_id, sizeof(l.secret_id));
		audit_line_hash(&a->sha, t->line, t->len, a->last_hash);
		a->sealed = l.next_key_epoch >= 0;
		while (a->key_epoch < want) {
			evl_audit_key_evolve(a->key);
			a->key_epoch++;
		}
		audit_mac_rekey(&a->mac, a->key);
		break;
	}
	if (a->seq < 0) { /* everything retired? continue from the manifest */
		struct audit_retired *r;
		size_t rn;

		if (!audit_read_retired(a->dir, &r, &rn) && rn) {
			a->seq = r[rn - 1].last_seq;
			memcpy(a->last_hash, r[rn - 1].last_hash, sizeof(a->last_hash));
		}
		free(r);
	}
	err = 0;
out:
	free(days);
	free(t);
	return err;
}

struct evl_audit *evl_audit_open(const struct evl_audit_opts *o)
{
	uint8_t secret[EVL_AUDIT_KEY_LEN];
	uint64_t file_epoch, sepoch;
	struct evl_audit *a;
	struct timespec rt, mt;
	char path[4096];
	int err;

	if (!o || !o->dir || !o->key_file || !o->secret_file) {
		audit_seterr("audit: dir, key file and site-secret file are required");
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		errno = ENOMEM;
		return NULL;
	}
	a->fd = a->head_fd = -1;
	a->durability = o->durability;
	a->sync_every = o->sync_every ? o->sync_every : 64;
	a->max_pending = o->max_pending ? o->max_pending : 65536;
	a->wall_us = o->wall_us;
	a->wall_ctx = o->wall_ctx;
	a->io = o->io ? o->io : &audit_sys_io;
	a->io_ctx = o->io_ctx;
	a->rnd_off = RND_POOL;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	a->wall_offset_us =
		((int64_t)rt.tv_sec - mt.tv_sec) * 1000000 + (rt.tv_nsec - mt.tv_nsec) / 1000;
	a->dir = strdup(o->dir);
	a->key_file = strdup(o->key_file);
	if (!a->dir || !a->key_file) {
		err = -ENOMEM;
		goto fail;
	}
	if (mkdir(a->dir, 0700) && errno != EEXIST) {
		err = -errno;
		audit_seterr("%s: cannot create audit directory: %s", a->dir, strerror(errno));
		goto fail;
	}
	err = evl_audit_key_load(o->key_file, a->key, &file_epoch);
	if (err)
		goto fail;
	a->key_epoch = file_epoch;
	err = evl_audit_key_load(o->secret_file, secret, &sepoch);
	if (err)
		goto fail;
	err = audit_mac_init(&a->secret_mac, secret);
	OPENSSL_cleanse(secret, sizeof(secret));
	if (err)
		goto fail;
	err = audit_mac_init(&a->mac, a->key);
	if (err)
		goto fail;
	err = audit_sha_init(&a->sha);
	if (err)
		goto fail;
	audit_secret_id(&a->secret_mac, a->secret_id);
	err = find_tail(a);
	if (err)
		goto fail;
	if (a->key_epoch != file_epoch) {
		err = audit_key_save(a->key_file, a->key, a->key_epoch);
		if (err) {
			audit_seterr("%s: cannot store the evolved key: %s", a->key_file,
				     strerror(-err));
			goto fail;
		}
	}
	if (a->seq >= 0 && a->old_secret_id[0] && strcmp(a->old_secret_id, a->secret_id)) {
		a->secret_epoch++;
		a->note_secret = true;
	}
	snprintf(path, sizeof(path), "%s/%s", a->dir, AUDIT_HEAD_FILE);
	a->head_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (a->head_fd < 0) {
		err = -errno;
		audit_seterr("%s: %s", path, strerror(errno));
		goto fail;
	}
	/* Both slots allocated up front: head updates never need new blocks (disk full). */
	err = -posix_fallocate(a->head_fd, 0, 2 * AUDIT_HEAD_SLOT);
	if (err) {
		audit_seterr("%s: %s", path, strerror(-err));
		goto fail;
	}
	check_head(a);
	return a;
fail:
	evl_audit_close(a);
	errno = -err;
	return NULL;
}
