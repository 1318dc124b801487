// SPDX-License-Identifier: GPL-2.0
/* evld: the engine's records: logged, counted, handed to the audit trail. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <evl/sys.h>

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
	const struct evl_change *c = r->n_changes ? &r->changes[0] : NULL;
	const char *mod = r->event_type && !strcmp(r->event_type, "dfs_radar") ? "dfs" : "core";
	char ch[160] = "";
	size_t n = 0;

	for (unsigned int i = 0; i < r->n_changes; i++)
		n += snprintf(ch + n, sizeof(ch) - n, "%s%s %" PRId64 " -> %" PRId64,
			      i ? ", " : " ", r->changes[i].param, r->changes[i].old_value,
			      r->changes[i].new_value);
	switch (r->kind) {
	case EVL_REC_ACTION:
		evld_log(strcmp(r->status, "success") ? EVLD_WARN : EVLD_INFO, mod,
			 "%s: %s for %s %s:%s%s%s%s%s", r->ap, r->action_type, r->event_type,
			 r->status, ch, r->reason ? " reason " : "", r->reason ? r->reason : "",
			 r->token ? " token " : "", r->token ? r->token : "");
		if (r->detect_to_action_us >= 0)
			evld_log(EVLD_INFO, mod, "%s: detect -> action %" PRId64 " us", r->ap,
				 r->detect_to_action_us);
		break;
	case EVL_REC_REJECTED:
		evld_log(EVLD_INFO, "core", "%s: %s event %s rejected: %s", r->ap, r->event_type,
			 r->event_id, r->reason);
		break;
	case EVL_REC_ROLLBACK:
		evld_log(EVLD_INFO, "rollback", "%s: token %s %s (%s%s%s):%s", r->ap, r->token,
			 r->status, r->reason, r->metric ? ", metric " : "",
			 r->metric ? r->metric : "", ch);
		break;
	case EVL_REC_ROLLBACK_REFUSED:
	case EVL_REC_TOKEN_EXPIRED:
		evld_log(EVLD_INFO, "rollback", "%s: token %s %s: %s", r->ap, r->token,
			 r->kind == EVL_REC_TOKEN_EXPIRED ? "expired" : "refused", r->reason);
		break;
	default:
		evld_log(EVLD_DEBUG, "core", "record kind %d%s%s", r->kind, c ? " " : "",
			 c ? c->param : "");
		break;
	}
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
