// SPDX-License-Identifier: GPL-2.0
/* Audit: keys, MAC/hash contexts, line and head formats, directory listing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "evl/sys.h"

#include "audit_int.h"

static __thread char errmsg[512];

const char *evl_audit_errmsg(void)
{
	return errmsg[0] ? errmsg : "no error";
}

void audit_seterr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
}

int audit_mac_init(struct audit_mac *m, const uint8_t key[EVL_AUDIT_KEY_LEN])
{
	m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	m->ctx = m->mac ? EVP_MAC_CTX_new(m->mac) : NULL;
	if (!m->ctx || audit_mac_rekey(m, key)) {
		audit_mac_free(m);
		audit_seterr("audit: OpenSSL HMAC-SHA256 unavailable");
		return -ENOTSUP;
	}
	return 0;
}

int audit_mac_rekey(struct audit_mac *m, const uint8_t key[EVL_AUDIT_KEY_LEN])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	return EVP_MAC_init(m->ctx, key, EVL_AUDIT_KEY_LEN, params) ? 0 : -EINVAL;
}

int audit_mac2(struct audit_mac *m, const void *a, size_t alen, const void *b, size_t blen,
	       uint8_t out[32])
{
	size_t olen = 0;

	/* NULL key: restart with the key already set. */
	if (!EVP_MAC_init(m->ctx, NULL, 0, NULL) || !EVP_MAC_update(m->ctx, a, alen) ||
	    (b && !EVP_MAC_update(m->ctx, b, blen)) || !EVP_MAC_final(m->ctx, out, &olen, 32))
		return -EINVAL;
	return 0;
}

void audit_mac_free(struct audit_mac *m)
{
	EVP_MAC_CTX_free(m->ctx);
	EVP_MAC_free(m->mac);
	m->ctx = NULL;
	m->mac = NULL;
}

int audit_sha_init(struct audit_sha *s)
{
	s->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	s->ctx = EVP_MD_CTX_new();
	if (!s->md || !s->ctx) {
		audit_sha_free(s);
		audit_seterr("audit: OpenSSL SHA-256 unavailable");
		return -ENOTSUP;
	}
	return 0;
}

int audit_sha(struct audit_sha *s, const void *p, size_t len, uint8_t out[32])
{
	if (!EVP_DigestInit_ex2(s->ctx, s->md, NULL) || !EVP_DigestUpdate(s->ctx, p, len) ||
	    !EVP_DigestFinal_ex(s->ctx, out, NULL))
		return -EINVAL;
	return 0;
}

void audit_sha_free(struct audit_sha *s)
{
	EVP_MD_CTX_free(s->ctx);
	EVP_MD_free(s->md);
	s->ctx = NULL;
	s->md = NULL;
}

