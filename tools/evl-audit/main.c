// SPDX-License-Identifier: GPL-2.0
/* evl-audit: keygen, verify, export, maintain and bench for the evl audit trail. */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "evl/audit.h"

#define EXIT_TAMPERED 1
#define EXIT_USAGE    2
#define EXIT_PARTIAL  3

static const char usage_main[] =
	"usage: evl-audit COMMAND [OPTIONS]\n"
	"  setup --key FILE [--verify-key VFILE]  sealing key for evld, verification key\n"
	"                                   for auditors (stdout unless VFILE)\n"
	"  keygen FILE                      write 32 random bytes (mode 0600)\n"
	"  verify --dir DIR --key FILE      exit 0 intact, 1 tampered, 2 usage/I-O error,\n"
	"                                   3 partial (evolved sealing key)\n"
	"  export --dir DIR --key FILE [--site-secret FILE] [--ap ID] [--from YYYY-MM-DD]\n"
	"         [--to YYYY-MM-DD] [-o OUT] [--force]\n"
	"  maintain --dir DIR [--compress-after 90d] [--retain 7y]\n"
	"  bench [--records N] [--dir DIR]  records/s signed+appended per durability\n"
	"See evl-audit(8).\n";

static int usage(const char *text, bool help)
{
	fputs(text, help ? stdout : stderr);
	return help ? 0 : EXIT_USAGE;
}

static int bad_value(const char *opt, const char *val, const char *want)
{
	fprintf(stderr, "evl-audit: %s '%s': want %s\n", opt, val, want);
	return EXIT_USAGE;
}

/* One option of a verb: --NAME (and -SHORT) puts its argument, or "" for a flag, in *val. */
struct verb_opt {
	const char *name;
	char short_name; /* 0: long only */
	bool flag;
	const char **val;
};

/*
 * A verb's options by its table, so no verb carries its own getopt loop; no positional
 * argument is taken. Returns -1 to go on, else the exit code (bad usage, or --help shown).
 */
static int parse_verb(int argc, char **argv, const struct verb_opt *t, const char *text)
{
	struct option lo[16] = {{"help", no_argument, NULL, 'h'}};
	char shorts[32] = "h";
	size_t n, k = 1;
	int c;

	for (n = 0; t[n].name && n + 2 < sizeof(lo) / sizeof(lo[0]); n++) {
		lo[n + 1] = (struct option){t[n].name, t[n].flag ? no_argument : required_argument,
					    NULL, 256 + (int)n};
		if (t[n].short_name && k + 3 < sizeof(shorts)) {
			shorts[k++] = t[n].short_name;
			if (!t[n].flag)
				shorts[k++] = ':';
		}
	}
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if (c == 'h')
			return usage(text, true);
		for (k = 0; c < 256 && k < n; k++)
			if (t[k].short_name == c)
				c = 256 + (int)k;
		if (c < 256 || c >= 256 + (int)n)
			return usage(text, false);
		*t[c - 256].val = t[c - 256].flag ? "" : optarg;
	}
	return optind == argc ? -1 : usage(text, false);
}

static const char usage_keygen[] =
	"usage: evl-audit keygen FILE\n"
	"Write 32 random bytes to FILE with mode 0600 (the site secret). Refuses to overwrite.\n"
	"For the MAC key use 'evl-audit setup': it also gives the verification key.\n";

static int cmd_keygen(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return usage(usage_keygen, true);
	if (argc != 2)
		return usage(usage_keygen, false);
	if (evl_audit_keygen(argv[1])) {
		fprintf(stderr, "evl-audit: %s\n", evl_audit_errmsg());
		return EXIT_USAGE;
	}
	return 0;
}

static const char usage_setup[] =
	"usage: evl-audit setup --key FILE [--verify-key VFILE]\n"
	"Set up the MAC keys once. FILE: the sealing key, evld's audit_key_file (evld evolves it\n"
	"daily; it cannot check older days). VFILE: the verification key for auditors, kept off\n"
	"the host; 'verify --key VFILE' checks every day. Without VFILE it goes to stdout.\n"
	"Both mode 0600; refuses to overwrite. Exit 0, 2 usage or I/O error.\n";

