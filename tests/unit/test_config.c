// SPDX-License-Identifier: GPL-2.0
/* evld config file: good files, every kind of bad line, all-or-nothing. */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <evl/config.h>

/* Fake of the core's setter: knows cooldown_s (0..3600) and confidence_min (0..1). */
struct fake_core {
	int cooldown_s;
	double confidence_min;
	int calls;
};

static int fake_set(void *ctx, const char *key, const char *value)
{
	struct fake_core *fc = ctx;
	char *end;

	fc->calls++;
	if (!strcmp(key, "cooldown_s")) {
		long v = strtol(value, &end, 10);

		if (*end || end == value)
			return -EINVAL;
		if (v < 0 || v > 3600)
			return -ERANGE;
		fc->cooldown_s = v;
		return 0;
	}
	if (!strcmp(key, "confidence_min")) {
		double v = strtod(value, &end);

		if (*end || end == value)
			return -EINVAL;
		fc->confidence_min = v;
		return 0;
	}
	if (!strcmp(key, "country")) /* a core that refuses FR: its error is passed on */
		return strcmp(value, "DE") && strcmp(value, "US") && strcmp(value, "00") ? -EINVAL
											 : 0;
	return -ENOENT;
}

static const char *fake_expect(const char *key)
{
	return strcmp(key, "cooldown_s") ? NULL : "an integer 0..3600";
}

static int accept_all(void *ctx, const char *key, const char *value)
{
	(void)ctx;
	(void)key;
	(void)value;
	return 0;
}

static const struct evl_config_keys all = {accept_all, NULL, NULL};

static const char good[] = "# evld test config\n"
			   "country = DE\n"
			   "\n"
			   "   # indented comment\n"
			   "state_dir=/tmp/evl-state\n"
			   "ctl_socket=/tmp/evl.sock\n"
			   "ctl_socket_mode=0640\n"
			   "ctl_socket_group=root\n"
			   "audit_durability=64\n"
			   "metrics_file=/tmp/evl.prom\n"
			   "metrics_interval_s=10\n"
			   "cooldown_s = 30\r\n"
			   "interface=wlan0\n"
			   "actuator=sim\n"
			   "band=5g\n"
			   "channel=52\n"
			   "bandwidth=80\n"
			   "tx_power=23\n"
			   "interface=wlan1\n"
			   "actuator=hostapd\n"
			   "chanlist = 36-48 100,52\n"
			   "radar_cs_count=3\n"
			   "survey_interval_ms=500\n"
			   "interface=mesh0\n"
			   "actuator=nl80211\n";

