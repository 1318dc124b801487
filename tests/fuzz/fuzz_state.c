// SPDX-License-Identifier: GPL-2.0
/*
 * state.json as evld reads it back at start: evl_engine_load_state into an engine with two
 * APs, then what the restored tokens and NOP entries are used for (rollback, expiry, save).
 */
#include <evl/engine.h>
#include <evl/sim.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const aps[] = {"wlan0", "wlan1"};
	struct evl_core_config cfg;
	struct evl_engine *e;
	struct evl_sim *sim;
	char *json = fuzz_str(data, size);

	if (!json)
		return 0;
	evl_core_config_init(&cfg);
	sim = evl_sim_new();
	e = sim ? evl_engine_new(&cfg, evl_sim_actuator(sim), (struct evl_record_sink){0}, 1)
		: NULL;
	if (e) {
		for (size_t i = 0; i < 2; i++) {
			struct evl_ap_conf c = {.band = EVL_BAND_5G,
						.channel = 36 + 16 * (int)i,
						.bandwidth = 20,
						.tx_power = 20};

			evl_sim_add_ap(sim, aps[i], &c);
			evl_engine_add_ap(e, aps[i], &c);
		}
		if (evl_engine_load_state(e, json) >= 0) {
			/* what a restored token is used for: rollback, expiry, a save */
			evl_engine_rollback_ap(e, aps[0], 1500);
			evl_engine_tick(e, 2500);
			evl_engine_rollback_ap(e, aps[1], 2600);
			evl_engine_tick(e, UINT64_MAX / 2);
			free(evl_engine_save_state(e));
		}
	}
	evl_engine_free(e);
	evl_sim_free(sim);
	free(json);
	return 0;
}