void audit_hex(const uint8_t *in, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int audit_hash_id_mac(struct audit_mac *secret_mac, const char *id, char out[EVL_AUDIT_ID_HEX + 1])
{
	uint8_t d[32];

	if (audit_mac2(secret_mac, id, strlen(id), NULL, 0, d))
		return -EINVAL;
	audit_hex(d, EVL_AUDIT_ID_BYTES, out);
	return 0;
}

int audit_secret_id(struct audit_mac *secret_mac, char out[9])
{
	static const char label[] = "evl-audit secret id";
	uint8_t d[32];

	if (audit_mac2(secret_mac, label, sizeof(label), NULL, 0, d))
		return -EINVAL;
	audit_hex(d, 4, out);
	return 0;
}

int evl_audit_hash_id(const uint8_t secret[EVL_AUDIT_KEY_LEN], const char *id,
		      char out[EVL_AUDIT_ID_HEX + 1])
{
	struct audit_mac m;
	int err;

	if (!secret || !id || !out)
		return -EINVAL;
	err = audit_mac_init(&m, secret);
	if (err)
		return err;
	err = audit_hash_id_mac(&m, id, out);
	audit_mac_free(&m);
	return err;
}

/* --- key files ------------------------------------------------------------ */

/* Parse "EVL-AUDIT-VERIFY-1 EPOCH HEX64\n": 0, or -EINVAL when buf is not one. */
static int vkey_parse(const uint8_t *buf, size_t n, uint8_t key[EVL_AUDIT_KEY_LEN], uint64_t *epoch)
{
	char text[VKEY_TEXT_MAX + 1], hex[2 * EVL_AUDIT_KEY_LEN + 1], nl;
	unsigned long long ep;

	if (n > VKEY_TEXT_MAX || n < sizeof(VKEY_MAGIC) ||
	    memcmp(buf, VKEY_MAGIC " ", sizeof(VKEY_MAGIC)))
		return -EINVAL;
	memcpy(text, buf, n);
	text[n] = '\0';
	if (sscanf(text, VKEY_MAGIC " %20llu %64[0-9a-f]%c", &ep, hex, &nl) != 3 || nl != '\n' ||
	    strlen(hex) != 2 * EVL_AUDIT_KEY_LEN || text[n - 1] != '\n' ||
	    strchr(text, '\n') != text + n - 1)
		return -EINVAL;
	for (int i = 0; i < EVL_AUDIT_KEY_LEN; i++) {
		unsigned int b;

		sscanf(hex + 2 * i, "%2x", &b);
		key[i] = (uint8_t)b;
	}
	OPENSSL_cleanse(hex, sizeof(hex));
	OPENSSL_cleanse(text, sizeof(text));
	*epoch = ep;
	return 0;
}

/* Either form: a sealing key (32 or 40 bytes) or a verification key (text). */
int audit_key_load_any(const char *path, uint8_t key[EVL_AUDIT_KEY_LEN], uint64_t *epoch,
		       bool *verification)
{
	uint8_t buf[VKEY_TEXT_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		err = -errno;
		audit_seterr("%s: cannot open key file: %s", path, strerror(errno));
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		audit_seterr("%s: %s", path, strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		audit_seterr("%s: key file is not a regular file", path);
		goto out_close;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		err = -EPERM;
		audit_seterr("%s: key file is accessible by group or others (mode %04o); "
			     "run: chmod 600 %s",
			     path, (unsigned int)(st.st_mode & 07777), path);
		goto out_close;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		err = -errno;
		audit_seterr("%s: %s", path, strerror(errno));
		goto out_close;
	}
	*verification = false;
	if (n > EVL_AUDIT_KEY_LEN + 8) {
		*verification = true;
		err = vkey_parse(buf, (size_t)n, key, epoch);
		if (err)
			audit_seterr("%s: not a key file: neither 32 or 40 bytes (sealing key) nor "
				     "one \"" VKEY_MAGIC " EPOCH KEY\" line (verification key)",
				     path);
		goto out_wipe;
	}
	if (n != EVL_AUDIT_KEY_LEN && n != EVL_AUDIT_KEY_LEN + 8) {
		err = -EINVAL;
		audit_seterr("%s: key file has %zd bytes, expected 32 (evl-audit keygen) or 40",
			     path, n);
		goto out_wipe;
	}
	memcpy(key, buf, EVL_AUDIT_KEY_LEN);
	*epoch = 0;
	for (int i = 7; n == EVL_AUDIT_KEY_LEN + 8 && i >= 0; i--)
		*epoch = (*epoch << 8) | buf[EVL_AUDIT_KEY_LEN + i];
out_wipe:
	OPENSSL_cleanse(buf, sizeof(buf));
out_close:
	close(fd);
	return err;
}

int evl_audit_key_load(const char *path, uint8_t key[EVL_AUDIT_KEY_LEN], uint64_t *epoch)
{
	bool verification;
	int err = audit_key_load_any(path, key, epoch, &verification);

	if (!err && verification) {
		OPENSSL_cleanse(key, EVL_AUDIT_KEY_LEN);
		audit_seterr(
			"%s: this is the auditors' verification key; evld needs the sealing key "
			"(evl-audit setup)",
			path);
		return -EINVAL;
	}
	return err;
}

/* Write to a temp file beside path, fsync, rename over path, fsync the directory. */
int audit_key_save(const char *path, const uint8_t key[EVL_AUDIT_KEY_LEN], uint64_t epoch)
{
	uint8_t buf[EVL_AUDIT_KEY_LEN + 8];
	int err;

	memcpy(buf, key, EVL_AUDIT_KEY_LEN);
	for (int i = 0; i < 8; i++)
		buf[EVL_AUDIT_KEY_LEN + i] = (uint8_t)(epoch >> (8 * i));
	err = evl_sys_write_atomic(path, buf, epoch ? sizeof(buf) : EVL_AUDIT_KEY_LEN, 0600);
	OPENSSL_cleanse(buf, sizeof(buf));
	return err;
}

int evl_audit_keygen(const char *path)
{
	uint8_t key[EVL_AUDIT_KEY_LEN];
	struct stat st;
	int err;

	if (!lstat(path, &st)) {
		audit_seterr("%s: already exists; refusing to overwrite a key", path);
		return -EEXIST;
	}
	if (RAND_priv_bytes(key, sizeof(key)) != 1) {
		audit_seterr("keygen: no random bytes from OpenSSL");
		return -EIO;
	}
	err = audit_key_save(path, key, 0);
	OPENSSL_cleanse(key, sizeof(key));
	if (err)
		audit_seterr("%s: cannot write key: %s", path, strerror(-err));
	return err;
}

int evl_audit_setup_keys(const char *seal_path, const char *verify_path,
			 char text[EVL_AUDIT_VKEY_TEXT])
{
	uint8_t key[EVL_AUDIT_KEY_LEN];
	char hex[2 * EVL_AUDIT_KEY_LEN + 1];
	struct stat st;
	int err;

	if (!seal_path || !text)
		return -EINVAL;
	if (!lstat(seal_path, &st) || (verify_path && !lstat(verify_path, &st))) {
		audit_seterr("%s: already exists; refusing to overwrite a key",
			     !lstat(seal_path, &st) ? seal_path : verify_path);
		return -EEXIST;
	}
	if (RAND_priv_bytes(key, sizeof(key)) != 1) {
		audit_seterr("setup: no random bytes from OpenSSL");
		return -EIO;
	}
	audit_hex(key, sizeof(key), hex);
	snprintf(text, EVL_AUDIT_VKEY_TEXT, VKEY_MAGIC " 0 %s\n", hex);
	OPENSSL_cleanse(hex, sizeof(hex));
	/* the verification key first: a sealing key must never exist without it */
	err = verify_path ? evl_sys_write_atomic(verify_path, text, strlen(text), 0600) : 0;
	if (err)
		audit_seterr("%s: cannot write the verification key: %s", verify_path,
			     strerror(-err));
	if (!err) {
		err = audit_key_save(seal_path, key, 0);
		if (err)
			audit_seterr("%s: cannot write the sealing key: %s", seal_path,
				     strerror(-err));
	}
	OPENSSL_cleanse(key, sizeof(key));
	if (err)
		OPENSSL_cleanse(text, EVL_AUDIT_VKEY_TEXT);
	return err;
}

void evl_audit_key_evolve(uint8_t key[EVL_AUDIT_KEY_LEN])
{
	uint8_t next[32];
	unsigned int n = 0;

	EVP_Digest(key, EVL_AUDIT_KEY_LEN, next, &n, EVP_sha256(), NULL);
	memcpy(key, next, EVL_AUDIT_KEY_LEN);
	OPENSSL_cleanse(next, sizeof(next));
}

/* --- record lines ---------------------------------------------------------- */

static bool is_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

static int get_int(struct json_object *o, const char *k, int64_t *v, bool required)
{
	struct json_object *x;

	if (!json_object_object_get_ex(o, k, &x) || !json_object_is_type(x, json_type_int)) {
		*v = -1;
		return required ? -EBADMSG : 0;
	}
	*v = json_object_get_int64(x);
	return *v < 0 ? -EBADMSG : 0;
}

static int get_str(struct json_object *o, const char *k, char *dst, size_t want, bool required)
{
	struct json_object *x;

	dst[0] = '\0';
	if (!json_object_object_get_ex(o, k, &x) || !json_object_is_type(x, json_type_string))
		return required ? -EBADMSG : 0;
	if ((size_t)json_object_get_string_len(x) != want)
		return -EBADMSG;
	memcpy(dst, json_object_get_string(x), want + 1);
	return 0;
}

int audit_line_parse(const char *line, size_t len, struct audit_line *out, const char **why)
{
	const char *sig = line + len - AUDIT_SIG_SUFFIX_LEN;
	struct json_tokener *tok;
	struct json_object *o, *ts;
	const char *t;
	int err = -EBADMSG;

	*why = "signature is not the last member";
	if (len < AUDIT_SIG_SUFFIX_LEN + 2 || line[len - 1] != '}' || line[len - 2] != '"' ||
	    memcmp(sig, AUDIT_SIG_TAIL, AUDIT_SIG_TAIL_LEN) ||
	    !is_hex(sig + AUDIT_SIG_TAIL_LEN, AUDIT_HASH_HEX))
		return -EBADMSG;
	memcpy(out->sig, sig + AUDIT_SIG_TAIL_LEN, AUDIT_HASH_HEX);
	out->sig[AUDIT_HASH_HEX] = '\0';

	*why = "not a JSON object";
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object))
		goto out;
	*why = "missing or malformed seq/key_epoch/prev/timestamp";
	if (get_int(o, "seq", &out->seq, true) || get_int(o, "key_epoch", &out->key_epoch, true) ||
	    get_int(o, "secret_epoch", &out->secret_epoch, true) ||
	    get_int(o, "next_key_epoch", &out->next_key_epoch, false) ||
	    get_str(o, "prev", out->prev, AUDIT_HASH_HEX, true) ||
	    get_str(o, "secret_id", out->secret_id, 8, true) ||
	    get_str(o, "ap_id", out->ap_id, EVL_AUDIT_ID_HEX, false))
		goto out;
	if (!json_object_object_get_ex(o, "kind", &ts) ||
	    !json_object_is_type(ts, json_type_string))
		goto out;
	snprintf(out->kind, sizeof(out->kind), "%s", json_object_get_string(ts));
	if (!json_object_object_get_ex(o, "timestamp", &ts) ||
	    !json_object_is_type(ts, json_type_string) || json_object_get_string_len(ts) < 10)
		goto out;
	t = json_object_get_string(ts); /* YYYY-MM-DD... */
	snprintf(out->day, sizeof(out->day), "%.4s%.2s%.2s", t, t + 5, t + 8);
	err = 0;
	*why = NULL;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return err;
}

