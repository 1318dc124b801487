/* SPDX-License-Identifier: GPL-2.0 */
/* The `sim` actuator: in-memory APs, for evl-replay, tests and the daemon's dry run. */
#ifndef EVL_SIM_H
#define EVL_SIM_H

#include <evl/act.h>

struct evl_sim;

#define EVL_SIM_FALLBACK_MAX 64

extern const struct evl_act_ops evl_sim_ops;

struct evl_sim *evl_sim_new(void);
void evl_sim_free(struct evl_sim *s); /* also evl_sim_ops.destroy */
int evl_sim_add_ap(struct evl_sim *s, const char *id, const struct evl_ap_conf *conf);
/* The AP's configuration as the radio has it: 0 or -ENOENT. */
int evl_sim_get(const struct evl_sim *s, const char *id, struct evl_ap_conf *out);
/* Make the next operation on any AP fail with @err (< 0), once. */
void evl_sim_fail_next(struct evl_sim *s, int err);
/* Pending mode: operations stage the change and answer EVL_ACT_PENDING. */
void evl_sim_set_pending(struct evl_sim *s, bool pending);
/* Apply (ok) or drop the staged change of an AP: 0 or -ENOENT. */
int evl_sim_complete(struct evl_sim *s, const char *id, bool ok);
/* The radar fallback list last set (like hostapd's chanlist): its length (0 = every channel,
 * its default) with up to @max channels in @chans, or -ENOENT. */
int evl_sim_radar_fallback(const struct evl_sim *s, const char *id, int *chans, int max);
/* SSID/BSSID the AP reports (get_bss answers -ENODATA until set): 0, -ENOENT, -EINVAL. */
int evl_sim_set_bss(struct evl_sim *s, const char *id, const struct evl_ap_bss *bss);
/* A radio that disappeared (gone) or came back: while gone, enabling it fails (-ENODEV). */
int evl_sim_set_gone(struct evl_sim *s, const char *id, bool gone);
/* BSS transition requests made to the AP's stations, the last in @last (may be NULL). */
int evl_sim_btm(const struct evl_sim *s, const char *id, struct evl_bss_target *last);
/* Calls made so far (all ops except get_conf). */
unsigned int evl_sim_calls(const struct evl_sim *s);

static inline struct evl_actuator evl_sim_actuator(struct evl_sim *s)
{
	return (struct evl_actuator){.ops = &evl_sim_ops, .ctx = s};
}

#endif /* EVL_SIM_H */
