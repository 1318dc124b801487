// SPDX-License-Identifier: GPL-2.0
/* Control protocol requests: one line of words -> struct evl_ctl_req. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <evl/ctl.h>

static const char *const names[] = {
	[EVL_CTL_STATUS] = "status",	 [EVL_CTL_STATS] = "stats",	[EVL_CTL_TOKENS] = "tokens",
	[EVL_CTL_ROLLBACK] = "rollback", [EVL_CTL_NOP] = "nop",		[EVL_CTL_INJECT] = "inject",
	[EVL_CTL_RELOAD] = "reload",	 [EVL_CTL_METRICS] = "metrics", [EVL_CTL_SCAN] = "scan",
	[EVL_CTL_CHANNELS] = "channels",
};

const char *evl_ctl_cmd_name(enum evl_ctl_cmd cmd)
{
	return (unsigned int)cmd < sizeof(names) / sizeof(names[0]) ? names[cmd] : "?";
}

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Identifiers on the wire: letters, digits and _.:- only (no spaces, no shell surprises). */
static bool word_ok(const char *w, size_t max)
{
	size_t n = strlen(w);

	if (!n || n >= max)
		return false;
	for (; *w; w++)
		if (!isalnum((unsigned char)*w) && !strchr("_.:-", *w))
			return false;
	return true;
}

static int parse_inject(char **w, int n, struct evl_ctl_req *r, char *err, size_t errlen)
{
	r->inject.confidence = 1.0;
	for (int i = 1; i < n; i += 2) {
		const char *opt = w[i], *v = i + 1 < n ? w[i + 1] : NULL;
		char *end;

		if (!v)
			return bad(err, errlen, "inject: %s needs a value", opt);
		if (!strcmp(opt, "--type")) {
			if (!word_ok(v, sizeof(r->inject.type)))
				return bad(err, errlen, "inject: bad event type '%.40s'", v);
			strcpy(r->inject.type, v);
		} else if (!strcmp(opt, "--ap")) {
			if (!word_ok(v, sizeof(r->inject.ap)))
				return bad(err, errlen, "inject: bad AP identifier '%.40s'", v);
			strcpy(r->inject.ap, v);
		} else if (!strcmp(opt, "--severity")) {
			if (strcmp(v, "critical") && strcmp(v, "high") && strcmp(v, "medium") &&
			    strcmp(v, "low"))
				return bad(err, errlen,
					   "inject: severity '%.40s' is not critical, high, medium "
					   "or low",
					   v);
			strcpy(r->inject.severity, v);
		} else if (!strcmp(opt, "--confidence")) {
			double c = strtod(v, &end);

			if (*end || end == v || !(c >= 0.0 && c <= 1.0))
				return bad(err, errlen, "inject: confidence '%.40s' is not in 0..1",
					   v);
			r->inject.confidence = c;
		} else if (!strcmp(opt, "--channel")) {
			long c = strtol(v, &end, 10);

			if (*end || end == v || c < 1 || c > 233)
				return bad(err, errlen, "inject: channel '%.40s' is not in 1..233",
					   v);
			r->inject.channel = c;
		} else {
			return bad(err, errlen, "inject: unknown option '%.40s'", opt);
		}
	}
	if (!r->inject.type[0] || !r->inject.ap[0])
		return bad(err, errlen, "inject: --type and --ap are required");
	return 0;
}

