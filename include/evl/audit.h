/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tamper-evident, privacy-preserving audit trail.
 *
 * DIR/audit_YYYYMMDD.jsonl (one per UTC day, .jsonl.gz once compressed): one signed JSON line
 * per record, HMAC-SHA256 over the line's exact bytes without the trailing signature member,
 * chained by `prev` = SHA-256 of the previous line across days. DIR/audit.head: signed chain
 * head (two alternating slots, updated with every append) so a truncated tail is detected.
 * DIR/retired.jsonl: what `maintain` deleted beyond retention (chain anchor).
 *
 * MAC key evolves per epoch (next = SHA-256(current)); the epoch advances on every UTC day
 * change, sealed by a key_rotation record signed with the old key. The key file holds the
 * current key (32 bytes = epoch 0, or 32 bytes key + 8 bytes little-endian epoch).
 */
#ifndef EVL_AUDIT_H
#define EVL_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "evl/record.h"

#define EVL_AUDIT_KEY_LEN  32
#define EVL_AUDIT_ID_BYTES 16 /* identifier hash: HMAC-SHA256 truncated to 128 bits */
#define EVL_AUDIT_ID_HEX   (2 * EVL_AUDIT_ID_BYTES)

enum evl_audit_durability {
	EVL_AUDIT_SYNC_EACH,  /* fdatasync after every record (daemon default) */
	EVL_AUDIT_SYNC_EVERY, /* fdatasync every opts.sync_every records */
	EVL_AUDIT_SYNC_NONE,  /* leave it to the kernel */
};

/* File writes, behind an ops table so tests can inject ENOSPC/EIO. NULL = real syscalls. */
struct evl_audit_io_ops {
	ssize_t (*write)(void *ctx, int fd, const void *buf, size_t len);
	ssize_t (*pwrite)(void *ctx, int fd, const void *buf, size_t len, off_t off);
	int (*fdatasync)(void *ctx, int fd);
	/* memory for lines held while writes fail; NULL (may be left out) = realloc */
	void *(*realloc)(void *ctx, void *p, size_t size);
};

struct evl_audit_opts {
	const char *dir;
	const char *key_file;	 /* MAC key; rewritten (0600, atomically) as it evolves */
	const char *secret_file; /* site secret for identifier hashing */
	enum evl_audit_durability durability;
	unsigned int sync_every; /* for EVL_AUDIT_SYNC_EVERY; 0 = 64 */
	/* Wall clock (us since the Unix epoch) for an engine time; NULL = real clock. */
	int64_t (*wall_us)(void *ctx, uint64_t mono_ns);
	void *wall_ctx;
	const struct evl_audit_io_ops *io; /* NULL = real */
	void *io_ctx;
	unsigned int max_pending; /* records kept in memory while writes fail; 0 = 65536 */
};

struct evl_audit_stats {
	uint64_t records;	 /* lines written (including the audit layer's own) */
	uint64_t write_errors;	 /* failed write/fdatasync attempts */
	uint64_t pending;	 /* lines held in memory, not yet written */
	uint64_t dropped;	 /* refused because the memory queue was full (never silent) */
	uint64_t head_errors;	 /* failed head updates (the trail itself is intact) */
	uint64_t torn_recovered; /* torn tails moved aside on open */
	uint64_t key_epoch;
	uint64_t secret_epoch;
};

struct evl_audit;

/* Message for the last failure in this thread (open, key load, maintain...). */
const char *evl_audit_errmsg(void);

/* NULL + errno (message in evl_audit_errmsg()). Recovers a torn tail, continues the chain. */
struct evl_audit *evl_audit_open(const struct evl_audit_opts *o);
/* 0 when this and every earlier record is written; -errno when held in memory (retried by the
 * next append or flush); -ENOBUFS when the memory queue is full and the record was refused. */
