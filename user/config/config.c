// SPDX-License-Identifier: GPL-2.0
/* evld's key=value configuration file (format: include/evl/config.h). */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <evl/config.h>

enum key_type { K_STR, K_UINT, K_MODE, K_GROUP, K_USER, K_DURABILITY, K_COUNTRY };

struct key {
	const char *name;
	enum key_type type;
	size_t off;
	size_t size;	       /* K_STR: buffer size */
	unsigned int min, max; /* K_UINT */
};

#define STR(f)		K_STR, offsetof(struct evl_config, f), sizeof(((struct evl_config *)0)->f), 0, 0
#define UINT(f, lo, hi) K_UINT, offsetof(struct evl_config, f), 0, lo, hi

/* Every global key evld itself knows; the reference lives in the README. */
static const struct key keys[] = {
	{"country", K_COUNTRY, 0, 0, 0, 0},
	{"hostapd_ctrl_dir", STR(hostapd_ctrl_dir)},
	{"audit_dir", STR(audit_dir)},
	{"audit_key_file", STR(audit_key_file)},
	{"site_secret_file", STR(site_secret_file)},
	{"audit_durability", K_DURABILITY, 0, 0, 0, 0},
	{"state_dir", STR(state_dir)},
	{"ctl_socket", STR(ctl_socket)},
	{"ctl_socket_mode", K_MODE, 0, 0, 0, 0},
	{"ctl_socket_group", K_GROUP, 0, 0, 0, 0},
	{"bpf_pin_dir", STR(bpf_pin_dir)},
	{"metrics_file", STR(metrics_file)},
	{"metrics_interval_s", UINT(metrics_interval_s, 1, 3600)},
	{"user", K_USER, 0, 0, 0, 0},
	{"survey_interval_ms", UINT(survey_interval_ms, 100, 60000)},
	{"station_interval_ms", UINT(station_interval_ms, 100, 60000)},
	{"wiphy_interval_s", UINT(wiphy_interval_s, 1, 3600)},
	{"rt_priority", UINT(rt_priority, 0, 99)},
	{"cs_count", UINT(cs_count, 1, 255)},
	{"radar_cs_count", UINT(radar_cs_count, 1, 255)},
};

void evl_config_defaults(struct evl_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->country, "00");
	strcpy(cfg->hostapd_ctrl_dir, "/var/run/hostapd");
	strcpy(cfg->audit_dir, "/var/lib/evl/audit");
	strcpy(cfg->audit_key_file, "/var/lib/evl/audit.key"); /* evolves daily: writable */
	strcpy(cfg->site_secret_file, "/etc/evl/site.secret");
	cfg->durability = EVL_CONFIG_DUR_EACH;
	cfg->audit_sync_every = 1;
	strcpy(cfg->state_dir, "/var/lib/evl");
	strcpy(cfg->ctl_socket, "/run/evl/evld.sock");
	cfg->ctl_socket_mode = 0660;
	cfg->ctl_socket_gid = (gid_t)-1;
	strcpy(cfg->bpf_pin_dir, "/sys/fs/bpf/evl");
	cfg->metrics_interval_s = 5;
	cfg->uid = (uid_t)-1;
	cfg->gid = (gid_t)-1;
	cfg->survey_interval_ms = 1000;
	cfg->station_interval_ms = 1000;
	cfg->wiphy_interval_s = 60;
	cfg->rt_priority = 50;
	cfg->cs_count = 10;
	cfg->radar_cs_count = 5; /* hostapd's own radar move (src/ap/dfs.c) */
}

const char *evl_config_actuator_name(enum evl_config_actuator a)
{
	switch (a) {
	case EVL_CONFIG_ACT_HOSTAPD:
		return "hostapd";
	case EVL_CONFIG_ACT_NL80211:
		return "nl80211";
	case EVL_CONFIG_ACT_SIM:
		return "sim";
	}
	return "?";
}

const struct evl_config_iface *evl_config_iface_find(const struct evl_config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_ifaces; i++)
		if (!strcmp(cfg->ifaces[i].name, name))
			return &cfg->ifaces[i];
	return NULL;
}

/* Parser state: where we are, for error messages. */
struct pctx {
	const struct evl_config_keys *keys;
	const char *name;
	unsigned int line;
	const char *key;
	char *err;
	size_t errlen;
};

static int fail(struct pctx *p, int rc, const char *fmt, ...)
{
	int n = 0;
	va_list ap;

	if (!p->err || !p->errlen)
		return rc;
	if (p->key)
		n = snprintf(p->err, p->errlen, "%s:%u: %s: ", p->name, p->line, p->key);
	else if (p->line)
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->name, p->line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->name);
	if (n < 0 || (size_t)n >= p->errlen)
		return rc;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return rc;
}

