// SPDX-License-Identifier: GPL-2.0
/* Names of the event model and the core's tunables with their by-name setter. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <evl/engine.h>

/*
 * A country with a built-in plan gets it; any other ISO 3166 alpha-2 code the world plan (the
 * channels every domain allows) until the kernel's plan of the AP's radio replaces it.
 */
static int country_parse(const char *v, enum evl_country *out)
{
	if (!evl_chan_country_parse(v, out))
		return 0;
	if (strlen(v) != 2 || !isalpha((unsigned char)v[0]) || !isalpha((unsigned char)v[1]))
		return -EINVAL;
	*out = EVL_CC_WORLD;
	return 0;
}

static const char *const type_names[EVL_EV_TYPE_MAX] = {
	[EVL_EV_DFS_RADAR] = "dfs_radar",	[EVL_EV_NON_WIFI_BURST] = "non_wifi_burst",
	[EVL_EV_SPECTRUM_SAT] = "spectrum_sat", [EVL_EV_DENSITY_SPIKE] = "density_spike",
	[EVL_EV_HW_FAILURE] = "hw_failure",	[EVL_EV_PER_SPIKE] = "per_spike",
	[EVL_EV_RETRY_SPIKE] = "retry_spike",
};

static const char *const action_names[EVL_ACTION_MAX] = {
	[EVL_ACTION_NONE] = "none",
	[EVL_ACTION_CHANNEL_CHANGE] = "channel_change",
	[EVL_ACTION_OBSS_PD_TUNE] = "obss_pd_tune",
	[EVL_ACTION_ADMISSION_CONTROL] = "admission_control",
	[EVL_ACTION_FAILOVER] = "failover",
};

static const char *const sev_names[] = {NULL, "critical", "high", "medium", "low"};

const char *evl_event_type_name(enum evl_event_type t)
{
	return (unsigned int)t < EVL_EV_TYPE_MAX ? type_names[t] : "unknown";
}

