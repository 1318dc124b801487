// SPDX-License-Identifier: GPL-2.0
/* evld: the nl80211 actuator back end, apart because its header cannot sit beside engine.h. */
#include <evl/config.h>
#include <evl/nl80211.h>
#include "evld.h"

const struct evl_act_ops *evld_radio_act_ops(void)
{
	return &evl_act_nl80211_ops;
}

void *evld_radio_act_new(const struct evl_config *cfg)
{
	struct evl_nl80211_act_opts o = {
		.cs_count = (int)cfg->cs_count,
		.radar_cs_count = (int)cfg->radar_cs_count,
	};

	return evl_act_nl80211_new(&o);
}
