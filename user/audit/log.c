// SPDX-License-Identifier: GPL-2.0
/* Audit writer: records -> signed, chained JSON lines, one file per UTC day. */
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

#include "evl/engine.h"
#include "evl/sys.h"

#include "audit_int.h"

static const char *const kind_names[EVL_REC_KIND_MAX] = {
	[EVL_REC_ACTION] = "action",
	[EVL_REC_REJECTED] = "rejected",
	[EVL_REC_TOKEN_CREATED] = "token_created",
	[EVL_REC_ROLLBACK] = "rollback",
	[EVL_REC_ROLLBACK_REFUSED] = "rollback_refused",
	[EVL_REC_TOKEN_EXPIRED] = "token_expired",
	[EVL_REC_KEY_ROTATION] = "key_rotation",
	[EVL_REC_SECRET_ROTATION] = "secret_rotation",
	[EVL_REC_DAEMON_START] = "daemon_start",
	[EVL_REC_DAEMON_STOP] = "daemon_stop",
	[EVL_REC_TORN_LINE] = "torn_line",
	[EVL_REC_NOTE] = "note",
};

/* --- default io -------------------------------------------------------------- */

static ssize_t sys_write(void *ctx, int fd, const void *buf, size_t len)
{
	(void)ctx;
	return write(fd, buf, len);
}

static ssize_t sys_pwrite(void *ctx, int fd, const void *buf, size_t len, off_t off)
{
	(void)ctx;
	return pwrite(fd, buf, len, off);
}

static int sys_fdatasync(void *ctx, int fd)
{
	(void)ctx;
	return fdatasync(fd);
}

const struct evl_audit_io_ops audit_sys_io = {
	.write = sys_write,
	.pwrite = sys_pwrite,
	.fdatasync = sys_fdatasync,
};

/* --- serialisation ------------------------------------------------------------ */

struct sb {
	char *p;
	size_t len, cap;
	bool overflow;
};