static int cmd_setup(int argc, char **argv)
{
	const char *key = NULL, *vkey = NULL;
	const struct verb_opt t[] = {{"key", 0, false, &key}, {"verify-key", 0, false, &vkey}, {}};
	char text[EVL_AUDIT_VKEY_TEXT];
	int ret = parse_verb(argc, argv, t, usage_setup);

	if (ret >= 0)
		return ret;
	if (!key)
		return usage(usage_setup, false);
	if (evl_audit_setup_keys(key, vkey, text)) {
		fprintf(stderr, "evl-audit: %s\n", evl_audit_errmsg());
		return EXIT_USAGE;
	}
	fprintf(stderr,
		"evl-audit: sealing key %s: evld's audit_key_file (stays on this host)\n"
		"evl-audit: verification key %s: for auditors, off this host "
		"(evl-audit verify --key)\n",
		key, vkey ? vkey : "(on stdout)");
	if (!vkey)
		fputs(text, stdout);
	OPENSSL_cleanse(text, sizeof(text));
	return 0;
}

static void report(const struct evl_audit_verify *r)
{
	if (r->verdict == EVL_AUDIT_OK)
		return;
	if (r->line)
		fprintf(stderr, "evl-audit: %s:%lu: %s\n", r->file, r->line, r->reason);
	else
		fprintf(stderr, "evl-audit: %s: %s\n", r->file, r->reason);
}

static const char usage_verify[] =
	"usage: evl-audit verify --dir DIR --key FILE\n"
	"Check every record's signature, the hash chain across days (.jsonl and .jsonl.gz),\n"
	"key-epoch seals, retired days and the signed head. FILE: the verification key (or\n"
	"the initial sealing key). An evolved sealing key checks its epoch onward only.\n"
	"Exit 0 intact, 1 tampered (first bad file:line and why), 2 usage or I/O error,\n"
	"3 partial: intact from the key's epoch on, older records (named) not checked.\n";

static int verdict_exit(const struct evl_audit_verify *r)
{
	return r->verdict == EVL_AUDIT_OK	  ? 0
	       : r->verdict == EVL_AUDIT_TAMPERED ? EXIT_TAMPERED
	       : r->verdict == EVL_AUDIT_PARTIAL  ? EXIT_PARTIAL
						  : EXIT_USAGE;
}

static int cmd_verify(int argc, char **argv)
{
	const char *dir = NULL, *key = NULL;
	const struct verb_opt t[] = {{"dir", 0, false, &dir}, {"key", 0, false, &key}, {}};
	struct evl_audit_verify r;
	int ret = parse_verb(argc, argv, t, usage_verify);

	if (ret >= 0)
		return ret;
	if (!dir || !key)
		return usage(usage_verify, false);
	if (evl_audit_verify_dir(dir, key, false, NULL, NULL, &r)) {
		fprintf(stderr, "evl-audit: out of memory\n");
		return EXIT_USAGE;
	}
	report(&r);
	if (r.verdict == EVL_AUDIT_OK) {
		printf("evl-audit: %s intact: %" PRIu64
		       " records in %u day files, key epoch %" PRIu64,
		       dir, r.records, r.files, r.key_epoch);
		if (r.retired_records)
			printf(", %" PRIu64 " earlier records retired", r.retired_records);
		if (r.incidents)
			printf(", %" PRIu64
			       " crash-recovery records (kind torn_line: see them with "
			       "export)",
			       r.incidents);
		if (r.beyond_head)
			printf(", %" PRIu64 " after the signed head (crash before its update)",
			       r.beyond_head);
		printf("\n");
	}
	return verdict_exit(&r);
}

struct export_ctx {
	FILE *out;
	int from, to; /* YYYYMMDD, 0 = open */
	const char *ap_hash;
	uint64_t n;
};

static int export_one(void *ctx, const char *day, const char *line, size_t len, const char *ap)
{
	struct export_ctx *e = ctx;
	int d = atoi(day);

	if ((e->from && d < e->from) || (e->to && d > e->to))
		return 0;
	if (e->ap_hash && (!ap || strcmp(ap, e->ap_hash)))
		return 0;
	if (fwrite(line, 1, len, e->out) != len || fputc('\n', e->out) == EOF)
		return -EIO;
	e->n++;
	return 0;
}

static int parse_date(const char *s, int *out)
{
	int y, m, d, n = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || s[n] || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		return -EINVAL;
	*out = y * 10000 + m * 100 + d;
	return 0;
}

static const char usage_export[] =
	"usage: evl-audit export --dir DIR --key FILE [--site-secret FILE] [--ap ID]\n"
	"                        [--from YYYY-MM-DD] [--to YYYY-MM-DD] [-o OUT] [--force]\n"
	"See evl-audit(8).\n";

