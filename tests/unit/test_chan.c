// SPDX-License-Identifier: GPL-2.0
/* Channel plan: frequencies, blocks, centre frequencies, DFS/weather, countries. */
#include <check.h>
#include "../lib/check_run.h"
#include <stdlib.h>
#include <evl/chan.h>

START_TEST(freqs)
{
	enum evl_band b;

	ck_assert_int_eq(evl_chan_to_freq(EVL_BAND_2G, 1), 2412);
	ck_assert_int_eq(evl_chan_to_freq(EVL_BAND_2G, 14), 2484);
	ck_assert_int_eq(evl_chan_to_freq(EVL_BAND_5G, 36), 5180);
	ck_assert_int_eq(evl_chan_to_freq(EVL_BAND_5G, 165), 5825);
	ck_assert_int_eq(evl_chan_to_freq(EVL_BAND_6G, 1), 5955);
	ck_assert_int_lt(evl_chan_to_freq(EVL_BAND_5G, 38), 0);
	ck_assert_int_lt(evl_chan_to_freq(EVL_BAND_5G, 68), 0);
	ck_assert_int_eq(evl_chan_from_freq(5260, &b), 52);
	ck_assert_int_eq(b, EVL_BAND_5G);
	ck_assert_int_eq(evl_chan_from_freq(2437, &b), 6);
	ck_assert_int_eq(b, EVL_BAND_2G);
	ck_assert_int_eq(evl_chan_from_freq(6115, &b), 33);
	ck_assert_int_eq(b, EVL_BAND_6G);
	ck_assert_int_lt(evl_chan_from_freq(5000, &b), 0);
}
END_TEST

START_TEST(blocks_and_centres)
{
	struct evl_chandef cd;
	int sub[EVL_BLOCK_MAX];

	ck_assert_int_eq(evl_chan_chandef(EVL_CC_DE, EVL_BAND_5G, 40, 80, &cd), 0);
	ck_assert_int_eq(cd.freq, 5200);
	ck_assert_int_eq(cd.center_freq1, 5210); /* 36-48 */
	ck_assert_int_eq(evl_chan_chandef(EVL_CC_US, EVL_BAND_5G, 100, 160, &cd), 0);
	ck_assert_int_eq(cd.center_freq1, 5570);
	ck_assert_int_eq(evl_chan_chandef(EVL_CC_US, EVL_BAND_5G, 157, 40, &cd), 0);
	ck_assert_int_eq(cd.center_freq1, 5795);
	ck_assert_int_eq(evl_chan_chandef(EVL_CC_US, EVL_BAND_6G, 37, 160, &cd), 0);
	ck_assert_int_eq(cd.center_freq1, 6185); /* 33-61, centre channel 47 */
	ck_assert_int_eq(evl_chan_block(EVL_CC_US, EVL_BAND_5G, 60, 80, sub), 4);
	ck_assert_int_eq(sub[0], 52);
	ck_assert_int_eq(sub[3], 64);
	/* 132-144 exists in the US, not in ETSI (144 missing) */
	ck_assert_int_eq(evl_chan_block(EVL_CC_US, EVL_BAND_5G, 132, 80, sub), 4);
	ck_assert_int_lt(evl_chan_block(EVL_CC_DE, EVL_BAND_5G, 132, 80, sub), 0);
	ck_assert_int_lt(evl_chan_block(EVL_CC_DE, EVL_BAND_5G, 149, 20, sub), 0);
	ck_assert_int_lt(evl_chan_block(EVL_CC_US, EVL_BAND_2G, 6, 40, sub), 0);
	ck_assert_int_lt(evl_chan_block(EVL_CC_US, EVL_BAND_5G, 36, 60, sub), 0);
	ck_assert(evl_chan_block_contains(EVL_BAND_5G, 52, 80, 64));
	ck_assert(!evl_chan_block_contains(EVL_BAND_5G, 52, 80, 48));
}
END_TEST

START_TEST(regulatory)
{
	enum evl_country cc;

	ck_assert(evl_chan_is_dfs(EVL_BAND_5G, 52));
	ck_assert(evl_chan_is_dfs(EVL_BAND_5G, 144));
	ck_assert(!evl_chan_is_dfs(EVL_BAND_5G, 48));
	ck_assert(!evl_chan_is_dfs(EVL_BAND_6G, 53));
	ck_assert(evl_chan_is_weather(EVL_CC_DE, EVL_BAND_5G, 124));
	ck_assert(!evl_chan_is_weather(EVL_CC_US, EVL_BAND_5G, 124));
	ck_assert(evl_chan_allowed(EVL_CC_DE, EVL_BAND_2G, 13));
	ck_assert(!evl_chan_allowed(EVL_CC_US, EVL_BAND_2G, 13));
	ck_assert(evl_chan_allowed(EVL_CC_US, EVL_BAND_5G, 165));
	ck_assert(!evl_chan_allowed(EVL_CC_WORLD, EVL_BAND_5G, 149));
	ck_assert(!evl_chan_allowed(EVL_CC_DE, EVL_BAND_6G, 97));
	ck_assert_int_eq(evl_chan_country_parse("ETSI", &cc), 0);
	ck_assert_int_eq(cc, EVL_CC_DE);
	ck_assert_int_eq(evl_chan_country_parse("00", &cc), 0);
	ck_assert_int_eq(cc, EVL_CC_WORLD);
	ck_assert_int_lt(evl_chan_country_parse("XX", &cc), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("chan");
	TCase *tc = tcase_create("plan");

	tcase_add_test(tc, freqs);
	tcase_add_test(tc, blocks_and_centres);
	tcase_add_test(tc, regulatory);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