bool audit_line_sig_ok(struct audit_mac *m, const char *line, size_t len)
{
	uint8_t d[32];
	char hex[AUDIT_HASH_HEX + 1];

	if (len < AUDIT_SIG_SUFFIX_LEN + 2 ||
	    audit_mac2(m, line, len - AUDIT_SIG_SUFFIX_LEN, "}", 1, d))
		return false;
	audit_hex(d, 32, hex);
	return CRYPTO_memcmp(hex, line + len - 2 - AUDIT_HASH_HEX, AUDIT_HASH_HEX) == 0;
}

int audit_line_hash(struct audit_sha *s, const char *line, size_t len, char out[AUDIT_HASH_HEX + 1])
{
	uint8_t d[32];

	if (audit_sha(s, line, len, d))
		return -EINVAL;
	audit_hex(d, 32, out);
	return 0;
}

/* --- signed head ----------------------------------------------------------- */

#define HEAD_MAC_TAIL ",\"mac\":\""

int audit_head_render(struct audit_mac *m, const struct audit_head *h, char slot[AUDIT_HEAD_SLOT])
{
	char hex[AUDIT_HASH_HEX + 1];
	uint8_t d[32];
	int n;

	n = snprintf(slot, AUDIT_HEAD_SLOT,
		     "{\"seq\":%" PRId64 ",\"key_epoch\":%" PRId64 ",\"hash\":\"%s\"", h->seq,
		     h->key_epoch, h->hash);
	if (n < 0 || n + 80 > AUDIT_HEAD_SLOT || audit_mac2(m, slot, (size_t)n, "}", 1, d))
		return -EINVAL;
	audit_hex(d, 32, hex);
	n += snprintf(slot + n, AUDIT_HEAD_SLOT - n, HEAD_MAC_TAIL "%s\"}", hex);
	memset(slot + n, ' ', AUDIT_HEAD_SLOT - n - 1);
	slot[AUDIT_HEAD_SLOT - 1] = '\n';
	return 0;
}

