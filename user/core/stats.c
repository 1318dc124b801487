// SPDX-License-Identifier: GPL-2.0
/* The seed's statistics views, shared by evld (evlctl stats/status) and evl-replay. */
#include <inttypes.h>
#include <stdio.h>

#include <json-c/json.h>

#include <evl/engine.h>

#define FIELDS(X)                                                                            \
	X(events_processed)                                                                  \
	X(actions_executed)                                                                  \
	X(actions_failed)                                                                    \
	X(events_rejected) X(rollbacks_triggered) X(rollbacks_automatic) X(rollbacks_manual) \
		X(pending_events) X(active_monitoring) X(tokens_active) X(tokens_created)

struct json_object *evl_stats_json(const struct evl_stats *s)
{
	json_object *o = json_object_new_object();

#define ADD(f) json_object_object_add(o, #f, json_object_new_int64((int64_t)s->f));
	if (o) {
		FIELDS(ADD)
	}
#undef ADD
	return o;
}

#define BAR "============================================================\n"

int evl_stats_status(const struct evl_stats *s, char *buf, size_t len)
{
	return snprintf(buf, len,
			BAR "ENHANCED EVENT LOOP STATUS\n" BAR "Events Processed: %" PRIu64
			    "\nActions Executed: %" PRIu64 "\nRollbacks Triggered: %" PRIu64
			    "\nPending Events: %" PRIu64 "\nActive Monitoring: %" PRIu64 "\n\n" BAR
			    "ROLLBACK MANAGER STATUS\n" BAR "Active Tokens: %" PRIu64 "/%" PRIu64
			    "\nTotal Rollbacks: %" PRIu64 "\n  - Automatic: %" PRIu64
			    "\n  - Manual: %" PRIu64 "\n",
			s->events_processed, s->actions_executed, s->rollbacks_triggered,
			s->pending_events, s->active_monitoring, s->tokens_active,
			/* tokens restored from state outlive the counter of this run */
			s->tokens_created > s->tokens_active ? s->tokens_created : s->tokens_active,
			s->rollbacks_triggered, s->rollbacks_automatic, s->rollbacks_manual);
}
