// SPDX-License-Identifier: GPL-2.0
/* Core tunables: defaults (the seed's numbers) and the by-name setter's errors. */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <evl/engine.h>

START_TEST(defaults)
{
	struct evl_core_config c;

	evl_core_config_init(&c);
	ck_assert_double_eq(c.min_confidence, 0.80);
	ck_assert_uint_eq(c.cooldown_s, 10);
	ck_assert_uint_eq(c.monitor_s, 300);
	ck_assert_uint_eq(c.rollback_samples, 2);
	ck_assert_uint_eq(c.nop_s, 1800);
	ck_assert_int_eq(c.matrix[EVL_EV_DFS_RADAR].action, EVL_ACTION_CHANNEL_CHANGE);
	ck_assert_uint_eq(c.matrix[EVL_EV_DFS_RADAR].window_s, 3600);
	ck_assert_uint_eq(c.matrix[EVL_EV_NON_WIFI_BURST].window_s, 300);
	ck_assert_int_eq(c.matrix[EVL_EV_SPECTRUM_SAT].action, EVL_ACTION_OBSS_PD_TUNE);
	ck_assert_uint_eq(c.matrix[EVL_EV_SPECTRUM_SAT].window_s, 600);
	ck_assert_int_eq(c.matrix[EVL_EV_DENSITY_SPIKE].action, EVL_ACTION_ADMISSION_CONTROL);
	ck_assert_int_eq(c.matrix[EVL_EV_HW_FAILURE].action, EVL_ACTION_FAILOVER);
	ck_assert_int_eq(c.matrix[EVL_EV_PER_SPIKE].action, EVL_ACTION_NONE);
}
END_TEST

START_TEST(set_by_name)
{
	struct evl_core_config c, before;

	evl_core_config_init(&c);
	ck_assert_int_eq(evl_core_config_set(&c, "cooldown_s", "20"), 0);
	ck_assert_uint_eq(c.cooldown_s, 20);
	ck_assert_int_eq(evl_core_config_set(&c, "min_confidence", "0.9"), 0);
	ck_assert_double_eq(c.min_confidence, 0.9);
	ck_assert_int_eq(evl_core_config_set(&c, "country", "US"), 0);
	ck_assert_int_eq(c.country, EVL_CC_US);
	/* no built-in plan: the world's channels until the kernel's plan arrives */
	ck_assert_int_eq(evl_core_config_set(&c, "country", "FR"), 0);
	ck_assert_int_eq(c.country, EVL_CC_WORLD);
	ck_assert_int_eq(evl_core_config_set(&c, "country", "US"), 0);
	ck_assert_int_eq(evl_core_config_set(&c, "matrix.spectrum_sat", "none"), 0);
	ck_assert_int_eq(c.matrix[EVL_EV_SPECTRUM_SAT].action, EVL_ACTION_NONE);
	ck_assert_int_eq(evl_core_config_set(&c, "window.non_wifi_burst", "900"), 0);
	ck_assert_uint_eq(c.matrix[EVL_EV_NON_WIFI_BURST].window_s, 900);

	before = c;
	ck_assert_int_eq(evl_core_config_set(&c, "cooldown", "10"), -ENOENT);
	ck_assert_int_eq(evl_core_config_set(&c, "cooldown_s", "10s"), -EINVAL);
	ck_assert_int_eq(evl_core_config_set(&c, "cooldown_s", ""), -EINVAL);
	ck_assert_int_eq(evl_core_config_set(&c, "cooldown_s", "-1"), -ERANGE);
	ck_assert_int_eq(evl_core_config_set(&c, "min_confidence", "1.5"), -ERANGE);
	ck_assert_int_eq(evl_core_config_set(&c, "min_confidence", "nan"), -ERANGE);
	ck_assert_int_eq(evl_core_config_set(&c, "rollback_samples", "0"), -ERANGE);
	ck_assert_int_eq(evl_core_config_set(&c, "country", "DEU"), -EINVAL);
	ck_assert_int_eq(evl_core_config_set(&c, "country", "D1"), -EINVAL);
	ck_assert_int_eq(evl_core_config_set(&c, "matrix.dfs_radar", "reboot"), -EINVAL);
	ck_assert_int_eq(evl_core_config_set(&c, "matrix.bogus", "none"), -ENOENT);
	ck_assert(!memcmp(&c, &before, sizeof(c))); /* nothing half-applied */

	ck_assert_ptr_nonnull(evl_core_config_expect("cooldown_s"));
	ck_assert_ptr_nonnull(strstr(evl_core_config_expect("matrix.hw_failure"), "failover"));
	ck_assert_ptr_null(evl_core_config_expect("nope"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("core_config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, set_by_name);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