/* Hand key=value to the caller's setter; turn its errno into a message. */
static int forward(struct pctx *p, const char *k, const char *v)
{
	const char *want;
	int rc;

	rc = p->keys && p->keys->set ? p->keys->set(p->keys->ctx, k, v) : -ENOENT;
	if (!rc)
		return 0;
	if (rc == -ENOENT)
		return fail(p, rc, "unknown key");
	want = p->keys->expect ? p->keys->expect(k) : NULL;
	if (want)
		return fail(p, rc, "%s '%s': expected %s",
			    rc == -ERANGE ? "value" : "invalid value", v, want);
	if (rc == -ERANGE)
		return fail(p, rc, "value '%s' out of range", v);
	return fail(p, rc, "invalid value '%s' (%s)", v, strerror(-rc));
}

static int parse_uint(const char *v, unsigned long max, unsigned long *out, int base)
{
	char *end;
	unsigned long x;

	if (!*v || *v == '-' || *v == '+' || isspace((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	x = strtoul(v, &end, base);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || x > max)
		return -ERANGE;
	*out = x;
	return 0;
}

static int set_str(struct pctx *p, char *dst, size_t size, const char *v)
{
	size_t n = strlen(v);

	if (!n)
		return fail(p, -EINVAL, "empty value");
	if (n >= size)
		return fail(p, -ENAMETOOLONG, "value longer than %zu bytes", size - 1);
	memcpy(dst, v, n + 1);
	return 0;
}

static int set_global(struct pctx *p, const struct key *k, struct evl_config *c, const char *v)
{
	unsigned long x;
	int rc;

	switch (k->type) {
	case K_STR:
		/* metrics_file may be empty: no metrics. */
		if (!*v && !strcmp(k->name, "metrics_file")) {
			c->metrics_file[0] = 0;
			return 0;
		}
		return set_str(p, (char *)c + k->off, k->size, v);
	case K_UINT:
		rc = parse_uint(v, k->max, &x, 10);
		if (rc || x < k->min)
			return fail(p, rc ? rc : -ERANGE, "'%s' is not a number in %u..%u", v,
				    k->min, k->max);
		*(unsigned int *)((char *)c + k->off) = x;
		return 0;
	case K_MODE:
		rc = parse_uint(v, 0777, &x, 8);
		if (rc)
			return fail(p, rc, "'%s' is not an octal mode (e.g. 0660)", v);
		c->ctl_socket_mode = x;
		return 0;
	case K_COUNTRY:
		if (strlen(v) != 2 ||
		    !((isupper((unsigned char)v[0]) && isupper((unsigned char)v[1])) ||
		      !strcmp(v, "00")))
			return fail(p, -EINVAL, "'%s' is not a country code (e.g. DE, US, 00)", v);
		rc = forward(p, "country", v); /* the core knows which plans it has */
		if (rc && rc != -ENOENT)
			return rc;
		memcpy(c->country, v, 3);
		return 0;
	case K_DURABILITY:
		if (!strcmp(v, "each")) {
			c->durability = EVL_CONFIG_DUR_EACH;
			c->audit_sync_every = 1;
		} else if (!strcmp(v, "none")) {
			c->durability = EVL_CONFIG_DUR_NONE;
			c->audit_sync_every = 0;
		} else if (!parse_uint(v, 1000000, &x, 10) && x >= 1) {
			c->durability = x == 1 ? EVL_CONFIG_DUR_EACH : EVL_CONFIG_DUR_EVERY;
			c->audit_sync_every = x;
		} else {
			return fail(p, -EINVAL, "'%s' is not each, none or a record count", v);
		}
		return 0;
	case K_GROUP: {
		struct group *g;

		if (!*v) { /* empty: keep the daemon's own group */
			c->ctl_socket_gid = (gid_t)-1;
			c->ctl_socket_group[0] = 0;
			return 0;
		}
		g = parse_uint(v, 0x7fffffff, &x, 10) ? getgrnam(v) : getgrgid(x);
		if (!g)
			return fail(p, -ENOENT, "no such group '%s'", v);
		rc = set_str(p, c->ctl_socket_group, sizeof(c->ctl_socket_group), g->gr_name);
		if (!rc)
			c->ctl_socket_gid = g->gr_gid;
		return rc;
	}
	case K_USER: {
		struct passwd *pw;

		if (!*v) { /* empty: stay root */
			c->user[0] = 0;
			c->uid = (uid_t)-1;
			c->gid = (gid_t)-1;
			return 0;
		}
		pw = parse_uint(v, 0x7fffffff, &x, 10) ? getpwnam(v) : getpwuid(x);
		if (!pw)
			return fail(p, -ENOENT, "no such user '%s'", v);
		rc = set_str(p, c->user, sizeof(c->user), pw->pw_name);
		if (!rc) {
			c->uid = pw->pw_uid;
			c->gid = pw->pw_gid;
		}
		return rc;
	}
	}
	return fail(p, -EINVAL, "internal: bad key type");
}

static bool ifname_ok(const char *v)
{
	size_t n = strlen(v);

	if (!n || n >= EVL_CONFIG_IFNAME_MAX || !strcmp(v, ".") || !strcmp(v, ".."))
		return false;
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && !strchr("_.-", *v))
			return false;
	return true;
}

static int set_int(struct pctx *p, int *dst, const char *v, int lo, int hi)
{
	unsigned long x;
	int rc = parse_uint(v, hi, &x, 10);

	if (rc || (long)x < lo)
		return fail(p, rc ? rc : -ERANGE, "'%s' is not a number in %d..%d", v, lo, hi);
	*dst = x;
	return 0;
}

/* hostapd's chanlist syntax: channels and ranges ("36-48 100,104"), ascending out. */
static int set_chanlist(struct pctx *p, struct evl_config_iface *i, const char *v)
{
	unsigned char in[sizeof(i->chanlist)] = {0};
	char buf[EVL_CONFIG_LINE_MAX], *tok, *save = NULL, *dash;
	unsigned long lo, hi;

	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
		dash = strchr(tok, '-');
		if (dash)
			*dash = 0;
		if (parse_uint(tok, 255, &lo, 10) || !lo ||
		    (dash ? parse_uint(dash + 1, 255, &hi, 10) : (hi = lo, 0)) || hi < lo)
			return fail(p, -EINVAL,
				    "'%s' is not a channel list (channels 1..255 and ranges, "
				    "e.g. 36-48 100)",
				    v);
		for (unsigned long c = lo; c <= hi; c++)
			in[c / 8] |= 1u << (c % 8);
	}
	memcpy(i->chanlist, in, sizeof(in));
	return 0;
}

