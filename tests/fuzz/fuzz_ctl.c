// SPDX-License-Identifier: GPL-2.0
/* Control requests as evld's server receives them: one datagram, any bytes. */
#include <evl/ctl.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evl_ctl_req req;
	char err[256];

	if (size > EVL_CTL_REQ_MAX)
		return 0; /* the socket never hands over more */
	err[0] = '\0';
	/* no NUL terminator: the parser gets exactly the datagram's bytes */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (evl_ctl_parse((const char *)copy, size, &req, err, sizeof(err)) < 0 && !err[0])
		__builtin_trap();
	free(copy);
	return 0;
}