int evl_event_type_parse(const char *s, enum evl_event_type *out)
{
	for (int i = 0; s && i < EVL_EV_TYPE_MAX; i++)
		if (!strcmp(s, type_names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

int evl_severity_parse(const char *s, enum evl_severity *out)
{
	for (int i = EVL_SEV_CRITICAL; s && i <= EVL_SEV_LOW; i++)
		if (!strcmp(s, sev_names[i]) || (s[0] == '0' + i && !s[1])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

const char *evl_action_name(enum evl_action a)
{
	return (unsigned int)a < EVL_ACTION_MAX ? action_names[a] : "unknown";
}

int evl_action_parse(const char *s, enum evl_action *out)
{
	for (int i = 0; s && i < EVL_ACTION_MAX; i++)
		if (!strcmp(s, action_names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

void evl_core_config_init(struct evl_core_config *c)
{
	static const struct evl_matrix_entry m[EVL_EV_TYPE_MAX] = {
		[EVL_EV_DFS_RADAR] = {EVL_ACTION_CHANNEL_CHANGE, 3600},
		[EVL_EV_NON_WIFI_BURST] = {EVL_ACTION_CHANNEL_CHANGE, 300},
		[EVL_EV_SPECTRUM_SAT] = {EVL_ACTION_OBSS_PD_TUNE, 600},
		[EVL_EV_DENSITY_SPIKE] = {EVL_ACTION_ADMISSION_CONTROL, 0},
		[EVL_EV_HW_FAILURE] = {EVL_ACTION_FAILOVER, 0},
		[EVL_EV_PER_SPIKE] = {EVL_ACTION_NONE, 0},
		[EVL_EV_RETRY_SPIKE] = {EVL_ACTION_NONE, 0},
	};

	*c = (struct evl_core_config){
		.min_confidence = 0.80,
		.cooldown_s = 10,
		.monitor_s = 300,
		.rollback_samples = 2,
		.per_rise_rel = 0.30,
		.per_rise_abs = 0.01,
		.retry_rise_rel = 0.30,
		.retry_rise_abs = 0.01,
		.tput_drop_rel = 0.40,
		.tput_min_mbps = 1.0,
		.disconnects_max = 10,
		.nop_s = 1800,
		.confirm_timeout_ms = 5000,
		.tie_margin = 0.02,
		.w_interference = 0.4,
		.w_neighbors = 0.3,
		.w_clients = 0.2,
		.w_dfs = 0.1,
		.obss_pd_start = -78,
		.obss_pd_step = 4,
		.obss_pd_max = -62,
		.density_max_sta = 32,
		.density_hold_s = 3600,
		.queue_max = 1024,
		.radar_dedup_ms = 2000,
		.survey_repeat_s = 60,
		.density_assoc_limit = 30,
		.scan_interval_s = 900,
		.scan_max_age_s = 2700, /* three scan intervals */
		.scan_floor_dbm = -85,
		.hw_recover_s = 10,
		.hw_restart_max = 3,
		.hw_restart_window_s = 600,
		.hw_steer_ms = 2000,
		.hw_backoff_s = {30, 120, 600},
		.n_hw_backoff = 3,
		.country = EVL_CC_WORLD,
	};
	memcpy(c->matrix, m, sizeof(m));
}

enum kind { K_FRAC, K_DOUBLE, K_U32, K_INT, K_S64, K_COUNTRY, K_BACKOFF };

struct key {
	const char *name;
	enum kind kind;
	size_t off;
	double min, max;
	const char *expect;
};

#define F(n, k, lo, hi, ex)                                            \
	{                                                              \
#n, k, offsetof(struct evl_core_config, n), lo, hi, ex \
	}
static const struct key keys[] = {
	F(min_confidence, K_FRAC, 0, 1, "a number 0..1"),
	F(cooldown_s, K_U32, 0, 86400, "an integer 0..86400 (seconds)"),
	F(monitor_s, K_U32, 0, 86400, "an integer 0..86400 (seconds)"),
	F(rollback_samples, K_U32, 1, 100, "an integer 1..100"),
	F(per_rise_rel, K_DOUBLE, 0, 100, "a number 0..100 (0.30 = 30%)"),
	F(per_rise_abs, K_FRAC, 0, 1, "a number 0..1 (0.01 = 1 point)"),
	F(retry_rise_rel, K_DOUBLE, 0, 100, "a number 0..100 (0.30 = 30%)"),
	F(retry_rise_abs, K_FRAC, 0, 1, "a number 0..1 (0.01 = 1 point)"),
	F(tput_drop_rel, K_FRAC, 0, 1, "a number 0..1 (0.40 = 40%)"),
	F(tput_min_mbps, K_DOUBLE, 0, 1e6, "a number >= 0 (Mbit/s)"),
	F(disconnects_max, K_DOUBLE, 0, 1e6, "a number >= 0 (per minute)"),
	F(nop_s, K_U32, 0, 86400, "an integer 0..86400 (seconds)"),
	F(confirm_timeout_ms, K_U32, 1, 600000, "an integer 1..600000 (ms)"),
	F(tie_margin, K_FRAC, 0, 1, "a number 0..1"),
	F(w_interference, K_FRAC, 0, 1, "a number 0..1"),
	F(w_neighbors, K_FRAC, 0, 1, "a number 0..1"),
	F(w_clients, K_FRAC, 0, 1, "a number 0..1"),
	F(w_dfs, K_FRAC, 0, 1, "a number 0..1"),
	F(obss_pd_start, K_INT, -82, -62, "an integer -82..-62 (dBm)"),
	F(obss_pd_step, K_INT, 1, 20, "an integer 1..20 (dB)"),
	F(obss_pd_max, K_INT, -82, -62, "an integer -82..-62 (dBm)"),
	F(density_max_sta, K_INT, 1, 2007, "an integer 1..2007"),
	F(density_hold_s, K_U32, 1, 604800, "an integer 1..604800 (seconds)"),
	F(queue_max, K_U32, 1, 1000000, "an integer 1..1000000"),
	F(radar_dedup_ms, K_U32, 0, 60000, "an integer 0..60000 (ms)"),
	F(survey_repeat_s, K_U32, 1, 86400, "an integer 1..86400 (seconds)"),
	F(density_assoc_limit, K_U32, 0, 100000, "an integer 0..100000 (0 = off)"),
	F(scan_interval_s, K_U32, 0, 86400, "an integer 0..86400 (seconds, 0 = no scans)"),
	F(scan_max_age_s, K_U32, 0, 604800, "an integer 0..604800 (seconds, 0 = never decays)"),
	F(scan_floor_dbm, K_INT, -100, -30, "an integer -100..-30 (dBm)"),
	F(hw_recover_s, K_U32, 1, 3600, "an integer 1..3600 (seconds)"),
	F(hw_restart_max, K_U32, 1, EVL_HW_RESTART_MAX, "an integer 1..32"),
	F(hw_restart_window_s, K_U32, 1, 86400, "an integer 1..86400 (seconds)"),
	F(hw_steer_ms, K_U32, 0, 60000, "an integer 0..60000 (ms)"),
	F(hw_backoff_s, K_BACKOFF, 1, 86400,
	  "1 to 8 integers 1..86400 separated by commas (seconds; the last repeats)"),
	F(country, K_COUNTRY, 0, 0,
	  "a country code: US, DE (ETSI), 00 (world) or another ISO alpha-2"),
	F(unix_base_s, K_S64, 0, 0, "an integer (unix seconds)"),
};
#undef F

static const char matrix_expect[] =
	"none, channel_change, obss_pd_tune, admission_control or failover";
static const char window_expect[] = "an integer 0..2592000 (seconds)";

/* "matrix.<type>" / "window.<type>" -> event type, or -1. */
static int matrix_key(const char *key, const char *prefix)
{
	enum evl_event_type t;
	size_t n = strlen(prefix);

	if (strncmp(key, prefix, n) || evl_event_type_parse(key + n, &t))
		return -1;
	return t;
}

const char *evl_core_config_expect(const char *key)
{
	if (!key)
		return NULL;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i].name))
			return keys[i].expect;
	if (matrix_key(key, "matrix.") >= 0)
		return matrix_expect;
	if (matrix_key(key, "window.") >= 0)
		return window_expect;
	return NULL;
}

static int parse_num(const char *v, bool integer, double *out)
{
	char *end;

	if (!v || !*v)
		return -EINVAL;
	errno = 0;
	if (integer) {
		long long x = strtoll(v, &end, 10);

		if (errno)
			return -ERANGE;
		*out = (double)x;
	} else {
		*out = strtod(v, &end);
		if (errno || !isfinite(*out))
			return -ERANGE;
	}
	return *end ? -EINVAL : 0;
}

/* "30,120,600" (or spaces): every wait in range, 1..EVL_HW_BACKOFF_MAX of them. */
static int parse_backoff(struct evl_core_config *cfg, const struct key *k, const char *v)
{
	uint32_t w[EVL_HW_BACKOFF_MAX];
	unsigned int n = 0;
	char *end;

	if (!v)
		return -EINVAL;
	for (;;) {
		long long x;

		while (*v == ' ' || *v == '\t')
			v++;
		if (*v < '0' || *v > '9')
			return -EINVAL;
		errno = 0;
		x = strtoll(v, &end, 10);
		if (errno || x < k->min || x > k->max)
			return -ERANGE;
		if (n == EVL_HW_BACKOFF_MAX)
			return -ERANGE;
		w[n++] = (uint32_t)x;
		v = end;
		while (*v == ' ' || *v == '\t')
			v++;
		if (!*v)
			break;
		if (*v == ',')
			v++;
	}
	memcpy(cfg->hw_backoff_s, w, n * sizeof(w[0]));
	cfg->n_hw_backoff = n;
	return 0;
}

int evl_core_config_set(struct evl_core_config *cfg, const char *key, const char *value)
{
	double d;
	int t, err;

	if (!key)
		return -ENOENT;
	if ((t = matrix_key(key, "matrix.")) >= 0) {
		enum evl_action a;

		if (evl_action_parse(value, &a))
			return -EINVAL;
		cfg->matrix[t].action = a;
		return 0;
	}
	if ((t = matrix_key(key, "window.")) >= 0) {
		if ((err = parse_num(value, true, &d)))
			return err;
		if (d < 0 || d > 2592000)
			return -ERANGE;
		cfg->matrix[t].window_s = (uint32_t)d;
		return 0;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];
		void *p = (char *)cfg + k->off;

		if (strcmp(key, k->name))
			continue;
		if (k->kind == K_COUNTRY)
			return country_parse(value, p);
		if (k->kind == K_BACKOFF)
			return parse_backoff(cfg, k, value);
		if ((err = parse_num(value, k->kind != K_FRAC && k->kind != K_DOUBLE, &d)))
			return err;
		if (k->kind != K_S64 && (d < k->min || d > k->max))
			return -ERANGE;
		switch (k->kind) {
		case K_FRAC:
		case K_DOUBLE:
			*(double *)p = d;
			break;
		case K_U32:
			*(uint32_t *)p = (uint32_t)d;
			break;
		case K_INT:
			*(int *)p = (int)d;
			break;
		case K_S64:
			*(int64_t *)p = strtoll(value, NULL, 10);
			break;
		case K_COUNTRY:
		case K_BACKOFF:
			break;
		}
		return 0;
	}
	return -ENOENT;
}