int evl_config_chanlist(const struct evl_config_iface *i, int chans[255])
{
	int n = 0;

	for (int c = 1; c < 256; c++)
		if (i->chanlist[c / 8] & (1u << (c % 8)))
			chans[n++] = c;
	return n;
}

/* 0 handled, 1 not an interface key, <0 error. */
static int set_iface(struct pctx *p, struct evl_config *c, const char *k, const char *v)
{
	struct evl_config_iface *i;

	if (!strcmp(k, "interface")) {
		if (!ifname_ok(v))
			return fail(p, -EINVAL,
				    "'%s' is not an interface name (1-15 of A-Za-z0-9_.-)", v);
		if (evl_config_iface_find(c, v))
			return fail(p, -EEXIST, "interface '%s' given twice", v);
		if (c->n_ifaces == EVL_CONFIG_MAX_IFACES)
			return fail(p, -E2BIG, "more than %d interfaces", EVL_CONFIG_MAX_IFACES);
		i = &c->ifaces[c->n_ifaces++];
		memset(i, 0, sizeof(*i));
		strcpy(i->name, v);
		i->actuator = EVL_CONFIG_ACT_HOSTAPD;
		i->band = EVL_BAND_5G;
		i->channel = 36;
		i->bandwidth = 20;
		i->tx_power = 20;
		return 0;
	}
	if (strcmp(k, "actuator") && strcmp(k, "band") && strcmp(k, "channel") &&
	    strcmp(k, "bandwidth") && strcmp(k, "tx_power") && strcmp(k, "chanlist"))
		return 1;
	if (!c->n_ifaces)
		return fail(p, -EINVAL, "per-interface key before the first interface= line");
	i = &c->ifaces[c->n_ifaces - 1];

	if (!strcmp(k, "actuator")) {
		if (!strcmp(v, "hostapd"))
			i->actuator = EVL_CONFIG_ACT_HOSTAPD;
		else if (!strcmp(v, "nl80211"))
			i->actuator = EVL_CONFIG_ACT_NL80211;
		else if (!strcmp(v, "sim"))
			i->actuator = EVL_CONFIG_ACT_SIM;
		else
			return fail(p, -EINVAL, "'%s' is not hostapd, nl80211 or sim", v);
		return 0;
	}
	if (!strcmp(k, "band")) {
		if (!strcmp(v, "2g"))
			i->band = EVL_BAND_2G;
		else if (!strcmp(v, "5g"))
			i->band = EVL_BAND_5G;
		else if (!strcmp(v, "6g"))
			i->band = EVL_BAND_6G;
		else
			return fail(p, -EINVAL, "'%s' is not 2g, 5g or 6g", v);
		return 0;
	}
	if (!strcmp(k, "channel"))
		return set_int(p, &i->channel, v, 1, 233);
	if (!strcmp(k, "tx_power"))
		return set_int(p, &i->tx_power, v, 0, 36);
	if (!strcmp(k, "chanlist"))
		return set_chanlist(p, i, v);
	/* bandwidth */
	if (strcmp(v, "20") && strcmp(v, "40") && strcmp(v, "80") && strcmp(v, "160"))
		return fail(p, -EINVAL, "'%s' is not 20, 40, 80 or 160", v);
	i->bandwidth = atoi(v);
	return 0;
}

