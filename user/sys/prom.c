// SPDX-License-Identifier: GPL-2.0
/* Prometheus text exposition format for node_exporter's textfile collector. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <evl/sys.h>

#define MAX_FAMILIES 128

struct evl_prom {
	char *buf;
	size_t len, cap;
	char *families[MAX_FAMILIES];
	size_t n_families;
	const char *type; /* of the current family */
};

struct evl_prom *evl_prom_new(void)
{
	return calloc(1, sizeof(struct evl_prom));
}

void evl_prom_reset(struct evl_prom *p)
{
	for (size_t i = 0; i < p->n_families; i++)
		free(p->families[i]);
	p->n_families = 0;
	p->len = 0;
	p->type = NULL;
	if (p->buf)
		p->buf[0] = 0;
}

void evl_prom_free(struct evl_prom *p)
{
	if (!p)
		return;
	evl_prom_reset(p);
	free(p->buf);
	free(p);
}

static int put(struct evl_prom *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(p->buf ? p->buf + p->len : NULL, p->cap - p->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -EINVAL;
		if (p->len + n < p->cap) {
			p->len += n;
			return 0;
		}
		size_t cap = (p->cap ? p->cap * 2 : 4096) + n;
		char *b = realloc(p->buf, cap);

		if (!b)
			return -ENOMEM;
		p->buf = b;
		p->cap = cap;
	}
}

static bool name_ok(const char *s, bool colon)
{
	if (!s || !*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && !(colon && *s == ':'))
			return false;
	return true;
}

static const char *current(const struct evl_prom *p)
{
	return p->n_families ? p->families[p->n_families - 1] : NULL;
}

int evl_prom_family(struct evl_prom *p, const char *name, const char *type, const char *help)
{
	static const char *const types[] = {"counter", "gauge", "histogram", "untyped"};
	const char *t = NULL;
	size_t old;
	int rc;

	for (size_t i = 0; type && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(type, types[i]))
			t = types[i];
	if (!name_ok(name, true) || !t)
		return -EINVAL;
	old = p->len;
	for (size_t i = 0; i < p->n_families; i++)
		if (!strcmp(p->families[i], name))
			return -EEXIST;
	if (p->n_families == MAX_FAMILIES)
		return -E2BIG;
	rc = put(p, "# HELP %s ", name);
	/* HELP text escapes only backslash and newline */
	for (const char *h = help ? help : ""; !rc && *h; h++)
		rc = *h == '\\' ? put(p, "\\\\") : *h == '\n' ? put(p, "\\n") : put(p, "%c", *h);
	if (!rc)
		rc = put(p, "\n# TYPE %s %s\n", name, type);
	if (!rc) {
		p->families[p->n_families] = strdup(name);
		rc = p->families[p->n_families] ? 0 : -ENOMEM;
	}
	if (rc) {
		p->len = old;
		if (p->buf)
			p->buf[old] = 0;
		return rc;
	}
	p->n_families++;
	p->type = t;
	return 0;
}

static int put_value(struct evl_prom *p, double v)
{
	if (isnan(v))
		return put(p, " NaN\n");
	if (isinf(v))
		return put(p, v > 0 ? " +Inf\n" : " -Inf\n");
	return put(p, " %.17g\n", v);
}

/* name{l1="v1",...[,extra_name="extra"]} */
static int put_series(struct evl_prom *p, const char *name, const char *suffix,
		      const struct evl_prom_label *l, size_t n, const char *extra_name,
		      const char *extra)
{
	int rc = put(p, "%s%s", name, suffix);

	if (!rc && (n || extra_name))
		rc = put(p, "{");
	for (size_t i = 0; !rc && i < n; i++) {
		rc = put(p, "%s%s=\"", i ? "," : "", l[i].name);
		for (const char *v = l[i].value; !rc && *v; v++)
			rc = *v == '\\'	  ? put(p, "\\\\")
			     : *v == '"'  ? put(p, "\\\"")
			     : *v == '\n' ? put(p, "\\n")
					  : put(p, "%c", *v);
		if (!rc)
			rc = put(p, "\"");
	}
	if (!rc && extra_name)
		rc = put(p, "%s%s=\"%s\"", n ? "," : "", extra_name, extra);
	if (!rc && (n || extra_name))
		rc = put(p, "}");
	return rc;
}

static int check_labels(const struct evl_prom_label *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!name_ok(l[i].name, false) || !strncmp(l[i].name, "__", 2) || !l[i].value ||
		    !strcmp(l[i].name, "le"))
			return -EINVAL;
	return 0;
}

int evl_prom_sample(struct evl_prom *p, const char *name, const struct evl_prom_label *labels,
		    size_t n_labels, double value)
{
	size_t old = p->len;
	int rc;

	if (!current(p) || strcmp(name, current(p)) || !strcmp(p->type, "histogram") ||
	    check_labels(labels, n_labels))
		return -EINVAL;
	rc = put_series(p, name, "", labels, n_labels, NULL, NULL);
	if (!rc)
		rc = put_value(p, value);
	if (rc) {
		p->len = old;
		p->buf[old] = 0;
	}
	return rc;
}

int evl_prom_histogram(struct evl_prom *p, const char *name, const struct evl_prom_label *labels,
		       size_t n_labels, const double *le, const uint64_t *counts, size_t n,
		       double sum)
{
	size_t old = p->len;
	uint64_t cum = 0;
	char bound[32];
	int rc = 0;

	if (!current(p) || strcmp(name, current(p)) || strcmp(p->type, "histogram") ||
	    check_labels(labels, n_labels))
		return -EINVAL;
	for (size_t i = 1; i < n; i++)
		if (!(le[i] > le[i - 1]))
			return -EINVAL;
	for (size_t i = 0; !rc && i <= n; i++) {
		cum += counts[i];
		if (i < n)
			snprintf(bound, sizeof(bound), "%.17g", le[i]);
		else
			strcpy(bound, "+Inf");
		rc = put_series(p, name, "_bucket", labels, n_labels, "le", bound);
		if (!rc)
			rc = put(p, " %llu\n", (unsigned long long)cum);
	}
	if (!rc)
		rc = put_series(p, name, "_sum", labels, n_labels, NULL, NULL);
	if (!rc)
		rc = put_value(p, sum);
	if (!rc)
		rc = put_series(p, name, "_count", labels, n_labels, NULL, NULL);
	if (!rc)
		rc = put(p, " %llu\n", (unsigned long long)cum);
	if (rc) {
		p->len = old;
		p->buf[old] = 0;
	}
	return rc;
}

const char *evl_prom_text(const struct evl_prom *p, size_t *len)
{
	if (len)
		*len = p->len;
	return p->buf ? p->buf : "";
}

int evl_prom_write(const struct evl_prom *p, const char *path)
{
	/* 0644: node_exporter runs as its own user and must read it */
	return evl_sys_write_atomic(path, p->buf ? p->buf : "", p->len, 0644);
}
