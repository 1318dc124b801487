// SPDX-License-Identifier: GPL-2.0
/* Channel plan tables: see include/evl/chan.h. */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <evl/chan.h>

int evl_chan_country_parse(const char *s, enum evl_country *out)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "00") || !strcasecmp(s, "world"))
		*out = EVL_CC_WORLD;
	else if (!strcasecmp(s, "US"))
		*out = EVL_CC_US;
	else if (!strcasecmp(s, "DE") || !strcasecmp(s, "ETSI"))
		*out = EVL_CC_DE;
	else
		return -EINVAL;
	return 0;
}

int evl_chan_band_parse(const char *s, enum evl_band *out)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "2g"))
		*out = EVL_BAND_2G;
	else if (!strcmp(s, "5g"))
		*out = EVL_BAND_5G;
	else if (!strcmp(s, "6g"))
		*out = EVL_BAND_6G;
	else
		return -EINVAL;
	return 0;
}

const char *evl_chan_band_name(enum evl_band band)
{
	return band == EVL_BAND_2G ? "2g" : band == EVL_BAND_6G ? "6g" : "5g";
}

/* Is @c a 20 MHz channel number of @band at all (any country)? */
static bool chan_exists(enum evl_band band, int c)
{
	switch (band) {
	case EVL_BAND_2G:
		return c >= 1 && c <= 14;
	case EVL_BAND_5G:
		return (c >= 36 && c <= 144 && c % 4 == 0 && (c <= 64 || c >= 100)) ||
		       (c >= 149 && c <= 177 && (c - 149) % 4 == 0);
	case EVL_BAND_6G:
		return c >= 1 && c <= 233 && (c - 1) % 4 == 0;
	}
	return false;
}

int evl_chan_to_freq(enum evl_band band, int channel)
{
	if (!chan_exists(band, channel))
		return -EINVAL;
	switch (band) {
	case EVL_BAND_2G:
		return channel == 14 ? 2484 : 2407 + 5 * channel;
	case EVL_BAND_5G:
		return 5000 + 5 * channel;
	case EVL_BAND_6G:
		return 5950 + 5 * channel;
	}
	return -EINVAL;
}

int evl_chan_from_freq(int freq, enum evl_band *band)
{
	int c;

	if (freq == 2484) {
		*band = EVL_BAND_2G;
		return 14;
	}
	if (freq >= 2412 && freq <= 2472 && (freq - 2407) % 5 == 0) {
		*band = EVL_BAND_2G;
		return (freq - 2407) / 5;
	}
	if (freq >= 5180 && freq <= 5885 && freq % 5 == 0) {
		c = (freq - 5000) / 5;
		if (chan_exists(EVL_BAND_5G, c)) {
			*band = EVL_BAND_5G;
			return c;
		}
	}
	if (freq >= 5955 && freq <= 7115 && freq % 5 == 0) {
		c = (freq - 5950) / 5;
		if (chan_exists(EVL_BAND_6G, c)) {
			*band = EVL_BAND_6G;
			return c;
		}
	}
	return -EINVAL;
}

bool evl_chan_allowed(enum evl_country cc, enum evl_band band, int c)
{
	if (!chan_exists(band, c))
		return false;
	switch (band) {
	case EVL_BAND_2G:
		return c <= (cc == EVL_CC_DE ? 13 : 11);
	case EVL_BAND_5G:
		/* US: UNII-1..3 incl. 144; ETSI/world: 36-64, 100-140 (149+ is SRD 25 mW) */
		if (cc == EVL_CC_US)
			return c <= 165;
		return c <= 140;
	case EVL_BAND_6G:
		return cc == EVL_CC_US || c <= 93; /* ETSI: 5945-6425 MHz */
	}
	return false;
}

bool evl_chan_is_dfs(enum evl_band band, int c)
{
	return band == EVL_BAND_5G && c >= 52 && c <= 144;
}

bool evl_chan_is_weather(enum evl_country cc, enum evl_band band, int c)
{
	return cc != EVL_CC_US && band == EVL_BAND_5G && c >= 120 && c <= 128;
}

/* First channel of the aligned block of @n 20 MHz channels containing @c, or -EINVAL. */
static int block_start(enum evl_band band, int c, int n)
{
	int base;

	if (!chan_exists(band, c) || (n != 1 && n != 2 && n != 4 && n != 8))
		return -EINVAL;
	if (n == 1)
		return c;
	if (band == EVL_BAND_2G)
		return -EINVAL;
	base = band == EVL_BAND_6G ? 1 : c <= 144 ? 36 : 149;
	return base + (c - base) / (4 * n) * (4 * n);
}

int evl_chan_block_any(enum evl_band band, int channel, int width, int sub[EVL_BLOCK_MAX])
{
	int n = width / 20, start, i;

	if (width % 20)
		return -EINVAL;
	start = block_start(band, channel, n);
	if (start < 0)
		return start;
	for (i = 0; i < n; i++) {
		sub[i] = start + 4 * i;
		if (!chan_exists(band, sub[i]))
			return -EINVAL;
	}
	return n;
}

int evl_chan_block(enum evl_country cc, enum evl_band band, int channel, int width,
		   int sub[EVL_BLOCK_MAX])
{
	int n = evl_chan_block_any(band, channel, width, sub);

	for (int i = 0; i < n; i++)
		if (!evl_chan_allowed(cc, band, sub[i]))
			return -EINVAL;
	return n;
}

static int chandef_of(enum evl_band band, int channel, int width, const int *sub, int n,
		      struct evl_chandef *out)
{
	if (n < 0)
		return n;
	out->band = band;
	out->channel = channel;
	out->width = width;
	out->freq = evl_chan_to_freq(band, channel);
	out->center_freq1 =
		(evl_chan_to_freq(band, sub[0]) + evl_chan_to_freq(band, sub[n - 1])) / 2;
	return 0;
}

int evl_chan_chandef(enum evl_country cc, enum evl_band band, int channel, int width,
		     struct evl_chandef *out)
{
	int sub[EVL_BLOCK_MAX];

	return chandef_of(band, channel, width, sub, evl_chan_block(cc, band, channel, width, sub),
			  out);
}

int evl_chan_chandef_any(enum evl_band band, int channel, int width, struct evl_chandef *out)
{
	int sub[EVL_BLOCK_MAX];

	return chandef_of(band, channel, width, sub, evl_chan_block_any(band, channel, width, sub),
			  out);
}

bool evl_chan_block_contains(enum evl_band band, int channel, int width, int c)
{
	int n = width / 20, start = block_start(band, channel, n);

	if (band == EVL_BAND_2G) /* 40 MHz on 2.4 GHz has no fixed blocks: the primary counts */
		return c == channel;
	return start >= 0 && c >= start && c <= start + 4 * (n - 1) && (c - start) % 4 == 0;
}

int evl_chan_op_class(enum evl_band band, int c)
{
	if (evl_chan_to_freq(band, c) < 0)
		return -EINVAL;
	if (band == EVL_BAND_2G)
		return c == 14 ? 82 : 81;
	if (band == EVL_BAND_6G)
		return 131;
	return c <= 48 ? 115 : c <= 64 ? 118 : c <= 144 ? 121 : c <= 161 ? 124 : 125;
}
