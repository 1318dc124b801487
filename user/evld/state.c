// SPDX-License-Identifier: GPL-2.0
/* evld: the state file {"boot_id", "engine", "sim"}: read at start, written when it changed. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

static void state_path(const struct evld *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s/state.json", d->cfg.state_dir);
}

void evld_read_boot_id(struct evld *d)
{
	char *b = NULL;
	size_t n = 0;

	if (!evl_sys_read_file("/proc/sys/kernel/random/boot_id", 64, &b, &n)) {
		b[strcspn(b, "\n")] = 0;
		snprintf(d->boot_id, sizeof(d->boot_id), "%s", b);
	}
	free(b);
}

int evld_save_state(struct evld *d)
{
	char path[PATH_MAX + 16], *eng = evl_engine_save_state(d->e);
	json_object *o, *sim;
	const char *txt;
	int rc;

	if (!eng)
		return -errno;
	o = json_object_new_object();
	json_object_object_add(o, "boot_id", json_object_new_string(d->boot_id));
	json_object_object_add(o, "engine", json_tokener_parse(eng));
	free(eng);
	sim = json_object_new_object();
	for (unsigned int i = 0; d->simact && i < d->n_if; i++) {
		struct evl_ap_conf c;

		if (d->ifs[i].kind != EVL_CONFIG_ACT_SIM ||
		    evl_sim_get(d->simact, d->ifs[i].name, &c))
			continue;
		json_object_object_add(sim, d->ifs[i].name, evl_ap_conf_json(&c));
	}
	json_object_object_add(o, "sim", sim);
	txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (d->saved && !strcmp(d->saved, txt)) {
		json_object_put(o);
		return 0;
	}
	state_path(d, path, sizeof(path));
	rc = evl_sys_write_atomic(path, txt, strlen(txt), 0600);
	if (!rc) {
		free(d->saved);
		d->saved = strdup(txt);
	}
	json_object_put(o);
	return rc;
}

/* Make every change so far durable (before a control reply acknowledges it). */
void evld_state_sync(struct evld *d)
{
	int rc;

	if (!d->dirty)
		return;
	rc = evld_save_state(d);
	if (rc)
		evld_log(EVLD_ERR, "state", "cannot save %s/state.json: %s", d->cfg.state_dir,
			 strerror(-rc));
	else
		d->dirty = false;
}

/* A saved sim radio's settings (the simulated radios keep them across restarts, as real
 * ones do). false when the state has none or they do not make sense. */
bool evld_sim_saved_conf(json_object *root, const char *name, struct evl_ap_conf *c)
{
	json_object *sim, *a;

	return root && json_object_object_get_ex(root, "sim", &sim) &&
	       json_object_object_get_ex(sim, name, &a) && !evl_ap_conf_from_json(a, c);
}

static void set_aside(struct evld *d, const char *why)
{
	char path[PATH_MAX + 16], aside[PATH_MAX + 64];
	int rc;

	state_path(d, path, sizeof(path));
	rc = evl_sys_move_aside(path, aside, sizeof(aside));
	if (rc)
		evld_log(EVLD_ERR, "state", "%s: %s; cannot move it aside: %s", path, why,
			 strerror(-rc));
	else
		evld_log(EVLD_ERR, "state", "%s: %s; moved aside to %s, starting without it", path,
			 why, aside);
}

/* Read state.json: the parsed object, or NULL (none, or unusable and moved aside). */
json_object *evld_state_read(struct evld *d)
{
	char path[PATH_MAX + 16], *buf = NULL;
	json_object *root, *v, *eng;
	size_t len;
	int rc;

	state_path(d, path, sizeof(path));
	rc = evl_sys_read_file(path, 64 << 20, &buf, &len);
	if (rc == -ENOENT)
		return NULL;
	if (rc) {
		evld_log(EVLD_ERR, "state", "%s: %s", path, strerror(-rc));
		if (rc == -EFBIG)
			set_aside(d, "too large");
		return NULL;
	}
	root = json_tokener_parse(buf);
	free(buf);
	if (!root || !json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "engine", &eng) ||
	    !json_object_is_type(eng, json_type_object)) {
		json_object_put(root);
		set_aside(d, "not a state file (malformed JSON or no \"engine\" object)");
		return NULL;
	}
	if (!json_object_object_get_ex(root, "boot_id", &v) ||
	    strcmp(json_object_get_string(v), d->boot_id)) {
		json_object_put(root);
		/* engine times are CLOCK_BOOTTIME: meaningless after a reboot */
		set_aside(d, "written before the last reboot (its times are void)");
		return NULL;
	}
	return root;
}

/* Give the engine its saved tokens, NOP list and baselines; a file it refuses goes aside. */
void evld_state_apply(struct evld *d, json_object *root)
{
	json_object *eng;
	int rc;

	if (!root || !json_object_object_get_ex(root, "engine", &eng))
		return;
	rc = evl_engine_load_state(d->e,
				   json_object_to_json_string_ext(eng, JSON_C_TO_STRING_PLAIN));
	if (rc < 0) {
		set_aside(d, "the engine refused it");
		return;
	}
	{
		struct evl_stats st;

		evl_engine_stats(d->e, &st);
		evld_log(EVLD_INFO, "state", "restored %" PRIu64 " token(s)%s", st.tokens_active,
			 rc ? " (entries of unknown interfaces skipped)" : "");
	}
}
