// SPDX-License-Identifier: GPL-2.0
/* Daemon support without privileges: atomic replace, file reads, dirs, Prometheus text. */
#include <check.h>
#include "../lib/check_run.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <evl/metrics.h>
#include <evl/sys.h>

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/evl-sys-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int n_entries(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(dp);
	while ((e = readdir(dp)))
		n += e->d_name[0] != '.';
	closedir(dp);
	return n;
}

START_TEST(test_write_atomic)
{
	char path[128], *buf;
	struct stat st;
	size_t len;
	mode_t old = umask(077);

	snprintf(path, sizeof(path), "%s/state.json", dir);
	ck_assert_int_eq(evl_sys_write_atomic(path, "{\"v\":1}", 7, 0640), 0);
	ck_assert_int_eq(evl_sys_read_file(path, 1024, &buf, &len), 0);
	ck_assert_str_eq(buf, "{\"v\":1}");
	ck_assert_uint_eq(len, 7);
	free(buf);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0640); /* the mode asked for, not the umask's */
	umask(old);

	/* replace: readers see the new content whole, no temp file stays behind */
	ck_assert_int_eq(evl_sys_write_atomic(path, "{\"v\":2,\"x\":[]}", 14, 0600), 0);
	ck_assert_int_eq(evl_sys_read_file(path, 1024, &buf, NULL), 0);
	ck_assert_str_eq(buf, "{\"v\":2,\"x\":[]}");
	free(buf);
	ck_assert_int_eq(n_entries(dir), 1);

	/* a corrupt file moved aside keeps its content under a new name */
	char aside[256];

	ck_assert_int_eq(evl_sys_move_aside(path, aside, sizeof(aside)), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_ptr_nonnull(strstr(aside, "/state.json.bad."));
	ck_assert_int_eq(evl_sys_read_file(aside, 1024, &buf, NULL), 0);
	ck_assert_str_eq(buf, "{\"v\":2,\"x\":[]}");
	free(buf);
	ck_assert_int_eq(evl_sys_move_aside(path, aside, sizeof(aside)), -ENOENT);
	unlink(aside);

	/* empty content is a valid file */
	ck_assert_int_eq(evl_sys_write_atomic(path, "", 0, 0600), 0);
	ck_assert_int_eq(evl_sys_read_file(path, 1024, &buf, &len), 0);
	ck_assert_uint_eq(len, 0);
	free(buf);
}
END_TEST

