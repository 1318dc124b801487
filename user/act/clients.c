// SPDX-License-Identifier: GPL-2.0
/* Client compatibility from hostapd's STA replies: see include/evl/clients.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evl/chan.h"
#include "evl/clients.h"

#define FAIL(msg)                     \
	do {                          \
		if (err)              \
			*err = (msg); \
		return -EINVAL;       \
	} while (0)

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse_mac(const char *s, size_t len, unsigned char mac[6])
{
	if (len != 17)
		return false;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return false;
		mac[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

/* "0x107e" (hostapd prints %04x / %08x with 0x) -> *v within max. */
static bool parse_hex_u32(const char *s, size_t len, uint32_t max, uint32_t *v)
{
	uint64_t x = 0;

	if (len < 3 || len > 10 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	for (size_t i = 2; i < len; i++) {
		int h = hexval(s[i]);

		if (h < 0)
			return false;
		x = x << 4 | (unsigned int)h;
	}
	if (x > max)
		return false;
	*v = (uint32_t)x;
	return true;
}

/* flags=[AUTH][ASSOC]...: only well-formed bracket lists. */
static bool parse_flags(const char *s, size_t len, struct evl_sta_caps *c)
{
	size_t i = 0;

	while (i < len) {
		const char *end = memchr(s + i, ']', len - i);
		size_t n;

		if (s[i] != '[' || !end)
			return false;
		n = (size_t)(end - (s + i)) - 1;
		if (n == 2 && !memcmp(s + i + 1, "HT", 2))
			c->ht = true;
		else if (n == 3 && !memcmp(s + i + 1, "VHT", 3))
			c->vht = true;
		else if (n == 2 && !memcmp(s + i + 1, "HE", 2))
			c->he = true;
		i = (size_t)(end - s) + 1;
	}
	return true;
}

/*
 * The element body in hex: Current Operating Class, then the list; a 130 after it would start
 * the extension sequence, a 0 the duple sequence (neither adds classes evl uses). hostapd's
 * wpa_supplicant peers also list 130 (80+80) as a class: kept, evl has no 80+80.
 */
static bool parse_op_classes(const char *s, size_t len, struct evl_sta_caps *c)
{
	if (len < 2 || len % 2)
		return false;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		unsigned int v;

		if (hi < 0 || lo < 0)
			return false;
		v = (unsigned int)(hi << 4 | lo);
		if (!i) {
			c->cur_op_class = (unsigned char)v;
			continue;
		}
		if (!v)
			break; /* zero delimiter: duples follow */
		c->op_class[v / 8] |= (uint8_t)(1u << (v % 8));
	}
	c->has_op_classes = true;
	return true;
}

int evl_sta_caps_parse(const char *reply, struct evl_sta_caps *out, const char **err)
{
	const char *p, *nl;
	size_t len;
	uint32_t v;

	if (!reply || !out)
		FAIL("STA reply: nothing to parse");
	memset(out, 0, sizeof(*out));
	if (!*reply || !strncmp(reply, "FAIL", 4))
		return -ENOENT; /* end of the station list */
	nl = strchr(reply, '\n');
	len = nl ? (size_t)(nl - reply) : strlen(reply);
	if (!parse_mac(reply, len, out->mac))
		FAIL("STA reply: first line is not a MAC address");
	for (p = nl ? nl + 1 : reply + len; *p; p = nl ? nl + 1 : p + len) {
		const char *eq;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		eq = memchr(p, '=', len);
		if (!eq)
			continue; /* hostapd prints only key=value lines after the MAC */
		size_t kl = (size_t)(eq - p), vl = len - kl - 1;
		const char *val = eq + 1;

		if (kl == 5 && !memcmp(p, "flags", 5)) {
			if (!parse_flags(val, vl, out))
				FAIL("STA reply: malformed flags");
		} else if (kl == 12 && !memcmp(p, "ht_caps_info", 12)) {
			if (!parse_hex_u32(val, vl, 0xffff, &v))
				FAIL("STA reply: malformed ht_caps_info");
			out->ht_caps_info = (uint16_t)v;
			out->has_ht_caps = true;
		} else if (kl == 13 && !memcmp(p, "vht_caps_info", 13)) {
			if (!parse_hex_u32(val, vl, 0xffffffff, &v))
				FAIL("STA reply: malformed vht_caps_info");
			out->vht_caps_info = v;
			out->has_vht_caps = true;
		} else if (kl == 15 && !memcmp(p, "supp_op_classes", 15)) {
			if (!parse_op_classes(val, vl, out))
				FAIL("STA reply: malformed supp_op_classes");
		}
		if (!nl)
			break;
	}
	return 0;
}