/* Whole-file checks that no single line can make. */
static int check_ifaces(struct pctx *p, const struct evl_config *c)
{
	for (unsigned int n = 0; n < c->n_ifaces; n++) {
		const struct evl_config_iface *i = &c->ifaces[n];

		if (i->actuator != EVL_CONFIG_ACT_SIM)
			continue;
		if ((i->band == EVL_BAND_2G && (i->channel > 14 || i->bandwidth > 40)) ||
		    (i->band == EVL_BAND_5G && i->channel < 32))
			return fail(p, -EINVAL,
				    "interface %s: channel %d / bandwidth %d does not fit band %s",
				    i->name, i->channel, i->bandwidth,
				    i->band == EVL_BAND_2G ? "2g" : "5g");
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int parse_line(struct pctx *p, struct evl_config *c, char *line)
{
	char *eq, *k, *v;
	int rc;

	k = trim(line);
	if (!*k || *k == '#')
		return 0;
	eq = strchr(k, '=');
	if (!eq)
		return fail(p, -EINVAL, "expected key=value, got '%.40s'", k);
	*eq = 0;
	v = trim(eq + 1);
	k = trim(k);
	if (!*k)
		return fail(p, -EINVAL, "empty key");
	p->key = k;

	rc = set_iface(p, c, k, v);
	if (rc <= 0)
		return rc;
	for (size_t n = 0; n < sizeof(keys) / sizeof(keys[0]); n++)
		if (!strcmp(keys[n].name, k))
			return set_global(p, &keys[n], c, v);
	return forward(p, k, v);
}

int evl_config_parse(const char *name, const char *text, const struct evl_config_keys *keys,
		     struct evl_config *out, char *err, size_t errlen)
{
	struct pctx p = {.keys = keys, .name = name, .err = err, .errlen = errlen};
	struct evl_config *c;
	char line[EVL_CONFIG_LINE_MAX + 1];
	int rc = 0;

	if (err && errlen)
		err[0] = 0;
	c = malloc(sizeof(*c));
	if (!c)
		return fail(&p, -ENOMEM, "out of memory");
	evl_config_defaults(c);

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);

		p.line++;
		p.key = NULL;
		if (n > EVL_CONFIG_LINE_MAX) {
			rc = fail(&p, -E2BIG, "line longer than %d bytes", EVL_CONFIG_LINE_MAX);
			goto out_free;
		}
		memcpy(line, text, n);
		line[n] = 0;
		rc = parse_line(&p, c, line);
		if (rc)
			goto out_free;
		text += n + (nl ? 1 : 0);
	}
	p.key = NULL;
	p.line = 0;
	rc = check_ifaces(&p, c);
	if (!rc)
		*out = *c;
out_free:
	free(c);
	return rc;
}

int evl_config_load(const char *path, const struct evl_config_keys *keys, struct evl_config *out,
		    char *err, size_t errlen)
{
	enum { MAX = 1 << 20 }; /* a config file is small; refuse anything absurd */
	struct pctx p = {.name = path, .err = err, .errlen = errlen};
	char *buf;
	size_t len;
	FILE *f;
	int rc;

	f = fopen(path, "re");
	if (!f)
		return fail(&p, -errno, "cannot open: %s", strerror(errno));
	buf = malloc(MAX + 1);
	if (!buf) {
		fclose(f);
		return fail(&p, -ENOMEM, "out of memory");
	}
	len = fread(buf, 1, MAX + 1, f);
	if (ferror(f))
		rc = fail(&p, -EIO, "read error");
	else if (len > MAX || memchr(buf, 0, len))
		rc = fail(&p, -EINVAL, "not a config file (binary, or larger than 1 MiB)");
	else
		rc = 0;
	fclose(f);
	if (!rc) {
		buf[len] = 0;
		rc = evl_config_parse(path, buf, keys, out, err, errlen);
	}
	free(buf);
	return rc;
}