/* metrics --ap AP --per P --retry R --tput MBPS [--disc N] [--clients N] */
static int parse_metrics(char **w, int n, struct evl_ctl_req *r, char *err, size_t errlen)
{
	static const char *const req[] = {"--ap", "--per", "--retry", "--tput"};
	unsigned int seen = 0;

	for (int i = 1; i < n; i += 2) {
		const char *opt = w[i], *v = i + 1 < n ? w[i + 1] : NULL;
		double x, max = 1e12, *dst = NULL;
		char *end;

		if (!v)
			return bad(err, errlen, "metrics: %s needs a value", opt);
		if (!strcmp(opt, "--ap")) {
			if (!word_ok(v, sizeof(r->metrics.ap)))
				return bad(err, errlen, "metrics: bad AP identifier '%.40s'", v);
			strcpy(r->metrics.ap, v);
			seen |= 1;
			continue;
		}
		if (!strcmp(opt, "--per"))
			dst = &r->metrics.per, max = 1, seen |= 2;
		else if (!strcmp(opt, "--retry"))
			dst = &r->metrics.retry, max = 1, seen |= 4;
		else if (!strcmp(opt, "--tput"))
			dst = &r->metrics.tput_mbps, seen |= 8;
		else if (!strcmp(opt, "--disc"))
			dst = &r->metrics.disc_per_min;
		else if (strcmp(opt, "--clients"))
			return bad(err, errlen, "metrics: unknown option '%.40s'", opt);
		x = strtod(v, &end);
		if (*end || end == v || !(x >= 0 && x <= max))
			return bad(err, errlen, "metrics: %s '%.40s' is not a number in 0..%g", opt,
				   v, max);
		if (dst)
			*dst = x;
		else if (x > 100000 || x != (int)x) /* range first: the cast of a larger x is UB */
			return bad(err, errlen, "metrics: --clients '%.40s' is not 0..100000", v);
		else
			r->metrics.clients = (int)x;
	}
	for (unsigned int i = 0; i < 4; i++)
		if (!(seen & (1u << i)))
			return bad(err, errlen, "metrics: %s is required", req[i]);
	return 0;
}

int evl_ctl_parse(const char *line, size_t len, struct evl_ctl_req *r, char *err, size_t errlen)
{
	char buf[EVL_CTL_REQ_MAX + 1], *w[16], *save = NULL, *t;
	int n = 0;

	memset(r, 0, sizeof(*r));
	if (len && line[len - 1] == '\n')
		len--;
	if (len > EVL_CTL_REQ_MAX)
		return bad(err, errlen, "request longer than %d bytes", EVL_CTL_REQ_MAX);
	for (size_t i = 0; i < len; i++)
		if (!isprint((unsigned char)line[i]))
			return bad(err, errlen, "request contains a non-printable byte at %zu", i);
	memcpy(buf, line, len);
	buf[len] = 0;
	for (t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (n == (int)(sizeof(w) / sizeof(w[0])))
			return bad(err, errlen, "too many words in request");
		w[n++] = t;
	}
	if (!n)
		return bad(err, errlen, "empty request");

	for (unsigned int c = 0; c < sizeof(names) / sizeof(names[0]); c++) {
		if (strcmp(w[0], names[c]))
			continue;
		r->cmd = c;
		switch (r->cmd) {
		case EVL_CTL_STATS:
		case EVL_CTL_TOKENS:
			if (n == 2 && !strcmp(w[1], "--json"))
				r->json = true;
			else if (n != 1)
				return bad(err, errlen, "usage: %s [--json]", names[c]);
			return 0;
		case EVL_CTL_ROLLBACK:
			if (n != 2)
				return bad(err, errlen, "usage: rollback TOKEN");
			if (!word_ok(w[1], sizeof(r->token)))
				return bad(err, errlen, "rollback: bad token '%.40s'", w[1]);
			strcpy(r->token, w[1]);
			return 0;
		case EVL_CTL_SCAN:
		case EVL_CTL_CHANNELS:
			if (n == 3 && r->cmd == EVL_CTL_CHANNELS && !strcmp(w[2], "--json"))
				r->json = true;
			else if (n != 2)
				return bad(err, errlen, "usage: %s",
					   r->cmd == EVL_CTL_SCAN ? "scan IFACE"
								  : "channels IFACE [--json]");
			if (!word_ok(w[1], sizeof(r->iface)))
				return bad(err, errlen, "%s: bad interface name '%.40s'", names[c],
					   w[1]);
			strcpy(r->iface, w[1]);
			return 0;
		case EVL_CTL_INJECT:
			return parse_inject(w, n, r, err, errlen);
		case EVL_CTL_METRICS:
			return parse_metrics(w, n, r, err, errlen);
		case EVL_CTL_STATUS:
		case EVL_CTL_NOP:
		case EVL_CTL_RELOAD:
			if (n != 1)
				return bad(err, errlen, "%s takes no arguments", names[c]);
			return 0;
		}
	}
	return bad(err, errlen, "unknown command '%.40s'", w[0]);
}

void evl_ctl_reply_printf(struct evl_ctl_reply *r, const char *fmt, ...)
{
	size_t room = sizeof(r->buf) - r->len;
	va_list ap;
	int n;

	if (r->truncated)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		r->buf[r->len] = 0; /* drop the partial piece */
		r->truncated = true;
		return;
	}
	r->len += n;
}