START_TEST(test_good_file)
{
	struct fake_core fc = {0};
	struct evl_config_keys fk = {fake_set, fake_expect, &fc};
	struct evl_config c;
	const struct evl_config_iface *i;
	char err[EVL_CONFIG_ERR_MAX];

	ck_assert_int_eq(evl_config_parse("t.conf", good, &fk, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(c.country, "DE");
	ck_assert_str_eq(c.state_dir, "/tmp/evl-state");
	ck_assert_str_eq(c.ctl_socket, "/tmp/evl.sock");
	ck_assert_uint_eq(c.ctl_socket_mode, 0640);
	ck_assert_uint_eq(c.ctl_socket_gid, 0);
	ck_assert_int_eq(c.durability, EVL_CONFIG_DUR_EVERY);
	ck_assert_uint_eq(c.audit_sync_every, 64);
	ck_assert_str_eq(c.metrics_file, "/tmp/evl.prom");
	ck_assert_uint_eq(c.metrics_interval_s, 10);
	ck_assert_uint_eq(c.survey_interval_ms, 500);
	/* defaults kept for what the file does not say */
	ck_assert_str_eq(c.hostapd_ctrl_dir, "/var/run/hostapd");
	ck_assert_str_eq(c.bpf_pin_dir, "/sys/fs/bpf/evl");
	ck_assert_str_eq(c.user, "");
	ck_assert_int_eq(fc.cooldown_s, 30);

	ck_assert_uint_eq(c.n_ifaces, 3);
	i = evl_config_iface_find(&c, "wlan0");
	ck_assert_ptr_nonnull(i);
	ck_assert_int_eq(i->actuator, EVL_CONFIG_ACT_SIM);
	ck_assert_int_eq(i->band, EVL_BAND_5G);
	ck_assert_int_eq(i->channel, 52);
	ck_assert_int_eq(i->bandwidth, 80);
	ck_assert_int_eq(i->tx_power, 23);
	ck_assert_int_eq(evl_config_iface_find(&c, "wlan1")->actuator, EVL_CONFIG_ACT_HOSTAPD);
	{
		int ch[255], n = evl_config_chanlist(evl_config_iface_find(&c, "wlan1"), ch);

		ck_assert_int_eq(n, 15); /* 36..48, 52, 100: hostapd's ranges are inclusive */
		ck_assert_int_eq(ch[0], 36);
		ck_assert_int_eq(ch[12], 48);
		ck_assert_int_eq(ch[13], 52);
		ck_assert_int_eq(ch[14], 100);
		ck_assert_int_eq(evl_config_chanlist(i, ch), 0); /* none given: every channel */
	}
	ck_assert_uint_eq(c.radar_cs_count, 3);
	ck_assert_uint_eq(c.cs_count, 10);
	ck_assert_int_eq(evl_config_iface_find(&c, "mesh0")->actuator, EVL_CONFIG_ACT_NL80211);
	ck_assert_ptr_null(evl_config_iface_find(&c, "wlan9"));
	ck_assert_str_eq(evl_config_actuator_name(EVL_CONFIG_ACT_NL80211), "nl80211");
}
END_TEST

START_TEST(test_empty_is_defaults)
{
	struct evl_config c, d;
	char err[EVL_CONFIG_ERR_MAX];

	evl_config_defaults(&d);
	memset(&c, 0xa5, sizeof(c));
	ck_assert_int_eq(evl_config_parse("e.conf", "", NULL, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(memcmp(&c, &d, sizeof(c)), 0);
	ck_assert_uint_eq(c.ctl_socket_mode, 0660);
	ck_assert_int_eq(c.durability, EVL_CONFIG_DUR_EACH);
}
END_TEST

/* Each bad file: expected errno and the text the message must contain. */
static const struct {
	const char *text;
	int rc;
	const char *msg;
} bad[] = {
	{"country=DE\nfoo=bar\n", -ENOENT, "b.conf:2: foo: unknown key"},
	{"interface=wlan0\nchanlist=36-x\n", -EINVAL,
	 "b.conf:2: chanlist: '36-x' is not a channel list"},
	{"interface=wlan0\nchanlist=48-36\n", -EINVAL, "b.conf:2: chanlist: '48-36' is not"},
	{"chanlist=36\n", -EINVAL, "b.conf:1: chanlist: per-interface key before"},
	{"radar_cs_count=0\n", -ERANGE, "b.conf:1: radar_cs_count: '0' is not a number in 1..255"},
	{"cooldown_s=-5\n", -ERANGE,
	 "b.conf:1: cooldown_s: value '-5': expected an integer 0..3600"},
	{"cooldown_s=soon\n", -EINVAL, "b.conf:1: cooldown_s: invalid value 'soon': expected an"},
	{"confidence_min=1e999x\n", -EINVAL,
	 "confidence_min: invalid value '1e999x' (Invalid argument)"},
	{"country=FR\n", -EINVAL, "b.conf:1: country: invalid value 'FR'"},
	{"just words\n", -EINVAL, "b.conf:1: expected key=value"},
	{"=5\n", -EINVAL, "b.conf:1: empty key"},
	{"country=Germany\n", -EINVAL, "b.conf:1: country: 'Germany' is not a country code"},
	{"\n\nmetrics_interval_s=0\n", -ERANGE, "b.conf:3: metrics_interval_s: '0' is not"},
	{"metrics_interval_s=5s\n", -EINVAL, "b.conf:1: metrics_interval_s: '5s' is not"},
	{"survey_interval_ms=99999999999999999999\n", -ERANGE, "survey_interval_ms"},
	{"ctl_socket_mode=0999\n", -EINVAL, "ctl_socket_mode: '0999' is not an octal mode"},
	{"ctl_socket_mode=01777\n", -ERANGE, "ctl_socket_mode"},
	{"ctl_socket_group=no-such-group-evl\n", -ENOENT, "no such group 'no-such-group-evl'"},
	{"user=no-such-user-evl\n", -ENOENT, "user: no such user 'no-such-user-evl'"},
	{"audit_durability=sometimes\n", -EINVAL, "audit_durability: 'sometimes' is not"},
	{"state_dir=\n", -EINVAL, "state_dir: empty value"},
	{"ctl_socket=/"
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	 -ENAMETOOLONG, "ctl_socket: value longer than 107 bytes"},
	{"channel=36\n", -EINVAL, "b.conf:1: channel: per-interface key before the first"},
	{"interface=wlan0\ninterface=wlan0\n", -EEXIST, "b.conf:2: interface: interface 'wlan0'"},
	{"interface=wlan0/../x\n", -EINVAL, "is not an interface name"},
	{"interface=averyveryverylongname\n", -EINVAL, "is not an interface name"},
	{"interface=w\nactuator=magic\n", -EINVAL, "b.conf:2: actuator: 'magic' is not"},
	{"interface=w\nband=7g\n", -EINVAL, "band: '7g' is not 2g, 5g or 6g"},
	{"interface=w\nbandwidth=30\n", -EINVAL, "bandwidth: '30' is not 20, 40, 80 or 160"},
	{"interface=w\nchannel=0\n", -ERANGE, "channel: '0' is not a number in 1..233"},
	{"interface=w\ntx_power=99\n", -ERANGE, "tx_power: '99' is not"},
	{"interface=w\nactuator=sim\nband=2g\nchannel=36\n", -EINVAL,
	 "b.conf: interface w: channel 36 / bandwidth 20 does not fit band 2g"},
};

START_TEST(test_bad_file)
{
	struct fake_core fc = {0};
	struct evl_config_keys fk = {fake_set, fake_expect, &fc};
	struct evl_config c, before;
	char err[EVL_CONFIG_ERR_MAX];

	memset(&c, 0x5a, sizeof(c));
	before = c;
	ck_assert_int_eq(evl_config_parse("b.conf", bad[_i].text, &fk, &c, err, sizeof(err)),
			 bad[_i].rc);
	ck_assert_msg(strstr(err, bad[_i].msg), "case %d: got '%s', want '%s'", _i, err,
		      bad[_i].msg);
	/* all-or-nothing: the output is untouched */
	ck_assert_int_eq(memcmp(&c, &before, sizeof(c)), 0);
}
END_TEST

START_TEST(test_long_line)
{
	char *text = malloc(EVL_CONFIG_LINE_MAX + 64);
	struct evl_config c;
	char err[EVL_CONFIG_ERR_MAX];

	strcpy(text, "country=DE\nstate_dir=/");
	memset(text + strlen(text), 'x', EVL_CONFIG_LINE_MAX);
	text[EVL_CONFIG_LINE_MAX + 20] = 0;
	ck_assert_int_eq(evl_config_parse("l.conf", text, NULL, &c, err, sizeof(err)), -E2BIG);
	ck_assert_ptr_nonnull(strstr(err, "l.conf:2: line longer than"));
	free(text);
}
END_TEST

static void write_file(const char *path, const void *buf, size_t n)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_load_file)
{
	char dir[] = "/tmp/evl-config-XXXXXX", path[64];
	struct fake_core fc = {0};
	struct evl_config_keys fk = {fake_set, fake_expect, &fc};
	struct evl_config c;
	char err[EVL_CONFIG_ERR_MAX], text[16384];
	size_t n;
	FILE *f;
	int rc;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/evld.conf", dir);

	/* missing file */
	ck_assert_int_eq(evl_config_load(path, &fk, &c, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "cannot open"));
	ck_assert_ptr_nonnull(strstr(err, path));

	write_file(path, good, strlen(good));
	ck_assert_int_eq(evl_config_load(path, &fk, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.n_ifaces, 3);

	/* binary junk is refused with a clear message and leaves c as it was */
	write_file(path, "country=US\0\1\2", 13);
	ck_assert_int_eq(evl_config_load(path, &fk, &c, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a config file"));
	ck_assert_str_eq(c.country, "DE");

	/*
	 * The shipped example parses in full (make check runs from the repository root), with
	 * the evl user and group, which a build machine may lack, swapped for root.
	 */
	ck_assert_int_eq(evl_config_load("examples/evld.conf", &all, &c, err, sizeof(err)) == 0 ||
				 strstr(err, "'evl'"),
			 1);
	f = fopen("examples/evld.conf", "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	for (char *e; (e = strstr(text, "=evl\n"));)
		memcpy(e, "=0  ", 4); /* uid/gid 0 */
	rc = evl_config_parse("examples/evld.conf", text, &all, &c, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_str_eq(c.country, "DE");
	ck_assert_uint_eq(c.n_ifaces, 1);
	ck_assert_uint_eq(c.ctl_socket_mode, 0660);
	ck_assert_str_eq(c.user, "root");
	unlink(path);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_good_file);
	tcase_add_test(tc, test_empty_is_defaults);
	tcase_add_loop_test(tc, test_bad_file, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_load_file);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
