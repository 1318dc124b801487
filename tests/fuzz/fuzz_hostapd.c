// SPDX-License-Identifier: GPL-2.0
/*
 * hostapd control-socket text: the first byte picks the parser (STATUS reply, reply status
 * word, unsolicited event line), the rest is the datagram.
 */
#include <evl/hostapd.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evl_hapd_status st;
	struct evl_hapd_event ev;
	const char *err = NULL;
	char *text;

	if (!size)
		return 0;
	text = fuzz_str(data + 1, size - 1);
	if (!text)
		return 0;
	switch (data[0] % 3) {
	case 0:
		if (evl_hapd_parse_status(text, &st, &err) < 0 && !err)
			__builtin_trap();
		break;
	case 1:
		evl_hapd_parse_event(text, &ev);
		break;
	default:
		evl_hapd_reply_status(text);
		break;
	}
	free(text);
	return 0;
}