int evl_audit_append(struct evl_audit *a, const struct evl_record *rec);
int evl_audit_flush(struct evl_audit *a);
void evl_audit_get_stats(const struct evl_audit *a, struct evl_audit_stats *st);
struct evl_record_sink evl_audit_sink(struct evl_audit *a);
void evl_audit_close(struct evl_audit *a);

/* Keys and secrets: refuse files readable by group/other. */
int evl_audit_keygen(const char *path);
/* Sealing key (evld's audit_key_file) and loading it; a verification key is refused. */
int evl_audit_key_load(const char *path, uint8_t key[EVL_AUDIT_KEY_LEN], uint64_t *epoch);

/*
 * Set up the MAC keys once: seal_path gets the sealing key evld evolves daily (binary, 0600),
 * and text the verification key for auditors, one line "EVL-AUDIT-VERIFY-1 EPOCH HEX\n"
 * (the initial key: it checks every epoch), also written to verify_path (0600) unless NULL.
 * Refuses to overwrite either file.
 */
#define EVL_AUDIT_VKEY_TEXT 96
int evl_audit_setup_keys(const char *seal_path, const char *verify_path,
			 char text[EVL_AUDIT_VKEY_TEXT]);
void evl_audit_key_evolve(uint8_t key[EVL_AUDIT_KEY_LEN]);

/* HMAC-SHA256(secret, id) truncated to EVL_AUDIT_ID_BYTES, lowercase hex. */
int evl_audit_hash_id(const uint8_t secret[EVL_AUDIT_KEY_LEN], const char *id,
		      char out[EVL_AUDIT_ID_HEX + 1]);

enum evl_audit_verdict {
	EVL_AUDIT_OK,
	EVL_AUDIT_TAMPERED,
	EVL_AUDIT_IO_ERROR, /* cannot read, bad key file, empty trail */
	/* intact as far as the key reaches: records of epochs before an evolved sealing key's
	 * cannot be checked (file, line and reason name the first of them) */
	EVL_AUDIT_PARTIAL,
};

struct evl_audit_verify {
	enum evl_audit_verdict verdict;
	char file[256];	    /* first bad file (basename) */
	unsigned long line; /* first bad line, 1-based (0 = whole file / head) */
	char reason[256];
	uint64_t records;
	unsigned int files;
	uint64_t retired_records;    /* deleted by maintain, accounted in retired.jsonl */
	uint64_t beyond_head;	     /* records after the signed head (crash before its update) */
	uint64_t key_epoch;	     /* epoch of the last record */
	uint64_t incidents;	     /* torn_line / lost_tail records (crash recovery) */
	uint64_t unchecked;	     /* PARTIAL: records whose signature the key cannot check */
	uint64_t checked_from_epoch; /* the key's epoch: records from it on were checked */
	char unchecked_last[256];    /* PARTIAL: last unchecked file (basename) */
	unsigned long unchecked_last_line;
};

/* Called for every record (verified, or every parseable one when lenient) in order. */
typedef int (*evl_audit_walk_fn)(void *ctx, const char *day /* YYYYMMDD */, const char *line,
				 size_t len, const char *ap_id);

/* Verify DIR with the verification key (or the initial sealing key): everything; with an
 * evolved sealing key: its epoch onward, verdict PARTIAL when older records exist. cb (may be NULL)
 * sees verified records; a nonzero cb return stops the walk and is returned. Lenient: do not stop
 * on tampering (export --force). */
int evl_audit_verify_dir(const char *dir, const char *key_file, bool lenient, evl_audit_walk_fn cb,
			 void *ctx, struct evl_audit_verify *res);

struct evl_audit_maint {
	unsigned int compressed;
	unsigned int deleted;
};

/* Gzip days older than compress_days, delete days older than retain_days (0 = never), never
 * the newest day; deleted days are recorded in DIR/retired.jsonl first. */
int evl_audit_maintain(const char *dir, unsigned int compress_days, unsigned int retain_days,
		       int64_t now_us, struct evl_audit_maint *out);

#endif /* EVL_AUDIT_H */