START_TEST(test_write_atomic_errors)
{
	char path[128], sub[128], *buf;

	/* missing directory: error, nothing created */
	snprintf(path, sizeof(path), "%s/nodir/state.json", dir);
	ck_assert_int_eq(evl_sys_write_atomic(path, "x", 1, 0600), -ENOENT);

	/* target is a directory: rename fails, the old "file" and no temp remain */
	snprintf(sub, sizeof(sub), "%s/isdir", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	ck_assert_int_eq(evl_sys_write_atomic(sub, "x", 1, 0600), -EISDIR);
	ck_assert_int_eq(n_entries(dir), 1);

	/* reads: missing, too big, not a regular file */
	snprintf(path, sizeof(path), "%s/big", dir);
	ck_assert_int_eq(evl_sys_read_file(path, 10, &buf, NULL), -ENOENT);
	ck_assert_int_eq(evl_sys_write_atomic(path, "0123456789A", 11, 0600), 0);
	ck_assert_int_eq(evl_sys_read_file(path, 10, &buf, NULL), -EFBIG);
	ck_assert_ptr_null(buf);
	ck_assert_int_eq(evl_sys_read_file(sub, 10, &buf, NULL), -EINVAL);
	ck_assert_int_eq(evl_sys_read_file(path, 11, &buf, NULL), 0);
	free(buf);
}
END_TEST

/* sysfs attributes report st_size 4096: a short one must still be readable with a small max */
START_TEST(test_read_sysfs)
{
	char *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(evl_sys_read_file("/sys/class/net/lo/address", 64, &buf, &len), 0);
	ck_assert_str_eq(buf, "00:00:00:00:00:00\n");
	ck_assert_uint_eq(len, 18);
	free(buf);
}
END_TEST

START_TEST(test_prepare_dir)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	ck_assert_int_eq(evl_sys_prepare_dir(path, 0750, (uid_t)-1, (gid_t)-1), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(evl_sys_prepare_dir(path, 0750, (uid_t)-1, (gid_t)-1), 0); /* again */
	snprintf(path, sizeof(path), "%s/a/file", dir);
	close(creat(path, 0600));
	snprintf(path, sizeof(path), "%s/a/file/sub", dir);
	ck_assert_int_eq(evl_sys_prepare_dir(path, 0750, (uid_t)-1, (gid_t)-1), -ENOTDIR);
}
END_TEST

START_TEST(test_prom_text)
{
	struct evl_prom *p = evl_prom_new();
	struct evl_prom_label ty[] = {{"type", "dfs_radar"}};
	struct evl_prom_label weird[] = {{"ap", "a\"b\\c\nd"}};
	struct evl_prom_label ifc[] = {{"interface", "wlan0"}};
	const double le[] = {100, 1000, 10000};
	const uint64_t counts[] = {2, 3, 0, 1};
	const char *want = "# HELP evl_events_total Events received, by type.\n"
			   "# TYPE evl_events_total counter\n"
			   "evl_events_total{type=\"dfs_radar\"} 3\n"
			   "evl_events_total{ap=\"a\\\"b\\\\c\\nd\"} 1\n"
			   "# HELP evl_per Packet error rate\\nper interface.\n"
			   "# TYPE evl_per gauge\n"
			   "evl_per{interface=\"wlan0\"} 0.125\n"
			   "evl_per NaN\n"
			   "# HELP evl_detect_to_action_us Latency.\n"
			   "# TYPE evl_detect_to_action_us histogram\n"
			   "evl_detect_to_action_us_bucket{interface=\"wlan0\",le=\"100\"} 2\n"
			   "evl_detect_to_action_us_bucket{interface=\"wlan0\",le=\"1000\"} 5\n"
			   "evl_detect_to_action_us_bucket{interface=\"wlan0\",le=\"10000\"} 5\n"
			   "evl_detect_to_action_us_bucket{interface=\"wlan0\",le=\"+Inf\"} 6\n"
			   "evl_detect_to_action_us_sum{interface=\"wlan0\"} 25000\n"
			   "evl_detect_to_action_us_count{interface=\"wlan0\"} 6\n";
	char path[128], *buf;
	struct stat st;

	ck_assert_int_eq(
		evl_prom_family(p, "evl_events_total", "counter", "Events received, by type."), 0);
	ck_assert_int_eq(evl_prom_sample(p, "evl_events_total", ty, 1, 3), 0);
	ck_assert_int_eq(evl_prom_sample(p, "evl_events_total", weird, 1, 1), 0);
	ck_assert_int_eq(
		evl_prom_family(p, "evl_per", "gauge", "Packet error rate\nper interface."), 0);
	ck_assert_int_eq(evl_prom_sample(p, "evl_per", ifc, 1, 0.125), 0);
	ck_assert_int_eq(evl_prom_sample(p, "evl_per", NULL, 0, 0.0 / 0.0), 0);
	ck_assert_int_eq(evl_prom_family(p, "evl_detect_to_action_us", "histogram", "Latency."), 0);
	ck_assert_int_eq(
		evl_prom_histogram(p, "evl_detect_to_action_us", ifc, 1, le, counts, 3, 25000), 0);

	/* refused, and nothing of them reaches the text */
	ck_assert_int_eq(evl_prom_sample(p, "evl_events_total", ty, 1, 1),
			 -EINVAL); /* not current */
	ck_assert_int_eq(evl_prom_family(p, "evl_per", "gauge", ""), -EEXIST);
	ck_assert_int_eq(evl_prom_family(p, "9lives", "gauge", ""), -EINVAL);
	ck_assert_int_eq(evl_prom_family(p, "evl_x", "summary", ""), -EINVAL);
	ck_assert_int_eq(evl_prom_family(p, "evl-x", "gauge", ""), -EINVAL);
	ck_assert_int_eq(evl_prom_family(p, "evl_bad", "gauge", "x"), 0);
	ck_assert_int_eq(
		evl_prom_sample(p, "evl_bad", (struct evl_prom_label[]){{"a b", "x"}}, 1, 1),
		-EINVAL);
	ck_assert_int_eq(
		evl_prom_sample(p, "evl_bad", (struct evl_prom_label[]){{"le", "x"}}, 1, 1),
		-EINVAL);
	ck_assert_int_eq(evl_prom_histogram(p, "evl_bad", NULL, 0, le, counts, 3, 1), -EINVAL);
	const char *text = evl_prom_text(p, NULL);

	ck_assert_int_eq(strncmp(text, want, strlen(want)), 0);
	ck_assert_str_eq(text + strlen(want), "# HELP evl_bad x\n# TYPE evl_bad gauge\n");

	snprintf(path, sizeof(path), "%s/evl.prom", dir);
	ck_assert_int_eq(evl_prom_write(p, path), 0);
	ck_assert_int_eq(evl_sys_read_file(path, 1 << 16, &buf, NULL), 0);
	ck_assert_str_eq(buf, text);
	free(buf);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);

	/* next interval: reset starts over, the same families may be declared again */
	evl_prom_reset(p);
	ck_assert_str_eq(evl_prom_text(p, NULL), "");
	ck_assert_int_eq(evl_prom_family(p, "evl_per", "gauge", "again"), 0);
	evl_prom_free(p);
	evl_prom_free(NULL);
}
END_TEST

