// SPDX-License-Identifier: GPL-2.0
/*
 * evl-bench as a user runs it: bad options are refused naming the option; as root, a short
 * run prints one well-formed JSON object whose figures are consistent with each other
 * (records + drops = records sent, quantiles ordered, the histogram holds every record).
 * No figure is compared with a target here: that is the benchmark's job, not a test's.
 */
#include <check.h>
#include "../lib/check_run.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#define EVENTS 2000

static const char *bench_path(void)
{
	const char *p = getenv("EVL_BENCH");

	return p ? p : "build/bin/evl-bench";
}

/* Run evl-bench with args; stdout (and stderr with err_too) into buf; returns exit status. */
static int run(const char *args, bool err_too, char *buf, size_t len)
{
	char cmd[512];
	size_t n = 0, r;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s%s", bench_path(), args, err_too ? " 2>&1" : "");
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	while (n + 1 < len && (r = fread(buf + n, 1, len - 1 - n, f)) > 0)
		n += r;
	buf[n] = 0;
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static json_object *get(json_object *o, const char *path)
{
	char key[64], *save = NULL, *k;
	json_object *v = o;

	snprintf(key, sizeof(key), "%s", path);
	for (k = strtok_r(key, ".", &save); k; k = strtok_r(NULL, ".", &save))
		ck_assert_msg(json_object_object_get_ex(v, k, &v), "no field %s in the JSON", path);
	return v;
}

static int64_t num(json_object *o, const char *path)
{
	return json_object_get_int64(get(o, path));
}

START_TEST(bad_options_named)
{
	static char out[4096];

	ck_assert_int_eq(run("--events lots", true, out, sizeof(out)), 2);
	ck_assert_msg(strstr(out, "--events") && strstr(out, "lots"), "got: %s", out);
	ck_assert_int_eq(run("--rate -5", true, out, sizeof(out)), 2);
	ck_assert_msg(strstr(out, "--rate"), "got: %s", out);
	ck_assert_int_eq(run("--events 10", true, out, sizeof(out)), 2); /* below 1000 */
	ck_assert_int_eq(run("extra", true, out, sizeof(out)), 2);
	ck_assert_msg(strstr(out, "unexpected argument 'extra'"), "got: %s", out);
}
END_TEST

START_TEST(json_run)
{
	static char out[1 << 16];
	const char *tr[] = {"ringbuf", "perfbuf"};
	json_object *o, *h, *steps;
	char path[64];
	int64_t sum;
	size_t i, k;

	if (geteuid() != 0) {
		printf("SKIP: evl-bench needs root (BPF programs, BPF_ENABLE_STATS)\n");
		return;
	}
	ck_assert_int_eq(run("--events 2000 --rate 20000 --json", false, out, sizeof(out)), 0);
	o = json_tokener_parse(out);
	ck_assert_msg(o && json_object_is_type(o, json_type_object), "not one JSON object: %s",
		      out);
	ck_assert_int_eq(num(o, "events"), EVENTS);
	ck_assert_int_gt(num(o, "machine.cpus"), 0);
	ck_assert_int_eq(num(o, "detector.frames"), EVENTS);
	ck_assert(json_object_get_double(get(o, "detector.empty_ns")) > 0);
	ck_assert(json_object_get_double(get(o, "detector.detector_prog_ns")) >
		  json_object_get_double(get(o, "detector.empty_ns")));
	for (k = 0; k < 2; k++) {
#define P(f) (snprintf(path, sizeof(path), "latency.%s.%s", tr[k], f), path)
		ck_assert_int_eq(num(o, P("records")) + num(o, P("drops")), EVENTS);
		ck_assert_int_gt(num(o, P("records")), 0);
		ck_assert_int_le(num(o, P("p50_ns")), num(o, P("p99_ns")));
		ck_assert_int_le(num(o, P("p99_ns")), num(o, P("p999_ns")));
		ck_assert_int_le(num(o, P("p999_ns")), num(o, P("max_ns")));
		ck_assert_int_gt(num(o, P("p50_ns")), 0);
		h = get(o, P("hist_log2_ns"));
		ck_assert_int_eq(json_object_array_length(h), 32);
		for (i = 0, sum = 0; i < 32; i++)
			sum += json_object_get_int64(json_object_array_get_idx(h, i));
		ck_assert_int_eq(sum, num(o, P("records")));
#undef P
		snprintf(path, sizeof(path), "throughput.%s.steps", tr[k]);
		steps = get(o, path);
		ck_assert_int_gt(json_object_array_length(steps), 0);
	}
	get(o, "latency.p99_ratio_perf_over_ring");
	get(o, "latency.cpu_ratio_perf_over_ring");
	json_object_put(o);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("evl-bench");
	TCase *tc = tcase_create("cli");
	int failed;

	if (access(bench_path(), X_OK)) {
		printf("FAIL: %s not built\n", bench_path());
		return 1;
	}
	tcase_add_test(tc, bad_options_named);
	tcase_add_test(tc, json_run);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	failed = evl_check_run(s);
	if (!failed && geteuid() != 0) {
		printf("SKIP: the JSON run of evl-bench needs root\n");
		return 77;
	}
	return failed ? 1 : 0;
}
