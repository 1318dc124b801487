// SPDX-License-Identifier: GPL-2.0
/*
 * hostapd STA-FIRST / STA-NEXT replies (client compatibility): the parser, then what the
 * parsed station can use on every channel and width of the band picked by the first byte.
 */
#include <errno.h>

#include <evl/chan.h>
#include <evl/clients.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int widths[] = {20, 40, 80, 160};
	struct evl_sta_caps c;
	const char *err = NULL;
	enum evl_band band;
	char *text;
	int rc;

	if (!size)
		return 0;
	band = (enum evl_band)(data[0] % 3);
	text = fuzz_str(data + 1, size - 1);
	if (!text)
		return 0;
	rc = evl_sta_caps_parse(text, &c, &err);
	if (rc == -EINVAL && !err)
		__builtin_trap(); /* every refusal names what is wrong */
	if (!rc)
		for (int w = 0; w < 4; w++)
			for (int ch = 0; ch < EVL_CHAN_MAX; ch++)
				if (evl_sta_caps_support(&c, 1, band, ch, widths[w]) > 1.0)
					__builtin_trap();
	free(text);
	return 0;
}
