/* SPDX-License-Identifier: GPL-2.0 */
/* Event model of the decision core (the seed's Event dataclass). */
#ifndef EVL_EVENT_H
#define EVL_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <evl/act.h>

enum evl_event_type {
	EVL_EV_DFS_RADAR,
	EVL_EV_NON_WIFI_BURST,
	EVL_EV_SPECTRUM_SAT,
	EVL_EV_DENSITY_SPIKE,
	EVL_EV_HW_FAILURE,
	EVL_EV_PER_SPIKE,   /* signal: no action by default */
	EVL_EV_RETRY_SPIKE, /* signal: no action by default */
	EVL_EV_TYPE_MAX,
};

enum evl_severity {
	EVL_SEV_CRITICAL = 1,
	EVL_SEV_HIGH = 2,
	EVL_SEV_MEDIUM = 3,
	EVL_SEV_LOW = 4,
};

#define EVL_ID_LEN 64

struct evl_event {
	char id[EVL_ID_LEN];
	enum evl_event_type type;
	enum evl_severity severity;
	char ap[EVL_ID_LEN];
	enum evl_band radio;
	uint64_t ts_ns;	    /* engine (monotonic) time the event was observed */
	uint64_t detect_ns; /* kernel detection time, same clock; 0 = unknown */
	double confidence;  /* 0..1 */
	int channel;	    /* 20 MHz channel the event concerns; 0 = none/unknown */
	bool ended;	    /* density_spike: the spike is over (lifts admission control) */
	const char *source; /* "ebpf", "nl80211", "hostapd", "inject", "replay"; static string */
};

const char *evl_event_type_name(enum evl_event_type t);
int evl_event_type_parse(const char *s, enum evl_event_type *out);
/* "critical"/"high"/"medium"/"low" or "1".."4". */
int evl_severity_parse(const char *s, enum evl_severity *out);

#endif /* EVL_EVENT_H */