static void sb_raw(struct sb *b, const char *s, size_t n)
{
	if (b->len + n >= b->cap) {
		b->overflow = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void sb_lit(struct sb *b, const char *s)
{
	sb_raw(b, s, strlen(s));
}

static void sb_fmt(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_fmt(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len)
		b->overflow = true;
	else
		b->len += (size_t)n;
}

/* JSON string or null; control characters escaped, UTF-8 passed through. */
static void sb_str(struct sb *b, const char *s)
{
	static const char hx[] = "0123456789abcdef";
	const char *run;

	if (!s) {
		sb_lit(b, "null");
		return;
	}
	sb_raw(b, "\"", 1);
	for (run = s; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = {'\\', 'u', '0', '0', hx[c >> 4], hx[c & 15]};

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_raw(b, run, (size_t)(s - run));
		if (c == '"' || c == '\\')
			sb_raw(b, (char[]){'\\', (char)c}, 2);
		else
			sb_raw(b, esc, 6);
		run = s + 1;
	}
	sb_raw(b, run, (size_t)(s - run));
	sb_raw(b, "\"", 1);
}

static void sb_key(struct sb *b, const char *k)
{
	sb_raw(b, ",\"", 2);
	sb_lit(b, k);
	sb_raw(b, "\":", 2);
}

static void sb_double(struct sb *b, double v)
{
	if (isfinite(v))
		sb_fmt(b, "%.6g", v);
	else
		sb_lit(b, "null");
}

static void rfc3339(int64_t us, char out[64])
{
	int64_t s = us / 1000000, frac = us % 1000000;
	struct tm tm;
	time_t t;

	if (frac < 0) {
		frac += 1000000;
		s--;
	}
	t = (time_t)s;
	gmtime_r(&t, &tm);
	snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
}

static int uuid4(struct evl_audit *a, char out[37])
{
	uint8_t *u;

	if (a->rnd_off + 16 > RND_POOL) {
		if (RAND_bytes(a->rnd, RND_POOL) != 1)
			return -EIO;
		a->rnd_off = 0;
	}
	u = a->rnd + a->rnd_off;
	a->rnd_off += 16;
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
	return 0;
}

static int64_t wall_of(struct evl_audit *a, uint64_t mono_ns)
{
	if (a->wall_us)
		return a->wall_us(a->wall_ctx, mono_ns);
	return a->wall_offset_us + (int64_t)(mono_ns / 1000);
}

/* Hashed identifier or null: raw identifiers never reach the buffer. */
/* "name":{"channel":48,"width":20,"score":0.93,"interference":..,...} */
static void sb_score(struct sb *b, const char *name, const struct evl_chan_score *s)
{
	static const char *const part[] = {"score", "interference", "neighbors", "clients", "dfs"};
	const double v[] = {s->total, s->interference, s->neighbors, s->clients, s->dfs};

	sb_fmt(b, "\"%s\":{\"channel\":%d,\"width\":%d", name, s->channel, s->width);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sb_fmt(b, ",\"%s\":", part[i]);
		sb_double(b, v[i]);
	}
	sb_fmt(b, ",\"cac\":%s}", s->cac ? "true" : "false");
}

static void sb_id(struct evl_audit *a, struct sb *b, const char *id)
{
	char h[EVL_AUDIT_ID_HEX + 1];

	if (!id || audit_hash_id_mac(&a->secret_mac, id, h)) {
		sb_lit(b, "null");
		return;
	}
	sb_str(b, h);
}

/* Build the signed line for rec into a->buf; detail and next_epoch (>= 0) are audit-layer
 * additions. Returns the length or -errno. */
static ssize_t build_line(struct evl_audit *a, const struct evl_record *rec, int64_t wall,
			  const char *detail, int64_t next_epoch)
{
	struct sb b = {.p = a->buf, .cap = LINE_BUF - AUDIT_SIG_SUFFIX_LEN - 2};
	char uuid[37], ts[64], sig[AUDIT_HASH_HEX + 1];
	uint8_t d[32];

	if (uuid4(a, uuid))
		return -EIO;
	rfc3339(wall, ts);
	sb_lit(&b, "{\"audit_id\":\"");
	sb_lit(&b, uuid);
	sb_fmt(&b, "\",\"seq\":%" PRId64 ",\"timestamp\":\"%s\",\"kind\":\"%s\"", a->seq + 1, ts,
	       kind_names[rec->kind]);
	sb_key(&b, "event_id");
	sb_id(a, &b, rec->event_id);
	sb_key(&b, "event_type");
	sb_str(&b, rec->event_type);
	sb_key(&b, "ap_id");
	sb_id(a, &b, rec->ap);
	sb_key(&b, "radio");
	sb_str(&b, rec->radio);
	sb_key(&b, "action_type");
	sb_str(&b, rec->action_type);
	sb_key(&b, "configuration_changes");
	sb_raw(&b, "[", 1);
	for (unsigned int i = 0; i < rec->n_changes && i < EVL_REC_MAX_CHANGES; i++) {
		sb_lit(&b, i ? ",{\"param\":" : "{\"param\":");
		sb_str(&b, rec->changes[i].param);
		sb_fmt(&b, ",\"old_value\":%" PRId64 ",\"new_value\":%" PRId64 "}",
		       rec->changes[i].old_value, rec->changes[i].new_value);
	}
	sb_raw(&b, "]", 1);
	sb_key(&b, "rollback_token");
	sb_str(&b, rec->token);
	sb_key(&b, "execution_status");
	sb_str(&b, rec->status);
	sb_key(&b, "reason");
	sb_str(&b, rec->reason);
	sb_key(&b, "source");
	sb_str(&b, rec->source);
	sb_key(&b, "detect_to_action_us");
	if (rec->detect_to_action_us >= 0)
		sb_fmt(&b, "%" PRId64, rec->detect_to_action_us);
	else
		sb_lit(&b, "null");
	if (rec->metric) {
		sb_key(&b, "metric");
		sb_lit(&b, "{\"name\":");
		sb_str(&b, rec->metric);
		sb_lit(&b, ",\"baseline\":");
		sb_double(&b, rec->metric_baseline);
		sb_lit(&b, ",\"observed\":");
		sb_double(&b, rec->metric_observed);
		sb_raw(&b, "}", 1);
	}
	if (rec->score) {
		sb_key(&b, "selection");
		sb_raw(&b, "{", 1);
		sb_score(&b, "chosen", rec->score);
		if (rec->runner_up) {
			sb_raw(&b, ",", 1);
			sb_score(&b, "runner_up", rec->runner_up);
		}
		sb_raw(&b, "}", 1);
	}
	if (rec->radar_ns) {
		char rts[64];

		rfc3339(wall_of(a, rec->radar_ns), rts);
		sb_key(&b, "regulatory");
		sb_fmt(&b, "{\"radar_at\":\"%s\"", rts);
		if (rec->switch_issued_ns >= rec->radar_ns)
			sb_fmt(&b, ",\"radar_to_switch_issued_us\":%" PRIu64,
			       (rec->switch_issued_ns - rec->radar_ns) / 1000);
		if (rec->switch_confirmed_ns >= rec->radar_ns)
			sb_fmt(&b, ",\"radar_to_switch_confirmed_us\":%" PRIu64,
			       (rec->switch_confirmed_ns - rec->radar_ns) / 1000);
		sb_raw(&b, "}", 1);
	}
	if (detail) {
		sb_key(&b, "detail");
		sb_str(&b, detail);
	}
	if (next_epoch >= 0)
		sb_fmt(&b, ",\"next_key_epoch\":%" PRId64, next_epoch);
	sb_fmt(&b,
	       ",\"secret_epoch\":%" PRIu64 ",\"secret_id\":\"%s\",\"key_epoch\":%" PRIu64
	       ",\"prev\":\"%s\"",
	       a->secret_epoch, a->secret_id, a->key_epoch, a->last_hash);
	if (b.overflow)
		return -EMSGSIZE;
	/* Sign exactly these bytes plus the closing brace; the signature goes last. */
	if (audit_mac2(&a->mac, b.p, b.len, "}", 1, d))
		return -EIO;
	audit_hex(d, 32, sig);
	b.cap = LINE_BUF;
	sb_lit(&b, AUDIT_SIG_TAIL);
	sb_lit(&b, sig);
	sb_lit(&b, "\"}\n");
	return b.overflow ? -EMSGSIZE : (ssize_t)b.len;
}

/* --- writing ----------------------------------------------------------------- */

static int open_day(struct evl_audit *a, int date)
{
	char path[4096];
	struct stat st;
	int fd;

	if (a->fd >= 0 && a->fd_date == date)
		return 0;
	if (a->fd >= 0) {
		if (a->durability != EVL_AUDIT_SYNC_NONE)
			a->io->fdatasync(a->io_ctx, a->fd);
		close(a->fd);
		a->fd = -1;
	}
	snprintf(path, sizeof(path), "%s/audit_%08d.jsonl", a->dir, date);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		close(fd);
		return -errno;
	}
	if (st.st_size == 0 && a->durability != EVL_AUDIT_SYNC_NONE) {
		int dfd = open(a->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	a->fd = fd;
	a->fd_date = date;
	a->fd_off = st.st_size;
	return 0;
}

static void head_update(struct evl_audit *a, int64_t seq, const char *hash, bool sync)
{
	struct audit_head h = {.seq = seq, .key_epoch = (int64_t)a->key_epoch};
	char slot[AUDIT_HEAD_SLOT];

	memcpy(h.hash, hash, sizeof(h.hash));
	if (a->head_fd < 0 || audit_head_render(&a->mac, &h, slot) ||
	    a->io->pwrite(a->io_ctx, a->head_fd, slot, sizeof(slot),
			  (off_t)(seq % 2) * AUDIT_HEAD_SLOT) != (ssize_t)sizeof(slot) ||
	    (sync && a->io->fdatasync(a->io_ctx, a->head_fd)))
		a->st.head_errors++;
}

/* One write() of the full line; on failure the file is cut back to its last good size. */
static int write_line(struct evl_audit *a, const char *buf, size_t len, int date, int64_t seq,
		      const char *hash, bool seal)
{
	bool sync;
	ssize_t n;
	int err;

	err = open_day(a, date);
	if (err)
		goto fail;
	n = a->io->write(a->io_ctx, a->fd, buf, len);
	if (n != (ssize_t)len) {
		err = n < 0 ? -errno : -ENOSPC;
		goto cut;
	}
	sync = a->durability == EVL_AUDIT_SYNC_EACH || seal ||
	       (a->durability == EVL_AUDIT_SYNC_EVERY && ++a->since_sync >= a->sync_every);
	if (sync && a->io->fdatasync(a->io_ctx, a->fd)) {
		err = errno ? -errno : -EIO;
		goto cut;
	}
	if (sync)
		a->since_sync = 0;
	a->fd_off += (off_t)len;
	a->st.records++;
	head_update(a, seq, hash, sync);
	return 0;
cut:
	if (ftruncate(a->fd, a->fd_off))
		err = -EIO;
fail:
	if (err >= 0)
		err = -EIO;
	a->st.write_errors++;
	a->last_err = err;
	return err;
}

static int flush_queue(struct evl_audit *a)
{
	while (a->qhead < a->qlen) {
		struct qline *l = &a->q[a->qhead];
		int err = write_line(a, l->buf, l->len, l->date, l->seq, l->hash, l->seal);

		if (err)
			return err;
		/* The seal is on disk: now the evolved key may replace the old one there. */
		if (l->seal && audit_key_save(a->key_file, l->next_key, l->next_epoch))
			a->st.head_errors++;
		OPENSSL_cleanse(l->next_key, sizeof(l->next_key));
		free(l->buf);
		a->qhead++;
		a->st.pending--;
	}
	a->qhead = a->qlen = 0;
	return 0;
}

static void *q_realloc(struct evl_audit *a, void *p, size_t size)
{
	return a->io->realloc ? a->io->realloc(a->io_ctx, p, size) : realloc(p, size);
}

/* Hold a signed line in memory: 0, or -ENOMEM with nothing queued. */
static int enqueue(struct evl_audit *a, const char *buf, size_t len, int date, int64_t seq,
		   const char *hash, bool seal, const uint8_t *next_key, uint64_t next_epoch)
{
	struct qline *l;
	char *copy;

	if (a->qlen == a->qcap) {
		size_t ncap = a->qcap ? 2 * a->qcap : 64;
		struct qline *nq;

		if (a->qhead) { /* compact before growing */
			memmove(a->q, a->q + a->qhead, (a->qlen - a->qhead) * sizeof(*a->q));
			a->qlen -= a->qhead;
			a->qhead = 0;
		}
		if (a->qlen == a->qcap) {
			nq = q_realloc(a, a->q, ncap * sizeof(*nq));
			if (!nq)
				return -ENOMEM;
			a->q = nq;
			a->qcap = ncap;
		}
	}
	copy = q_realloc(a, NULL, len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, len);
	l = &a->q[a->qlen];
	memset(l, 0, sizeof(*l));
	l->buf = copy;
	l->len = len;
	l->date = date;
	l->seq = seq;
	memcpy(l->hash, hash, sizeof(l->hash));
	l->seal = seal;
	if (seal) {
		l->next_epoch = next_epoch;
		memcpy(l->next_key, next_key, sizeof(l->next_key));
	}
	a->qlen++;
	a->st.pending++;
	return 0;
}

/* The line is written or queued: it is now the head of the chain. */
static void advance(struct evl_audit *a, const char *hash, bool seal, const uint8_t *next_key)
{
	a->seq++;
	memcpy(a->last_hash, hash, AUDIT_HASH_HEX + 1);
	a->sealed = seal;
	if (seal) {
		/* Forward security: the old key leaves memory now, the disk once sealed. */
		memcpy(a->key, next_key, sizeof(a->key));
		a->key_epoch++;
		audit_mac_rekey(&a->mac, a->key);
	}
}

/* Sign rec as the next line of the chain and write it (or hold it in memory). The chain
 * advances only for a line that is written or queued; a refused one leaves no gap. */
static int emit(struct evl_audit *a, const struct evl_record *rec, int64_t wall, const char *detail,
		bool seal)
{
	char hash[AUDIT_HASH_HEX + 1];
	uint8_t next_key[EVL_AUDIT_KEY_LEN];
	ssize_t len;
	int date = a->date, err;

	if (a->qlen - a->qhead >= a->max_pending) {
		/* Never silent: counted, and the caller sees -ENOBUFS; the chain is untouched. */
		a->st.dropped++;
		return -ENOBUFS;
	}
	len = build_line(a, rec, wall, detail, seal ? (int64_t)a->key_epoch + 1 : -1);
	if (len < 0)
		return (int)len;
	audit_line_hash(&a->sha, a->buf, (size_t)len - 1, hash);
	if (seal) {
		memcpy(next_key, a->key, sizeof(next_key));
		evl_audit_key_evolve(next_key);
	}
	if (a->qhead == a->qlen) {
		err = write_line(a, a->buf, (size_t)len, date, a->seq + 1, hash, seal);
		if (!err) {
			advance(a, hash, seal, next_key);
			if (seal && audit_key_save(a->key_file, a->key, a->key_epoch))
				a->st.head_errors++;
			OPENSSL_cleanse(next_key, sizeof(next_key));
			return 0;
		}
	}
	/* Held in memory, in order, until writes work again (next append or flush). */
	err = enqueue(a, a->buf, (size_t)len, date, a->seq + 1, hash, seal, next_key,
		      a->key_epoch + 1);
	if (!err)
		advance(a, hash, seal, next_key);
	OPENSSL_cleanse(next_key, sizeof(next_key));
	if (err) {
		a->st.dropped++;
		return -ENOMEM;
	}
	return a->last_err ? a->last_err : -EIO;
}

static int seal(struct evl_audit *a, int64_t wall, const char *reason)
{
	struct evl_record r = {
		.kind = EVL_REC_KEY_ROTATION,
		.reason = reason,
		.source = "daemon",
		.status = "success",
		.detect_to_action_us = -1,
	};

	return emit(a, &r, wall, NULL, true);
}

int evl_audit_append(struct evl_audit *a, const struct evl_record *rec)
{
	int64_t wall;
	int date, err = 0, e;

	if (!a || !rec || (unsigned int)rec->kind >= EVL_REC_KIND_MAX)
		return -EINVAL;
	if (a->qhead < a->qlen)
		flush_queue(a);
	wall = wall_of(a, rec->mono_ns);
	date = audit_date_from_us(wall);
	if (a->date && date > a->date && a->seq >= 0 && !a->sealed) {
		e = seal(a, wall, "day_rotation");
		if (!a->sealed) {
			/* neither written nor queued: the day cannot change, so nothing goes in */
			a->st.dropped++;
			return e;
		}
		err = err ? err : e;
	}
	if (!a->date || date > a->date)
		a->date = date;
	if (a->note_torn) {
		struct evl_record r = {.kind = EVL_REC_TORN_LINE,
				       .reason = "torn_tail",
				       .source = "daemon",
				       .detect_to_action_us = -1};

		a->note_torn = false;
		e = emit(a, &r, wall, a->torn_detail, false);
		err = err ? err : e;
	}
	if (a->note_lost) {
		struct evl_record r = {.kind = EVL_REC_TORN_LINE,
				       .reason = "lost_tail",
				       .source = "daemon",
				       .detect_to_action_us = -1};

		a->note_lost = false;
		e = emit(a, &r, wall, a->lost_detail, false);
		err = err ? err : e;
	}
	if (a->note_secret) {
		struct evl_record r = {.kind = EVL_REC_SECRET_ROTATION,
				       .reason = "site_secret_rotated",
				       .source = "daemon",
				       .status = "success",
				       .detect_to_action_us = -1};
		char detail[64];

		snprintf(detail, sizeof(detail), "secret_id %s -> %s", a->old_secret_id,
			 a->secret_id);
		a->note_secret = false;
		e = emit(a, &r, wall, detail, false);
		err = err ? err : e;
	}
	/* A key_rotation from the core is a manual epoch change: seal now. */
	if (rec->kind == EVL_REC_KEY_ROTATION)
		e = seal(a, wall, rec->reason ? rec->reason : "manual");
	else
		e = emit(a, rec, wall, NULL, false);
	return e ? e : err;
}

int evl_audit_flush(struct evl_audit *a)
{
	int err;

	if (!a)
		return -EINVAL;
	err = flush_queue(a);
	if (!err && a->fd >= 0 && a->durability != EVL_AUDIT_SYNC_NONE &&
	    a->io->fdatasync(a->io_ctx, a->fd))
		err = -EIO;
	return err;
}

void evl_audit_get_stats(const struct evl_audit *a, struct evl_audit_stats *st)
{
	*st = a->st;
	st->key_epoch = a->key_epoch;
	st->secret_epoch = a->secret_epoch;
}

static int sink_record(void *ctx, const struct evl_record *rec)
{
	return evl_audit_append(ctx, rec);
}

struct evl_record_sink evl_audit_sink(struct evl_audit *a)
{
	return (struct evl_record_sink){.record = sink_record, .ctx = a};
}

void evl_audit_close(struct evl_audit *a)
{
	if (!a)
		return;
	flush_queue(a);
	for (size_t i = a->qhead; i < a->qlen; i++) {
		OPENSSL_cleanse(a->q[i].next_key, EVL_AUDIT_KEY_LEN);
		free(a->q[i].buf);
	}
	free(a->q);
	if (a->fd >= 0) {
		fsync(a->fd);
		close(a->fd);
	}
	if (a->head_fd >= 0) {
		fsync(a->head_fd);
		close(a->head_fd);
	}
	audit_mac_free(&a->mac);
	audit_mac_free(&a->secret_mac);
	audit_sha_free(&a->sha);
	OPENSSL_cleanse(a->key, sizeof(a->key));
	free(a->dir);
	free(a->key_file);
	free(a);
}