int audit_head_parse(const char *slot, struct audit_head *h)
{
	const char *mac;
	int n = 0;
	bool zero = true;

	for (int i = 0; i < AUDIT_HEAD_SLOT; i++)
		zero = zero && !slot[i];
	if (zero)
		return -ENOENT;
	if (slot[AUDIT_HEAD_SLOT - 1] != '\n' || memchr(slot, '\0', AUDIT_HEAD_SLOT))
		return -EBADMSG;
	if (sscanf(slot,
		   "{\"seq\":%" SCNd64 ",\"key_epoch\":%" SCNd64 ",\"hash\":\"%64[0-9a-f]\"%n",
		   &h->seq, &h->key_epoch, h->hash, &n) != 3 ||
	    strlen(h->hash) != AUDIT_HASH_HEX || h->seq < 0 || h->key_epoch < 0)
		return -EBADMSG;
	mac = slot + n;
	if (strncmp(mac, HEAD_MAC_TAIL, strlen(HEAD_MAC_TAIL)) ||
	    !is_hex(mac + strlen(HEAD_MAC_TAIL), AUDIT_HASH_HEX))
		return -EBADMSG;
	return 0;
}

bool audit_head_sig_ok(struct audit_mac *m, const char *slot)
{
	const char *mac = strstr(slot, HEAD_MAC_TAIL);
	char hex[AUDIT_HASH_HEX + 1];
	uint8_t d[32];

	if (!mac || audit_mac2(m, slot, (size_t)(mac - slot), "}", 1, d))
		return false;
	audit_hex(d, 32, hex);
	return CRYPTO_memcmp(hex, mac + strlen(HEAD_MAC_TAIL), AUDIT_HASH_HEX) == 0;
}

