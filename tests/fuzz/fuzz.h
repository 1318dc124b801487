/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the libFuzzer targets: the input as a NUL-terminated string. */
#ifndef EVL_FUZZ_H
#define EVL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A copy of data with a NUL appended (the parsers take C strings); NULL when out of memory. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
