// SPDX-License-Identifier: GPL-2.0
/* evld: the configuration file, at start and on reload (all or nothing). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"

static int core_set(void *ctx, const char *key, const char *value)
{
	return evl_core_config_set(ctx, key, value);
}

int evld_load_config(const struct evld *d, struct evl_config *cfg, struct evl_core_config *core,
		     char *err, size_t errlen)
{
	struct evl_config_keys keys = {core_set, evl_core_config_expect, core};
	int rc;

	evl_core_config_init(core);
	rc = evl_config_load(d->conf_path, &keys, cfg, err, errlen);
	if (rc)
		return rc;
	if (!cfg->n_ifaces && d->sim) { /* the embedded default of a machine without Wi-Fi */
		struct evl_config_iface *f = &cfg->ifaces[cfg->n_ifaces++];

		*f = (struct evl_config_iface){.name = "sim0",
					       .actuator = EVL_CONFIG_ACT_SIM,
					       .band = EVL_BAND_5G,
					       .channel = 52,
					       .bandwidth = 80,
					       .tx_power = 23};
	}
	if (!cfg->n_ifaces) {
		snprintf(err, errlen, "%s: no interface= configured (or run with --sim)",
			 d->conf_path);
		return -EINVAL;
	}
	return 0;
}

/* Keys that only a restart can apply: the name of the first one that differs, or NULL. */
static const char *restart_key(const struct evl_config *a, const struct evl_config *b)
{
#define DIFF(f) (strcmp(a->f, b->f) ? #f : NULL)
	const char *k;

	if (a->n_ifaces != b->n_ifaces)
		return "interface";
	for (unsigned int i = 0; i < a->n_ifaces; i++)
		if (strcmp(a->ifaces[i].name, b->ifaces[i].name) ||
		    a->ifaces[i].actuator != b->ifaces[i].actuator)
			return "interface";
	if ((k = DIFF(hostapd_ctrl_dir)) || (k = DIFF(audit_dir)) || (k = DIFF(audit_key_file)) ||
	    (k = DIFF(site_secret_file)) || (k = DIFF(state_dir)) || (k = DIFF(ctl_socket)) ||
	    (k = DIFF(ctl_socket_group)) || (k = DIFF(bpf_pin_dir)) || (k = DIFF(user)))
		return k;
	if (a->durability != b->durability || a->audit_sync_every != b->audit_sync_every)
		return "audit_durability";
	if (a->ctl_socket_mode != b->ctl_socket_mode)
		return "ctl_socket_mode";
	if (a->cs_count != b->cs_count)
		return "cs_count";
	if (a->radar_cs_count != b->radar_cs_count)
		return "radar_cs_count";
	return NULL;
#undef DIFF
}

/*
 * Re-read the config file: all or nothing. Poll intervals, the metrics file and the core's
 * tunables apply at once; the engine keeps all its state. Keys fixed at start-up are refused
 * by name.
 */
int evld_reload(struct evld *d, char *err, size_t errlen)
{
	struct evl_config cfg;
	struct evl_core_config core;
	const char *k;
	int rc;

	rc = evld_load_config(d, &cfg, &core, err, errlen);
	if (rc)
		return rc;
	if ((k = restart_key(&d->cfg, &cfg))) {
		snprintf(err, errlen, "%s: %s changed: only a restart applies it; nothing changed",
			 d->conf_path, k);
		return -EINVAL;
	}
	core.unix_base_s = d->core.unix_base_s;
	d->core = core;
	evl_engine_set_config(d->e, &core);
	d->cfg = cfg;
	d->next_survey = d->next_sta = d->next_metrics = 0;
	evld_log(EVLD_INFO, "evld", "configuration reloaded from %s", d->conf_path);
	return 0;
}