/* --- directory ------------------------------------------------------------- */

static int cmp_day(const void *a, const void *b)
{
	const struct audit_dayfile *x = a, *y = b;

	return x->date != y->date ? (x->date < y->date ? -1 : 1) : (int)x->gz - (int)y->gz;
}

int audit_list_days(const char *dir, struct audit_dayfile **out, size_t *n)
{
	struct audit_dayfile *v = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*n = 0;
	d = opendir(dir);
	if (!d) {
		int err = -errno;

		audit_seterr("%s: %s", dir, strerror(errno));
		return err;
	}
	while ((de = readdir(d))) {
		unsigned int date;
		char tail[16] = "";
		int used = 0;

		if (sscanf(de->d_name, "audit_%8u%n", &date, &used) != 1 || used != 14)
			continue;
		snprintf(tail, sizeof(tail), "%s", de->d_name + used);
		if (strcmp(tail, ".jsonl") && strcmp(tail, ".jsonl.gz"))
			continue;
		if (cnt == cap) {
			struct audit_dayfile *nv;

			cap = cap ? 2 * cap : 64;
			nv = cap <= AUDIT_MAX_FILES ? realloc(v, cap * sizeof(*v)) : NULL;
			if (!nv) {
				free(v);
				closedir(d);
				audit_seterr("%s: too many day files", dir);
				return -ENOMEM;
			}
			v = nv;
		}
		v[cnt].date = (int)date;
		v[cnt].gz = !strcmp(tail, ".jsonl.gz");
		snprintf(v[cnt].name, sizeof(v[cnt].name), "%.63s", de->d_name);
		cnt++;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_day);
	*out = v;
	*n = cnt;
	return 0;
}

int audit_read_retired(const char *dir, struct audit_retired **out, size_t *n)
{
	char path[4096], line[512];
	struct audit_retired *v = NULL;
	size_t cnt = 0;
	FILE *f;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, AUDIT_RETIRED_FILE);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		struct audit_retired r;
		struct audit_retired *nv;

		if (sscanf(line,
			   "{\"date\":%d,\"first_seq\":%" SCNd64 ",\"last_seq\":%" SCNd64
			   ",\"last_hash\":\"%64[0-9a-f]\"}",
			   &r.date, &r.first_seq, &r.last_seq, r.last_hash) != 4 ||
		    strlen(r.last_hash) != AUDIT_HASH_HEX) {
			free(v);
			fclose(f);
			audit_seterr("%s: line %zu is malformed", AUDIT_RETIRED_FILE, cnt + 1);
			return -EBADMSG;
		}
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			fclose(f);
			return -ENOMEM;
		}
		v = nv;
		v[cnt++] = r;
	}
	fclose(f);
	*out = v;
	*n = cnt;
	return 0;
}

int audit_date_from_us(int64_t us)
{
	time_t t = (time_t)(us / 1000000 - (us % 1000000 < 0 ? 1 : 0));
	struct tm tm;

	gmtime_r(&t, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}
