// SPDX-License-Identifier: GPL-2.0
/* hostapd's BSS_TM_REQ (802.11v BSS Transition Management request) as text. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <evl/hostapd.h>

static bool is_mac(const char *s)
{
	unsigned int b[6];
	int n = 0;

	return s && strlen(s) == 17 &&
	       sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		      &n) == 6 &&
	       n == 17;
}

int evl_hapd_format_bss_tm_req(char *buf, size_t len, const char *sta,
			       const struct evl_bss_target *to)
{
	char timer[48] = "";
	int n;

	if (!buf || !to || !is_mac(sta) || !is_mac(to->bssid) || to->op_class < 1 ||
	    to->op_class > 255 || to->channel < 1 || to->channel > 255 || to->phy_type < 0 ||
	    to->phy_type > 255 || to->disassoc_timer < 0 || to->disassoc_timer > 65535)
		return -EINVAL;
	if (to->disassoc_timer)
		snprintf(timer, sizeof(timer), " disassoc_imminent=1 disassoc_timer=%d",
			 to->disassoc_timer);
	n = snprintf(buf, len, "BSS_TM_REQ %s pref=1 abridged=1%s neighbor=%s,0x%04x,%d,%d,%d", sta,
		     timer, to->bssid, to->bssid_info & 0xffffffffu, to->op_class, to->channel,
		     to->phy_type);
	return n >= 0 && (size_t)n < len ? n : -ENOSPC;
}
