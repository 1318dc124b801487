/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client compatibility: what an associated station can use, from hostapd's `STA-FIRST` /
 * `STA-NEXT` replies (flags=[HT][VHT][HE], ht_caps_info, vht_caps_info, supp_op_classes: the
 * Supported Operating Classes element, global classes of IEEE 802.11 Annex E), and the
 * fraction of an AP's stations that can use a channel at a width.
 *
 * A station that sent no Supported Operating Classes element counts as able on every channel
 * (most do send it; without it nothing says otherwise). Widths above 20 MHz also need the
 * PHY: 40 MHz HT (or VHT/HE) with 40 MHz in ht_caps_info when given, 80 MHz VHT or HE, 160
 * MHz VHT with 160 MHz in vht_caps_info, or HE.
 */
#ifndef EVL_CLIENTS_H
#define EVL_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "evl/act.h"

struct evl_sta_caps {
	unsigned char mac[6];
	bool ht, vht, he; /* flags=[HT] [VHT] [HE] */
	bool has_ht_caps, has_vht_caps;
	uint16_t ht_caps_info;	/* HT Capabilities Info */
	uint32_t vht_caps_info; /* VHT Capabilities Info */
	bool has_op_classes;	/* supp_op_classes= present */
	unsigned char cur_op_class;
	uint8_t op_class[32]; /* bitmap of the listed operating classes */
};

/*
 * One STA reply. 0; -ENOENT for the empty reply (or FAIL) that ends the list; -EINVAL with
 * *err (when not NULL) naming the bad part: no MAC address first, a malformed flags,
 * ht_caps_info, vht_caps_info or supp_op_classes value.
 */
int evl_sta_caps_parse(const char *reply, struct evl_sta_caps *out, const char **err);
/* Can the station use the block of @width MHz (20/40/80/160) holding @channel in @band? */
bool evl_sta_caps_can(const struct evl_sta_caps *s, enum evl_band band, int channel, int width);
/* Fraction of @n stations that can (1.0 when n = 0: nobody to lose). */
double evl_sta_caps_support(const struct evl_sta_caps *s, size_t n, enum evl_band band, int channel,
			    int width);

#endif /* EVL_CLIENTS_H */
