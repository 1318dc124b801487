// SPDX-License-Identifier: GPL-2.0
/*
 * Client compatibility: hostapd STA replies (the captured one from the VM's hostapd 2.10 with
 * a wpa_supplicant station: [HT], supp_op_classes) into what a station can use.
 */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <evl/clients.h>

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_msg(f, "%s: %m", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

START_TEST(captured_sta_reply)
{
	struct evl_sta_caps c;
	const char *err = NULL;

	ck_assert_int_eq(
		evl_sta_caps_parse(slurp("tests/vm/captures/reply-sta-first.txt"), &c, &err), 0);
	ck_assert_mem_eq(c.mac, ((unsigned char[]){2, 0, 0, 0, 1, 0}), 6);
	ck_assert(c.ht && !c.vht && !c.he);
	ck_assert(c.has_ht_caps && c.ht_caps_info == 0x107e);
	ck_assert(c.has_op_classes && c.cur_op_class == 118);
	/* 20 MHz everywhere in 5 GHz (115, 118, 121, 124/125), 2.4 GHz 1-13 (81) */
	ck_assert(evl_sta_caps_can(&c, EVL_BAND_5G, 36, 20));
	ck_assert(evl_sta_caps_can(&c, EVL_BAND_5G, 64, 20));
	ck_assert(evl_sta_caps_can(&c, EVL_BAND_5G, 140, 20));
	ck_assert(evl_sta_caps_can(&c, EVL_BAND_5G, 165, 20));
	ck_assert(evl_sta_caps_can(&c, EVL_BAND_2G, 13, 20));
	/* 40 MHz: HT with the 20/40 bit; both primaries of a block */
	ck_assert(evl_sta_caps_can(&c, EVL_BAND_5G, 36, 40));
	ck_assert(evl_sta_caps_can(&c, EVL_BAND_5G, 40, 40));
	ck_assert(evl_sta_caps_can(&c, EVL_BAND_5G, 104, 40));
	/* no VHT: no 80 or 160 MHz, though classes 128 and 129 are listed */
	ck_assert(!evl_sta_caps_can(&c, EVL_BAND_5G, 36, 80));
	ck_assert(!evl_sta_caps_can(&c, EVL_BAND_5G, 100, 160));
	ck_assert_double_eq(evl_sta_caps_support(&c, 1, EVL_BAND_5G, 52, 20), 1.0);
	ck_assert_double_eq(evl_sta_caps_support(&c, 1, EVL_BAND_5G, 52, 80), 0.0);
	/* not a channel at all */
	ck_assert(!evl_sta_caps_can(&c, EVL_BAND_5G, 37, 20));
	ck_assert(!evl_sta_caps_can(&c, EVL_BAND_5G, 36, 30));
}
END_TEST

START_TEST(classes_and_phy)
{
	struct evl_sta_caps s[3];
	const char *err;

	/* a 2.4 GHz-only HT station: 81 and 83 (HT40+ only) */
	ck_assert_int_eq(evl_sta_caps_parse("02:00:00:00:00:01\nflags=[AUTH][ASSOC][HT]\n"
					    "supp_op_classes=515153\nht_caps_info=0x0002\n",
					    &s[0], &err),
			 0);
	ck_assert(evl_sta_caps_can(&s[0], EVL_BAND_2G, 1, 40));
	ck_assert(!evl_sta_caps_can(&s[0], EVL_BAND_2G, 11, 40)); /* needs 84 */
	ck_assert(!evl_sta_caps_can(&s[0], EVL_BAND_5G, 36, 20));
	/* VHT 80, not 160 (vht_caps_info bits 2-3 zero); UNII-1 and -3 only */
	ck_assert_int_eq(
		evl_sta_caps_parse("02:00:00:00:00:02\nflags=[HT][VHT]\n"
				   "supp_op_classes=737374757c80\nvht_caps_info=0x0f8b69b1\n",
				   &s[1], &err),
		0);
	ck_assert(evl_sta_caps_can(&s[1], EVL_BAND_5G, 44, 80));
	ck_assert(evl_sta_caps_can(&s[1], EVL_BAND_5G, 40, 40));
	ck_assert(!evl_sta_caps_can(&s[1], EVL_BAND_5G, 52, 20));
	ck_assert(!evl_sta_caps_can(&s[1], EVL_BAND_5G, 36, 160));
	/* no element: able on every channel, widths by its PHY (legacy: 20 MHz only) */
	ck_assert_int_eq(
		evl_sta_caps_parse("02:00:00:00:00:03\nflags=[AUTH][ASSOC]\n", &s[2], &err), 0);
	ck_assert(!s[2].has_op_classes);
	ck_assert(evl_sta_caps_can(&s[2], EVL_BAND_5G, 120, 20));
	ck_assert(!evl_sta_caps_can(&s[2], EVL_BAND_5G, 120, 40));
	/* fractions */
	ck_assert_double_eq_tol(evl_sta_caps_support(s, 3, EVL_BAND_5G, 36, 20), 2.0 / 3, 1e-9);
	ck_assert_double_eq_tol(evl_sta_caps_support(s, 3, EVL_BAND_5G, 36, 80), 1.0 / 3, 1e-9);
	ck_assert_double_eq(evl_sta_caps_support(s, 0, EVL_BAND_5G, 36, 80), 1.0);
	/* the 0 delimiter ends the class list */
	ck_assert_int_eq(
		evl_sta_caps_parse("02:00:00:00:00:04\nsupp_op_classes=7373007680\n", &s[0], &err),
		0);
	ck_assert(evl_sta_caps_can(&s[0], EVL_BAND_5G, 36, 20));
	ck_assert(!evl_sta_caps_can(&s[0], EVL_BAND_5G, 52, 20));
}
END_TEST

START_TEST(bad_replies)
{
	static const struct {
		const char *reply, *err;
	} bad[] = {
		{"UNKNOWN COMMAND\n", "first line is not a MAC"},
		{"02:00:00:00:01\nflags=[HT]\n", "first line is not a MAC"},
		{"02:00:00:00:01:00\nflags=[HT\n", "malformed flags"},
		{"02:00:00:00:01:00\nsupp_op_classes=765\n", "malformed supp_op_classes"},
		{"02:00:00:00:01:00\nsupp_op_classes=76zz\n", "malformed supp_op_classes"},
		{"02:00:00:00:01:00\nsupp_op_classes=\n", "malformed supp_op_classes"},
		{"02:00:00:00:01:00\nht_caps_info=0x1ffff\n", "malformed ht_caps_info"},
		{"02:00:00:00:01:00\nvht_caps_info=12\n", "malformed vht_caps_info"},
	};
	struct evl_sta_caps c;
	const char *err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		ck_assert_int_eq(evl_sta_caps_parse(bad[i].reply, &c, &err), -EINVAL);
		ck_assert_msg(err && strstr(err, bad[i].err), "%s: %s", bad[i].reply, err);
	}
	/* the end of the list */
	ck_assert_int_eq(evl_sta_caps_parse("", &c, &err), -ENOENT);
	ck_assert_int_eq(evl_sta_caps_parse("FAIL\n", &c, &err), -ENOENT);
	ck_assert_int_eq(evl_sta_caps_parse(NULL, &c, &err), -EINVAL);
	ck_assert(!evl_sta_caps_can(NULL, EVL_BAND_5G, 36, 20));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("clients");
	TCase *tc = tcase_create("sta");

	tcase_add_test(tc, captured_sta_reply);
	tcase_add_test(tc, classes_and_phy);
	tcase_add_test(tc, bad_replies);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
