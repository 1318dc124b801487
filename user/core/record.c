// SPDX-License-Identifier: GPL-2.0
/* The one text form of an engine record (evld's log, evl-replay's timeline). */
#include <inttypes.h>
#include <stdio.h>
#include <evl/record.h>

/* " channel 6 -> 11, bandwidth 80 -> 40" */
static int changes(const struct evl_record *r, char *buf, size_t len)
{
	int n = 0;

	buf[0] = 0;
	for (unsigned int i = 0; i < r->n_changes; i++)
		n += snprintf(buf + n, (size_t)n < len ? len - (size_t)n : 0,
			      "%s%s %" PRId64 " -> %" PRId64, i ? ", " : " ", r->changes[i].param,
			      r->changes[i].old_value, r->changes[i].new_value);
	return n;
}

int evl_record_text(const struct evl_record *r, char *buf, size_t len)
{
	char ch[256];

	changes(r, ch, sizeof(ch));
	switch (r->kind) {
	case EVL_REC_ACTION:
		return snprintf(buf, len, "%s: %s for %s %s:%s%s%s%s%s", r->ap, r->action_type,
				r->event_type, r->status, ch, r->reason ? " reason " : "",
				r->reason ? r->reason : "", r->token ? " token " : "",
				r->token ? r->token : "");
	case EVL_REC_REJECTED:
		return snprintf(buf, len, "%s: %s event %s rejected: %s", r->ap, r->event_type,
				r->event_id, r->reason);
	case EVL_REC_ROLLBACK:
		if (r->metric)
			return snprintf(buf, len, "%s: token %s %s (%s, metric %s %.4g -> %.4g):%s",
					r->ap, r->token, r->status, r->reason, r->metric,
					r->metric_baseline, r->metric_observed, ch);
		return snprintf(buf, len, "%s: token %s %s (%s):%s", r->ap, r->token, r->status,
				r->reason, ch);
	case EVL_REC_ROLLBACK_REFUSED:
	case EVL_REC_TOKEN_EXPIRED:
		return snprintf(buf, len, "%s: token %s %s: %s%s", r->ap, r->token,
				r->kind == EVL_REC_TOKEN_EXPIRED ? "expired" : "refused", r->reason,
				r->kind == EVL_REC_TOKEN_EXPIRED ? " (configuration kept)" : "");
	case EVL_REC_NOTE:
		if (r->metric)
			return snprintf(buf, len, "%s: %s %s: %s (%s %.4g)", r->ap ? r->ap : "-",
					r->event_type ? r->event_type : "note",
					r->status ? r->status : "-", r->reason ? r->reason : "-",
					r->metric, r->metric_observed);
		return snprintf(buf, len, "%s: %s %s: %s", r->ap ? r->ap : "-",
				r->event_type ? r->event_type : "note", r->status ? r->status : "-",
				r->reason ? r->reason : "-");
	default:
		return snprintf(buf, len, "%s%srecord kind %d%s", r->ap ? r->ap : "",
				r->ap ? ": " : "", (int)r->kind, ch);
	}
}
