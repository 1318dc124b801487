// SPDX-License-Identifier: GPL-2.0
/* evld: the engine's records: logged, counted, handed to the audit trail. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"

static void count_reject(struct evld *d, const char *reason)
{
	unsigned int i;

	if (!reason)
		reason = "unknown";
	for (i = 0; i < d->n_rej; i++)
		if (!strcmp(d->rej_name[i], reason))
			break;
	if (i == d->n_rej) {
		if (d->n_rej == EVLD_MAX_REASONS)
			i--, reason = "other";
		else
			d->n_rej++;
		snprintf(d->rej_name[i], sizeof(d->rej_name[i]), "%s", reason);
		d->rej[i].label = d->rej_name[i];
	}
	d->rej[i].value++;
}

static void log_record(const struct evl_record *r)
{
	const char *mod = r->event_type && !strcmp(r->event_type, "dfs_radar") ? "dfs" : "core";
	int level = EVLD_INFO;
	char text[512];

	evl_record_text(r, text, sizeof(text));
	switch (r->kind) {
	case EVL_REC_ACTION:
		level = strcmp(r->status, "success") ? EVLD_WARN : EVLD_INFO;
		break;
	case EVL_REC_REJECTED:
		mod = "core";
		break;
	case EVL_REC_ROLLBACK:
	case EVL_REC_ROLLBACK_REFUSED:
	case EVL_REC_TOKEN_EXPIRED:
		mod = "rollback";
		break;
	default:
		level = EVLD_DEBUG;
		break;
	}
	evld_log(level, mod, "%s", text);
	if (r->kind == EVL_REC_ACTION && r->detect_to_action_us >= 0)
		evld_log(EVLD_INFO, mod, "%s: detect -> action %" PRId64 " us", r->ap,
			 r->detect_to_action_us);
}

int evld_on_record(void *ctx, const struct evl_record *r)
{
	struct evld *d = ctx;

	log_record(r);
	d->dirty = true;
	if (r->kind == EVL_REC_ACTION) {
		if (!strcmp(r->status, "success"))
			d->act_ok++;
		else
			d->act_failed++;
		if (r->detect_to_action_us >= 0)
			evl_metrics_hist_add(&d->hist, (double)r->detect_to_action_us);
	} else if (r->kind == EVL_REC_REJECTED) {
		count_reject(d, r->reason);
	}
	return d->audit ? evl_audit_append(d->audit, r) : 0;
}

void evld_audit_daemon(struct evld *d, enum evl_rec_kind kind, const char *reason)
{
	struct evl_record r = {
		.kind = kind,
		.mono_ns = evld_now(),
		.source = "daemon",
		.reason = reason,
		.detect_to_action_us = -1,
	};
	int rc = evl_audit_append(d->audit, &r);

	if (rc)
		evld_log(EVLD_ERR, "audit", "%s record held in memory: %s",
			 kind == EVL_REC_DAEMON_START ? "daemon_start" : "daemon_stop",
			 strerror(-rc));
}
