/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the audit writer, verifier and maintenance. */
#ifndef EVL_AUDIT_INT_H
#define EVL_AUDIT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "evl/audit.h"

#define AUDIT_HASH_HEX	   64
#define AUDIT_SIG_TAIL	   ",\"signature\":\""
#define AUDIT_SIG_TAIL_LEN 14
/* ,"signature":"<64 hex>"} */
#define AUDIT_SIG_SUFFIX_LEN (AUDIT_SIG_TAIL_LEN + AUDIT_HASH_HEX + 2)
#define AUDIT_LINE_MAX	     65536
#define AUDIT_HEAD_FILE	     "audit.head"
#define AUDIT_HEAD_SLOT	     256
#define AUDIT_RETIRED_FILE   "retired.jsonl"
#define AUDIT_MAX_FILES	     8192

void audit_seterr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One HMAC-SHA256 context, reused for every record of a log. */
struct audit_mac {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
};

int audit_mac_init(struct audit_mac *m, const uint8_t key[EVL_AUDIT_KEY_LEN]);
int audit_mac_rekey(struct audit_mac *m, const uint8_t key[EVL_AUDIT_KEY_LEN]);
/* MAC over a || b (b may be NULL). */
int audit_mac2(struct audit_mac *m, const void *a, size_t alen, const void *b, size_t blen,
	       uint8_t out[32]);
void audit_mac_free(struct audit_mac *m);

struct audit_sha {
	EVP_MD *md;
	EVP_MD_CTX *ctx;
};

int audit_sha_init(struct audit_sha *s);
int audit_sha(struct audit_sha *s, const void *p, size_t len, uint8_t out[32]);
void audit_sha_free(struct audit_sha *s);

void audit_hex(const uint8_t *in, size_t n, char *out); /* writes 2n chars + NUL */

/* Secret fingerprint recorded in the trail (secret_id), 8 hex chars. */
int audit_secret_id(struct audit_mac *secret_mac, char out[9]);
int audit_hash_id_mac(struct audit_mac *secret_mac, const char *id, char out[EVL_AUDIT_ID_HEX + 1]);

/* A parsed, not yet verified line. */
struct audit_line {
	int64_t seq;
	int64_t key_epoch;
	int64_t next_key_epoch; /* >= 0 only on a seal (key_rotation written by the audit layer) */
	int64_t secret_epoch;
	char prev[AUDIT_HASH_HEX + 1];
	char sig[AUDIT_HASH_HEX + 1];
	char secret_id[9];
	char ap_id[EVL_AUDIT_ID_HEX + 1];
	char day[9]; /* YYYYMMDD from the timestamp */
	char kind[24];
};

/* Checks shape (signature last, JSON object, required fields); 0 or -EBADMSG with msg. */
int audit_line_parse(const char *line, size_t len, struct audit_line *out, const char **why);
/* Signature check over the exact bytes without the signature member. */
bool audit_line_sig_ok(struct audit_mac *m, const char *line, size_t len);
int audit_line_hash(struct audit_sha *s, const char *line, size_t len,
		    char out[AUDIT_HASH_HEX + 1]);

/* Day files in dir, sorted by date. */
struct audit_dayfile {
	int date; /* YYYYMMDD */
	bool gz;
	char name[64];
};

int audit_list_days(const char *dir, struct audit_dayfile **out, size_t *n);

/* Signed head: two slots, newest valid one wins. */
struct audit_head {
	int64_t seq;
	int64_t key_epoch;
	char hash[AUDIT_HASH_HEX + 1];
};

/* Render a slot (AUDIT_HEAD_SLOT bytes, newline-terminated) signed with m. */
int audit_head_render(struct audit_mac *m, const struct audit_head *h, char slot[AUDIT_HEAD_SLOT]);
/* Parse a slot (no MAC check): 0, or -EBADMSG; a zeroed slot is -ENOENT. */
int audit_head_parse(const char *slot, struct audit_head *h);
bool audit_head_sig_ok(struct audit_mac *m, const char *slot);

/* Retired-day manifest entries. */
struct audit_retired {
	int date;
	int64_t first_seq;
	int64_t last_seq;
	char last_hash[AUDIT_HASH_HEX + 1];
};

int audit_read_retired(const char *dir, struct audit_retired **out, size_t *n);

#define VKEY_MAGIC    "EVL-AUDIT-VERIFY-1"
#define VKEY_TEXT_MAX (EVL_AUDIT_VKEY_TEXT - 1)
/* A sealing key (binary) or a verification key (text line); which one in *verification. */
int audit_key_load_any(const char *path, uint8_t key[EVL_AUDIT_KEY_LEN], uint64_t *epoch,
		       bool *verification);
int audit_key_save(const char *path, const uint8_t key[EVL_AUDIT_KEY_LEN], uint64_t epoch);
int audit_date_from_us(int64_t us); /* YYYYMMDD (UTC) */

/* The writer (log.c, open.c). */
#define LINE_BUF 16384
#define RND_POOL 4096

/* A signed line waiting to be written (only held while writes fail). */
struct qline {
	char *buf;
	size_t len;
	int date;
	int64_t seq;
	char hash[AUDIT_HASH_HEX + 1];
	bool seal;
	uint64_t next_epoch; /* seal: persist this key after the seal is written */
	uint8_t next_key[EVL_AUDIT_KEY_LEN];
};

struct evl_audit {
	char *dir;
	char *key_file;
	enum evl_audit_durability durability;
	unsigned int sync_every, since_sync, max_pending;
	int64_t (*wall_us)(void *ctx, uint64_t mono_ns);
	void *wall_ctx;
	int64_t wall_offset_us; /* default mapper: realtime - monotonic at open */
	const struct evl_audit_io_ops *io;
	void *io_ctx;

	uint8_t key[EVL_AUDIT_KEY_LEN];
	uint64_t key_epoch;
	struct audit_mac mac, secret_mac;
	struct audit_sha sha;
	char secret_id[9], old_secret_id[9];
	uint64_t secret_epoch;

	int64_t seq; /* last signed line, -1 when none */
	char last_hash[AUDIT_HASH_HEX + 1];
	bool sealed; /* last signed line is a seal */
	int date;    /* day file that the next line goes to (0 = none yet) */

	int fd, fd_date, head_fd, last_err;
	off_t fd_off;

	/* Notes found on open, written before the next record. */
	bool note_torn, note_lost, note_secret;
	char torn_detail[192];
	char lost_detail[96];

	struct qline *q;
	size_t qhead, qlen, qcap;

	uint8_t rnd[RND_POOL];
	size_t rnd_off;
	struct evl_audit_stats st;
	char buf[LINE_BUF];
};

extern const struct evl_audit_io_ops audit_sys_io;

#endif /* EVL_AUDIT_INT_H */