static int cmd_export(int argc, char **argv)
{
	const char *dir = NULL, *key = NULL, *secret = NULL, *ap = NULL, *out = NULL;
	const char *from = NULL, *to = NULL, *force = NULL;
	const struct verb_opt t[] = {
		{"dir", 0, false, &dir},
		{"key", 0, false, &key},
		{"site-secret", 0, false, &secret},
		{"ap", 0, false, &ap},
		{"from", 0, false, &from},
		{"to", 0, false, &to},
		{"force", 0, true, &force},
		{"out", 'o', false, &out},
		{},
	};
	struct export_ctx e = {.out = stdout};
	char hash[EVL_AUDIT_ID_HEX + 1];
	struct evl_audit_verify r;
	int err = parse_verb(argc, argv, t, usage_export);

	if (err >= 0)
		return err;
	if (!dir || !key)
		return usage(usage_export, false);
	if (from && parse_date(from, &e.from))
		return bad_value("--from", from, "YYYY-MM-DD");
	if (to && parse_date(to, &e.to))
		return bad_value("--to", to, "YYYY-MM-DD");
	if (ap && !secret) {
		fprintf(stderr, "evl-audit: --ap needs --site-secret to hash the identifier\n");
		return EXIT_USAGE;
	}
	if (ap) {
		uint8_t s[EVL_AUDIT_KEY_LEN];
		uint64_t ep;

		if (evl_audit_key_load(secret, s, &ep)) {
			fprintf(stderr, "evl-audit: %s\n", evl_audit_errmsg());
			return EXIT_USAGE;
		}
		err = evl_audit_hash_id(s, ap, hash);
		OPENSSL_cleanse(s, sizeof(s));
		if (err)
			return EXIT_USAGE;
		e.ap_hash = hash;
	}
	if (evl_audit_verify_dir(dir, key, false, NULL, NULL, &r))
		return EXIT_USAGE;
	if (r.verdict == EVL_AUDIT_IO_ERROR) {
		report(&r);
		return EXIT_USAGE;
	}
	if (r.verdict == EVL_AUDIT_PARTIAL) {
		report(&r);
		if (!force) {
			fprintf(stderr,
				"evl-audit: refusing to export records this key cannot check "
				"(--force exports them anyway, unverified)\n");
			return EXIT_PARTIAL;
		}
	}
	if (r.verdict == EVL_AUDIT_TAMPERED) {
		report(&r);
		if (!force) {
			fprintf(stderr, "evl-audit: refusing to export from a tampered trail "
					"(--force exports it anyway, unverified)\n");
			return EXIT_TAMPERED;
		}
		fprintf(stderr, "evl-audit: --force: exporting records from a TAMPERED trail\n");
	}
	if (out) {
		e.out = fopen(out, "we");
		if (!e.out) {
			fprintf(stderr, "evl-audit: %s: %s\n", out, strerror(errno));
			return EXIT_USAGE;
		}
	}
	err = evl_audit_verify_dir(dir, key, force, export_one, &e, &r);
	if (out && fclose(e.out))
		err = err ? err : -EIO;
	if (err) {
		fprintf(stderr, "evl-audit: export failed: %s\n", strerror(-err));
		return EXIT_USAGE;
	}
	fprintf(stderr, "evl-audit: exported %" PRIu64 " records\n", e.n);
	return verdict_exit(&r);
}

/* "90d", "12w", "6m" (30 d), "7y" (365 d); a bare number is days. */
static int parse_days(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || v > 100000)
		return -EINVAL;
	switch (*end) {
	case '\0':
	case 'd':
		break;
	case 'w':
		v *= 7;
		break;
	case 'm':
		v *= 30;
		break;
	case 'y':
		v *= 365;
		break;
	default:
		return -EINVAL;
	}
	if (*end && end[1])
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static const char usage_maintain[] =
	"usage: evl-audit maintain --dir DIR [--compress-after 90d] [--retain 7y]\n"
	"See evl-audit(8).\n";

static int cmd_maintain(int argc, char **argv)
{
	const char *dir = NULL, *c_arg = NULL, *r_arg = NULL;
	const struct verb_opt t[] = {{"dir", 0, false, &dir},
				     {"compress-after", 0, false, &c_arg},
				     {"retain", 0, false, &r_arg},
				     {}};
	unsigned int compress = 90, retain = 7 * 365;
	struct evl_audit_maint m;
	struct timespec now;
	int ret = parse_verb(argc, argv, t, usage_maintain);

	if (ret >= 0)
		return ret;
	if (!dir)
		return usage(usage_maintain, false);
	if (c_arg && parse_days(c_arg, &compress))
		return bad_value("--compress-after", c_arg, "a duration like 90d or 7y");
	if (r_arg && parse_days(r_arg, &retain))
		return bad_value("--retain", r_arg, "a duration like 90d or 7y");
	clock_gettime(CLOCK_REALTIME, &now);
	if (evl_audit_maintain(dir, compress, retain, (int64_t)now.tv_sec * 1000000, &m)) {
		fprintf(stderr, "evl-audit: %s\n", evl_audit_errmsg());
		return EXIT_USAGE;
	}
	printf("evl-audit: %u day files compressed, %u retired\n", m.compressed, m.deleted);
	return 0;
}