static bool has_class(const struct evl_sta_caps *s, unsigned int oc)
{
	return oc < 256 && (s->op_class[oc / 8] & (1u << (oc % 8)));
}

/* Global operating classes (IEEE 802.11 Annex E, table E-4) covering a block. */
static bool classes_allow(const struct evl_sta_caps *s, enum evl_band band, int c, int width,
			  int start)
{
	switch (band) {
	case EVL_BAND_2G:
		if (width == 20)
			return has_class(s, c == 14 ? 82 : 81);
		/* 40 MHz on 2.4 GHz: primary 1-9 with the secondary above, 5-13 below */
		return width == 40 &&
		       ((c <= 9 && has_class(s, 83)) || (c >= 5 && has_class(s, 84)));
	case EVL_BAND_5G:
		switch (width) {
		case 20:
			return c <= 48	  ? has_class(s, 115)
			       : c <= 64  ? has_class(s, 118)
			       : c <= 144 ? has_class(s, 121)
			       : c <= 161 ? has_class(s, 124) || has_class(s, 125)
					  : has_class(s, 125);
		case 40: /* the lower 20 MHz is the primary (upper secondary) or the upper one */
			return c <= 48	  ? has_class(s, c == start ? 116 : 117)
			       : c <= 64  ? has_class(s, c == start ? 119 : 120)
			       : c <= 144 ? has_class(s, c == start ? 122 : 123)
					  : has_class(s, c == start ? 126 : 127);
		case 80:
			return has_class(s, 128);
		case 160:
			return has_class(s, 129);
		}
		return false;
	case EVL_BAND_6G:
		return width == 20    ? has_class(s, 131) || (c == 2 && has_class(s, 136))
		       : width == 40  ? has_class(s, 132)
		       : width == 80  ? has_class(s, 133)
		       : width == 160 ? has_class(s, 134)
				      : false;
	}
	return false;
}

static bool phy_allows(const struct evl_sta_caps *s, enum evl_band band, int width)
{
	switch (width) {
	case 20:
		return true;
	case 40: /* HT Capabilities Info bit 1: 20/40 MHz supported */
		return band == EVL_BAND_6G ? s->he
					   : (s->ht || s->vht || s->he) &&
						     (!s->has_ht_caps || (s->ht_caps_info & 0x2));
	case 80:
		return band != EVL_BAND_2G && (s->vht || s->he);
	case 160: /* VHT Capabilities Info bits 2-3: 1 = 160, 2 = 160 and 80+80 */
		return band != EVL_BAND_2G &&
		       (s->he || (s->vht && s->has_vht_caps && (s->vht_caps_info >> 2 & 3)));
	}
	return false;
}

bool evl_sta_caps_can(const struct evl_sta_caps *s, enum evl_band band, int channel, int width)
{
	int sub[EVL_BLOCK_MAX];
	int n = evl_chan_block_any(band, channel, width, sub);

	if (!s)
		return false;
	if (n < 0) /* 40 MHz on 2.4 GHz has no fixed blocks: the primary is the block */
		n = band == EVL_BAND_2G && width == 40 && evl_chan_to_freq(band, channel) > 0 ? 1
											      : -1;
	if (n < 0)
		return false;
	if (!phy_allows(s, band, width))
		return false;
	if (!s->has_op_classes)
		return true; /* no element: counted as able (see the header) */
	return classes_allow(s, band, channel, width, n > 1 ? sub[0] : channel);
}

double evl_sta_caps_support(const struct evl_sta_caps *s, size_t n, enum evl_band band, int channel,
			    int width)
{
	size_t able = 0;

	if (!s || !n)
		return 1.0;
	for (size_t i = 0; i < n; i++)
		able += evl_sta_caps_can(&s[i], band, channel, width);
	return (double)able / (double)n;
}
