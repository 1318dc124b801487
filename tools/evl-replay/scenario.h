/* SPDX-License-Identifier: GPL-2.0 */
/* evl-replay: scenario (JSON Lines) parsing into validated steps. */
#ifndef EVL_REPLAY_SCENARIO_H
#define EVL_REPLAY_SCENARIO_H

#include <stdint.h>
#include <evl/engine.h>

enum step_kind {
	ST_AP,
	ST_REPORT,
	ST_DFS,
	ST_EVENT,
	ST_METRICS,
	ST_ROLLBACK,
	ST_RADAR,  /* a raw radar report (de-duplicated by the core) */
	ST_SURVEY, /* survey verdicts (edges in the core) */
	ST_CHURN,  /* associations in the station window (hysteresis in the core) */
	ST_PLAN,   /* the kernel's channel plan of a radio (evld: the wiphy's channel list) */
	ST_HW,	   /* a hardware fact: restart, up, gone, back (the restart watch) */
	ST_END,
};

struct step {
	int line;
	uint64_t t_ns;
	enum step_kind kind;
	char ap[EVL_ID_LEN];
	char token[EVL_TOKEN_LEN];
	int channel;
	struct evl_ap_conf conf;
	struct evl_chan_report report;
	bool measured; /* ST_REPORT: taken at t (decays after scan_max_age_s), else timeless */
	enum evl_dfs_state dfs;
	struct evl_event ev;
	struct evl_metrics m;
	char source[16]; /* ST_RADAR: ebpf, nl80211, hostapd */
	bool burst, sat; /* ST_SURVEY */
	int assoc;	 /* ST_CHURN */

	struct evl_plan_chan *plan; /* ST_PLAN: malloc'd, freed by scenario_free() */
	size_t n_plan;
	int tx_mbm;
	enum evl_hw_fact hw; /* ST_HW */
	struct evl_ap_bss bss;  /* ST_AP: ssid, bssid ("" unknown) */
};

struct scenario {
	enum evl_country country;
	int64_t start_unix;
	struct step *steps;
	size_t n;
};

/* Parse the whole text; on error returns -EINVAL with "line N: what" in @err, nothing kept. */
int scenario_parse(const char *text, struct scenario *sc, char *err, size_t errlen);
void scenario_free(struct scenario *sc);

#endif
