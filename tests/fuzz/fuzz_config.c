// SPDX-License-Identifier: GPL-2.0
/* evld.conf: evl_config_parse with the core's tunables behind it, as evld loads it. */
#include <evl/config.h>
#include <evl/engine.h>

#include "fuzz.h"

static int core_set(void *ctx, const char *key, const char *value)
{
	return evl_core_config_set(ctx, key, value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct evl_config cfg;
	struct evl_core_config core;
	struct evl_config_keys keys = {core_set, evl_core_config_expect, &core};
	char err[EVL_CONFIG_ERR_MAX];
	char *text = fuzz_str(data, size);

	if (!text)
		return 0;
	evl_core_config_init(&core);
	if (evl_config_parse("fuzz.conf", text, &keys, &cfg, err, sizeof(err)) < 0 && !err[0])
		__builtin_trap(); /* an error must name what is wrong */
	free(text);
	return 0;
}
