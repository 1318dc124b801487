// SPDX-License-Identifier: GPL-2.0
/* evl-replay scenario files (JSON Lines): scenario_parse from tools/evl-replay/scenario.c. */
#include "../../tools/evl-replay/scenario.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario sc;
	char err[512];
	char *text = fuzz_str(data, size);

	if (!text)
		return 0;
	err[0] = '\0';
	if (scenario_parse(text, &sc, err, sizeof(err)) == 0)
		scenario_free(&sc);
	else if (!err[0])
		__builtin_trap();
	free(text);
	return 0;
}
