// SPDX-License-Identifier: GPL-2.0
/*
 * Against the running kernel: open nl80211, subscribe to "mlme", dump every wiphy's channels
 * and each wireless interface's survey and stations. SKIP where cfg80211 is not loaded (load
 * mac80211_hwsim to run it; the VM test bed does).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evl/nl80211.h"

#define CHECK(c)                                                                     \
	do {                                                                         \
		if (!(c)) {                                                          \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); \
			return 1;                                                    \
		}                                                                    \
	} while (0)

int main(void)
{
	struct evl_nl80211 *nl = evl_nl80211_open();
	struct evl_nl80211_mon *mon;
	struct evl_chanlist *l;
	struct if_nameindex *ifs;
	int r, wifs = 0;

	if (!nl) {
		printf("SKIP: nl80211 not available here (%s): load cfg80211/mac80211_hwsim\n",
		       strerror(errno));
		return 77;
	}
	mon = evl_nl80211_mon_open();
	CHECK(mon && evl_nl80211_mon_fd(mon) >= 0);
	CHECK(evl_nl80211_mon_read(mon, NULL, NULL) >= 0); /* nothing queued: 0, no block */

	l = calloc(1, sizeof(*l));
	r = evl_nl80211_channels(nl, -1, l);
	CHECK(r == 0);
	printf("wiphy %d: %zu channels\n", l->wiphy, l->n);
	CHECK(l->wiphy < 0 || l->n > 0);

	ifs = if_nameindex();
	for (struct if_nameindex *i = ifs; i && i->if_index; i++) {
		struct evl_survey sv[64];
		struct evl_sta_tracker *t;
		struct evl_link_metrics m;

		r = evl_nl80211_survey(nl, (int)i->if_index, sv, 64);
		if (r == -ENODEV || r == -EOPNOTSUPP || r == -EINVAL)
			continue; /* not a wireless interface, or no survey support */
		CHECK(r >= 0);
		wifs++;
		printf("%s: %d survey entries\n", i->if_name, r);
		t = calloc(1, sizeof(*t));
		CHECK(evl_nl80211_stations(nl, (int)i->if_index, t) == 0);
		CHECK(evl_sta_tracker_end(t, 1, &m) == -EAGAIN);
		free(t);
	}
	if_freenameindex(ifs);
	printf("%d wireless interfaces polled\n", wifs);
	free(l);
	evl_nl80211_mon_close(mon);
	evl_nl80211_close(nl);
	return 0;
}