/* --- bench ----------------------------------------------------------------- */

static int64_t bench_wall(void *ctx, uint64_t mono_ns)
{
	(void)ctx;
	return 1735732800000000LL + (int64_t)(mono_ns / 1000); /* 2025-01-01T12:00Z */
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int bench_one(const char *base, const char *name, enum evl_audit_durability dur,
		     unsigned long n)
{
	char dir[4096], key[4200], secret[4200];
	struct evl_audit_opts o = {.durability = dur, .sync_every = 64, .wall_us = bench_wall};
	struct evl_record rec = {
		.kind = EVL_REC_ACTION,
		.event_id = "evt-000123",
		.event_type = "dfs_radar",
		.ap = "ap-lobby-3",
		.radio = "5g",
		.action_type = "channel_change",
		.changes = {{"channel", 52, 40}},
		.n_changes = 1,
		.token = "evtloop-1764818821-abc",
		.status = "success",
		.reason = "radar",
		.source = "ebpf",
		.detect_to_action_us = 850,
	};
	struct evl_audit *a;
	double t0, dt;

	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	snprintf(key, sizeof(key), "%s/%s.key", base, name);
	snprintf(secret, sizeof(secret), "%s/%s.secret", base, name);
	if (evl_audit_keygen(key) || evl_audit_keygen(secret)) {
		fprintf(stderr, "evl-audit: %s\n", evl_audit_errmsg());
		return -1;
	}
	o.dir = dir;
	o.key_file = key;
	o.secret_file = secret;
	a = evl_audit_open(&o);
	if (!a) {
		fprintf(stderr, "evl-audit: %s\n", evl_audit_errmsg());
		return -1;
	}
	t0 = now_s();
	for (unsigned long i = 0; i < n; i++) {
		rec.mono_ns = i * 1000;
		if (evl_audit_append(a, &rec)) {
			fprintf(stderr, "evl-audit: bench: append failed at record %lu\n", i);
			evl_audit_close(a);
			return -1;
		}
	}
	evl_audit_flush(a);
	dt = now_s() - t0;
	evl_audit_close(a);
	printf("%-10s %9lu records %8.3f s %10.0f records/s %7.2f us/record\n", name, n, dt,
	       (double)n / dt, dt * 1e6 / (double)n);
	return 0;
}

static const char usage_bench[] =
	"usage: evl-audit bench [--records N] [--dir DIR]   (see evl-audit(8))\n";

static int cmd_bench(int argc, char **argv)
{
	const char *parent = NULL, *records = NULL;
	const struct verb_opt t[] = {
		{"records", 0, false, &records}, {"dir", 0, false, &parent}, {}};
	char base[4096] = "/tmp/evl-audit-bench.XXXXXX";
	unsigned long n = 200000;
	char *end;
	int ret = parse_verb(argc, argv, t, usage_bench);

	if (ret >= 0)
		return ret;
	ret = 0;
	if (records) {
		n = strtoul(records, &end, 10);
		if (*end || !n || *records == '-')
			return bad_value("--records", records, "a count");
	}
	if (parent)
		snprintf(base, sizeof(base), "%s/evl-audit-bench.XXXXXX", parent);
	if (!mkdtemp(base)) {
		fprintf(stderr, "evl-audit: %s: %s\n", base, strerror(errno));
		return EXIT_USAGE;
	}
	printf("evl-audit bench in %s (HMAC-SHA256 + SHA-256 chain + signed head per record)\n",
	       base);
	if (bench_one(base, "none", EVL_AUDIT_SYNC_NONE, n) ||
	    bench_one(base, "every-64", EVL_AUDIT_SYNC_EVERY, n / 4 ? n / 4 : 1) ||
	    bench_one(base, "each", EVL_AUDIT_SYNC_EACH, n / 20 ? n / 20 : 1))
		ret = EXIT_USAGE;
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{"setup", cmd_setup},	{"keygen", cmd_keygen},	    {"verify", cmd_verify},
		{"export", cmd_export}, {"maintain", cmd_maintain}, {"bench", cmd_bench},
	};

	if (argc < 2)
		return usage(usage_main, false);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage(usage_main, true);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "evl-audit: unknown command '%s'\n", argv[1]);
	return usage(usage_main, false);
}
