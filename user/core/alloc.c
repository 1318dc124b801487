// SPDX-License-Identifier: GPL-2.0
/*
 * Memory for the engine's growing tables (tokens, NOP list). Weak, so a fault-injection test
 * can link its own failing version in; everything else gets realloc().
 */
#include <stdlib.h>

#include "engine_int.h"

__attribute__((weak)) void *evl_core_realloc(void *p, size_t size)
{
	return realloc(p, size);
}