START_TEST(test_prom_histogram_bounds)
{
	struct evl_prom *p = evl_prom_new();
	const double le[] = {10, 10};
	const uint64_t c[] = {1, 1, 1};

	ck_assert_int_eq(evl_prom_family(p, "evl_h", "histogram", ""), 0);
	ck_assert_int_eq(evl_prom_histogram(p, "evl_h", NULL, 0, le, c, 2, 0), -EINVAL);
	ck_assert_int_eq(evl_prom_sample(p, "evl_h", NULL, 0, 1), -EINVAL);
	ck_assert_int_eq(evl_prom_histogram(p, "evl_h", NULL, 0, le, c, 1, 0), 0);
	ck_assert_ptr_nonnull(strstr(evl_prom_text(p, NULL), "evl_h_bucket{le=\"+Inf\"} 2\n"));
	evl_prom_free(p);
}
END_TEST

START_TEST(test_caps_text)
{
	char buf[64];
	cap_value_t two[] = {CAP_NET_ADMIN, CAP_BPF};

	evl_sys_caps_text(evl_sys_run_caps, evl_sys_n_run_caps, buf, sizeof(buf));
	ck_assert_str_eq(buf, "cap_net_admin");
	evl_sys_caps_text(two, 2, buf, sizeof(buf));
	ck_assert_str_eq(buf, "cap_net_admin,cap_bpf");
	evl_sys_caps_text(two, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
}
END_TEST

/* The systemd unit must allow every capability the daemon keeps (one list, two places). */
START_TEST(test_unit_matches_caps)
{
	char *unit, *line;

	/* make check runs from the repository root */
	ck_assert_int_eq(evl_sys_read_file("user/evld/evld.service", 1 << 16, &unit, NULL), 0);
	line = strstr(unit, "\nCapabilityBoundingSet=");
	ck_assert_ptr_nonnull(line);
	*strchrnul(line + 1, '\n') = 0;
	for (size_t i = 0; i < evl_sys_n_run_caps; i++) {
		char *name = cap_to_name(evl_sys_run_caps[i]), *up = strdup(name);

		for (char *c = up; *c; c++)
			*c = *c >= 'a' && *c <= 'z' ? *c - 32 : *c;
		ck_assert_msg(strstr(line, up), "%s missing from the unit's %s", up, line + 1);
		free(up);
		cap_free(name);
	}
	free(unit);
}
END_TEST

START_TEST(test_metrics_render)
{
	const struct evl_metrics_count ev[] = {{"dfs_radar", 2}, {"non_wifi_burst", 5}};
	const struct evl_metrics_count act[] = {{"success", 6}, {"failed", 1}};
	const struct evl_metrics_iface ifc[] = {{"wlan0", 0.05, 0.125, 0.5, 36, 12, 3, 1875.5, 4, 1}};
	struct evl_metrics_snapshot m = {.events = ev,
					 .n_events = 2,
					 .actions = act,
					 .n_actions = 2,
					 .rollbacks_automatic = 1,
					 .rollbacks_manual = 2,
					 .active_tokens = 3,
					 .ringbuf_drops = 4,
					 .ifaces = ifc,
					 .n_ifaces = 1,
					 .start_time_s = 1764818821};
	struct evl_prom *p = evl_prom_new();
	const char *t;

	evl_metrics_hist_add(&m.detect_to_action, 40);	/* <= 50 */
	evl_metrics_hist_add(&m.detect_to_action, 50);	/* <= 50 */
	evl_metrics_hist_add(&m.detect_to_action, 900); /* <= 1000 */
	evl_metrics_hist_add(&m.detect_to_action, 9e6); /* +Inf */
	ck_assert_int_eq(evl_metrics_render(p, &m), 0);
	t = evl_prom_text(p, NULL);
	ck_assert_ptr_nonnull(strstr(t, "evl_events_total{type=\"dfs_radar\"} 2\n"
					"evl_events_total{type=\"non_wifi_burst\"} 5\n"));
	ck_assert_ptr_nonnull(strstr(t, "evl_actions_total{status=\"failed\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE evl_rejected_total counter\n# HELP"));
	ck_assert_ptr_nonnull(strstr(t, "evl_rollbacks_total{kind=\"automatic\"} 1\n"
					"evl_rollbacks_total{kind=\"manual\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(t, "evl_active_tokens 3\n"));
	ck_assert_ptr_nonnull(strstr(t, "evl_ringbuf_drops_total 4\n"));
	ck_assert_ptr_nonnull(strstr(t,
				     "evl_detect_to_action_microseconds_bucket{le=\"50\"} 2\n"
				     "evl_detect_to_action_microseconds_bucket{le=\"100\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(t, "_bucket{le=\"1000\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(t, "_bucket{le=\"+Inf\"} 4\n"
					"evl_detect_to_action_microseconds_sum 9000990\n"
					"evl_detect_to_action_microseconds_count 4\n"));
	ck_assert_ptr_nonnull(strstr(t, "evl_interface_retry_ratio{interface=\"wlan0\"} 0.125\n"));
	ck_assert_ptr_nonnull(strstr(t, "evl_interface_stations{interface=\"wlan0\"} 12\n"));
	ck_assert_ptr_nonnull(strstr(t,
				     "# TYPE evl_interface_hw_restarts_total counter\n"
				     "evl_interface_hw_restarts_total{interface=\"wlan0\"} 4\n"));
	ck_assert_ptr_nonnull(strstr(t, "evl_interface_hw_failover{interface=\"wlan0\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "evl_start_time_seconds 1764818821\n"));
	ck_assert_ptr_nonnull(strstr(t, "evl_interface_scans{interface=\"wlan0\"} 3\n"));
	ck_assert_ptr_nonnull(
		strstr(t, "evl_interface_scan_offchannel_ms{interface=\"wlan0\"} 1875.5\n"));
	/* rendering twice into the same builder is refused: families are unique */
	ck_assert_int_eq(evl_metrics_render(p, &m), -EEXIST);
	evl_prom_reset(p);
	ck_assert_int_eq(evl_metrics_render(p, &m), 0);
	evl_prom_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sys");
	TCase *tc = tcase_create("sys");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_atomic);
	tcase_add_test(tc, test_write_atomic_errors);
	tcase_add_test(tc, test_prepare_dir);
	tcase_add_test(tc, test_read_sysfs);
	tcase_add_test(tc, test_prom_text);
	tcase_add_test(tc, test_prom_histogram_bounds);
	tcase_add_test(tc, test_metrics_render);
	tcase_add_test(tc, test_caps_text);
	tcase_add_test(tc, test_unit_matches_caps);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
