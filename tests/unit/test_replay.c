// SPDX-License-Identifier: GPL-2.0
/* evl-replay --json on each shipped example gives the outcome the README describes. */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>

#include "evl/audit.h"

#define BIN "build/bin/evl-replay"

static json_object *root;

/* Run the tool; returns its exit status, stdout in *out (malloc'd). */
static int run_tool(const char *args, char **out)
{
	char cmd[512], buf[4096];
	size_t len = 0, n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>/dev/null", BIN, args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	*out = calloc(1, 1);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		*out = realloc(*out, len + n + 1);
		memcpy(*out + len, buf, n);
		len += n;
		(*out)[len] = 0;
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void replay(const char *example)
{
	char args[256], *out;

	snprintf(args, sizeof(args), "examples/%s.jsonl --json", example);
	ck_assert_int_eq(run_tool(args, &out), 0);
	root = json_tokener_parse(out);
	free(out);
	ck_assert_ptr_nonnull(root);
}

/* Value at a path like "aps.0.channel". */
static json_object *at(const char *path)
{
	char buf[128], *save, *tok;
	json_object *o = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(tok));
		else if (!json_object_object_get_ex(o, tok, &o))
			o = NULL;
	}
	ck_assert_msg(o != NULL, "no %s", path);
	return o;
}

static int64_t num(const char *path)
{
	return json_object_get_int64(at(path));
}

static const char *str(const char *path)
{
	return json_object_get_string(at(path));
}

static size_t len(const char *path)
{
	return json_object_array_length(at(path));
}

static void done(void)
{
	json_object_put(root);
	root = NULL;
}

START_TEST(dfs_radar)
{
	replay("dfs_radar");
	ck_assert_int_eq(num("aps.0.channel"), 40);
	ck_assert_int_eq(num("aps.0.bandwidth"), 80);
	ck_assert_uint_eq(len("actions"), 1);
	ck_assert_int_eq(num("actions.0.from"), 52);
	ck_assert_int_eq(num("actions.0.to"), 40);
	ck_assert_str_eq(str("actions.0.status"), "success");
	ck_assert_int_eq(num("stats.tokens_active"), 1);
	ck_assert_uint_eq(len("nop"), 4);
	ck_assert_int_eq(num("nop.0.until"), 1900);
	ck_assert_uint_eq(len("rollbacks"), 0);
	done();
}
END_TEST

/* FR has no built-in plan: the kernel's (a plan line) steers the radar move to 36-48, which
 * allow the AP's power better than 149-165 (25 mW); 144 is disabled. */
START_TEST(kernel_plan)
{
	replay("kernel_plan");
	ck_assert_uint_eq(len("actions"), 1);
	ck_assert_int_eq(num("actions.0.from"), 100);
	ck_assert_int_ge(num("actions.0.to"), 36);
	ck_assert_int_le(num("actions.0.to"), 48);
	ck_assert_str_eq(str("actions.0.status"), "success");
	done();
}
END_TEST

START_TEST(non_wifi_burst)
{
	replay("non_wifi_burst");
	ck_assert_int_eq(num("actions.0.to"), 11);
	ck_assert_str_eq(str("rollbacks.0.reason"), "retry_rise");
	ck_assert(json_object_get_boolean(at("rollbacks.0.automatic")));
	ck_assert_int_eq(num("rollbacks.0.t"), 80);
	ck_assert_int_eq(num("rollbacks.0.restored.channel"), 6);
	ck_assert_int_eq(num("aps.0.channel"), 6);
	ck_assert_int_eq(num("stats.rollbacks_automatic"), 1);
	done();
}
END_TEST

/* Scan reports steer the radar move (to 48, the one channel without neighbours) and say why;
 * 2700 s after they were measured they are unknown again and no longer steer. */
START_TEST(scan_select)
{
	int64_t to;

	replay("scan_select");
	ck_assert_int_eq(num("actions.0.to"), 48);
	ck_assert_int_eq(num("actions.0.selection.chosen.channel"), 48);
	ck_assert(!json_object_get_boolean(at("actions.0.selection.chosen.cac")));
	ck_assert_int_eq(num("actions.0.selection.runner_up.channel"), 36);
	ck_assert(json_object_get_double(at("actions.0.selection.chosen.score")) >
		  json_object_get_double(at("actions.0.selection.runner_up.score")) + 0.1);
	/* decayed: the neighbours' term is full again on every channel */
	to = num("actions.1.to");
	ck_assert(to == 36 || to == 40 || to == 44);
	ck_assert(json_object_get_double(at("actions.1.selection.chosen.neighbors")) > 0.29);
	done();
}
END_TEST

START_TEST(spectrum_sat)
{
	replay("spectrum_sat");
	ck_assert_uint_eq(len("actions"), 2);
	ck_assert_int_eq(num("actions.1.t"), 110); /* held by the 10 s cooldown */
	ck_assert_int_eq(num("aps.0.obss_pd"), -74);
	ck_assert_str_eq(str("tokens_expired.0.reason"), "superseded");
	ck_assert_str_eq(str("tokens_expired.1.reason"), "window_ended");
	ck_assert_int_eq(num("tokens_expired.1.t"), 710);
	ck_assert_int_eq(num("stats.tokens_active"), 0);
	done();
}
END_TEST

START_TEST(density_spike)
{
	replay("density_spike");
	ck_assert_str_eq(str("actions.0.param"), "max_sta");
	ck_assert_int_eq(num("actions.0.to"), 32);
	ck_assert_str_eq(str("rollbacks.0.reason"), "spike_ended");
	ck_assert_int_eq(num("aps.0.max_sta"), 0);
	ck_assert_int_eq(num("stats.rollbacks_triggered"), 0);
	done();
}
END_TEST

/* eBPF, its chandef, nl80211 and hostapd report one radar: one event, one move. A later
 * report without a channel, once the AP sits on a non-DFS channel, is not its radar. */
START_TEST(radar_dedup)
{
	replay("radar_dedup");
	ck_assert_int_eq(num("stats.events_processed"), 1);
	ck_assert_int_eq(len("actions"), 1);
	ck_assert_int_eq(num("actions.0.from"), 52);
	ck_assert_int_eq(num("stats.events_rejected"), 0);
	done();
}
END_TEST

/* Churn: a spike at the limit (30), not ended at 20 (above half), ended at 15; a burst
 * verdict that lasts makes one event, not one per survey. */
START_TEST(station_churn)
{
	replay("station_churn");
	ck_assert_int_eq(num("stats.events_processed"), 3);
	ck_assert_int_eq(num("actions.0.t"), 20);
	ck_assert_str_eq(str("actions.0.param"), "max_sta");
	ck_assert_int_eq(num("rollbacks.0.t"), 150);
	ck_assert_str_eq(str("rollbacks.0.reason"), "spike_ended");
	ck_assert_int_eq(num("actions.1.t"), 160);
	ck_assert_int_eq(len("actions"), 2);
	done();
}
END_TEST

START_TEST(hw_failure)
{
	/* an asserted failure: failover at once, no token, brought back after the first wait */
	replay("hw_failure");
	ck_assert_str_eq(str("rejected.0.event"), "hw_weak");
	ck_assert_str_eq(str("rejected.0.reason"), "low_confidence");
	ck_assert_uint_eq(len("actions"), 2);
	ck_assert_str_eq(str("actions.0.type"), "failover");
	ck_assert_str_eq(str("actions.0.param"), "state");
	ck_assert_int_eq(num("actions.0.to"), 1); /* disabled */
	ck_assert_int_eq(num("actions.0.t"), 6);
	ck_assert_str_eq(str("actions.1.reason"), "backoff_retry");
	ck_assert_int_eq(num("actions.1.to"), 0); /* up */
	ck_assert_int_eq(num("actions.1.t"), 36);
	ck_assert_str_eq(str("aps.0.state"), "up");
	ck_assert_int_eq(num("stats.tokens_active"), 0);
	done();
}
END_TEST

/* The note at @i has this type, status and reason. */
static void note_is(int i, const char *type, const char *status, const char *reason)
{
	char p[64];

	snprintf(p, sizeof(p), "notes.%d.type", i);
	ck_assert_str_eq(str(p), type);
	snprintf(p, sizeof(p), "notes.%d.status", i);
	ck_assert_str_eq(str(p), status);
	snprintf(p, sizeof(p), "notes.%d.reason", i);
	ck_assert_str_eq(str(p), reason);
}

START_TEST(hw_restart_recovered)
{
	replay("hw_restart_recovered");
	ck_assert_uint_eq(len("notes"), 2);
	note_is(0, "hw_restart", "watching", "restart");
	note_is(1, "hw_restart", "recovered", "beaconing");
	ck_assert_int_eq(num("notes.1.t"), 11);
	ck_assert_uint_eq(len("actions"), 0); /* no DISABLE for a restart that recovered */
	ck_assert_str_eq(str("aps.0.state"), "up");
	ck_assert_str_eq(str("aps.0.hw_phase"), "idle");
	ck_assert_int_eq(num("aps.0.hw_restarts"), 1);
	ck_assert_int_eq(num("aps.0.btm_requests"), 0);
	done();
}
END_TEST

START_TEST(hw_crash_loop)
{
	replay("hw_crash_loop");
	/* two restarts recovered, the third in 600 s is a loop */
	note_is(4, "hw_restart", "watching", "restart");
	note_is(5, "hw_failure", "failover", "crash_loop");
	note_is(6, "bss_transition", "success", "btm_to_sibling");
	ck_assert_int_eq(num("aps.0.btm_requests"), 1);
	ck_assert_int_eq(num("aps.1.btm_requests"), 0);
	ck_assert_int_eq(num("aps.2.btm_requests"), 0);
	/* stop after the steering grace, back after the first wait of 30 s */
	ck_assert_uint_eq(len("actions"), 2);
	ck_assert_int_eq(num("actions.0.t"), 252);
	ck_assert_str_eq(str("actions.0.reason"), "crash_loop");
	ck_assert_int_eq(num("actions.0.to"), 1);
	ck_assert_int_eq(num("actions.1.t"), 282);
	ck_assert_int_eq(num("actions.1.to"), 0);
	note_is(7, "hw_failure", "ended", "back");
	ck_assert_str_eq(str("aps.0.state"), "up");
	ck_assert_int_eq(num("aps.0.hw_restarts"), 3);
	done();
}
END_TEST

START_TEST(hw_radio_gone)
{
	replay("hw_radio_gone");
	note_is(0, "hw_failure", "failover", "radio_gone");
	note_is(1, "bss_transition", "skipped", "radio_gone");
	/* stopped at once; attempts at 40 and 160 fail (no radio), the return tries at once */
	ck_assert_uint_eq(len("actions"), 4);
	ck_assert_int_eq(num("actions.0.t"), 10);
	ck_assert_int_eq(num("actions.0.to"), 1);
	ck_assert_int_eq(num("actions.1.t"), 40);
	ck_assert_str_eq(str("actions.1.status"), "failed");
	ck_assert_str_eq(str("actions.1.reason"), "no_device");
	ck_assert_int_eq(num("actions.2.t"), 160);
	ck_assert_str_eq(str("actions.2.status"), "failed");
	ck_assert_int_eq(num("actions.3.t"), 300);
	ck_assert_str_eq(str("actions.3.status"), "success");
	note_is(3, "hw_failure", "ended", "back");
	ck_assert_str_eq(str("aps.0.state"), "up");
	done();
}
END_TEST

START_TEST(priority_stale)
{
	replay("priority_stale");
	ck_assert_str_eq(str("actions.0.event"), "radar_1");
	ck_assert_int_eq(num("actions.0.to"), 40);
	ck_assert_str_eq(str("rejected.0.event"), "burst_1");
	ck_assert_str_eq(str("rejected.0.reason"), "stale");
	ck_assert_str_eq(str("actions.1.event"), "burst_2");
	ck_assert_int_eq(num("actions.1.t"), 20);
	done();
}
END_TEST

START_TEST(nop_refused)
{
	replay("nop_refused");
	ck_assert_str_eq(str("rollbacks_refused.0.reason"), "nop_active");
	ck_assert_int_eq(num("rollbacks_refused.0.t"), 200);
	ck_assert_str_eq(str("rollbacks.0.reason"), "manual");
	ck_assert(!json_object_get_boolean(at("rollbacks.0.automatic")));
	ck_assert_int_eq(num("rollbacks.0.restored.channel"), 52);
	ck_assert_int_eq(num("stats.rollbacks_manual"), 1);
	done();
}
END_TEST

START_TEST(malformed_lines)
{
	static const char *const bad[] = {
		"{\"t\":0,\"ap\":{\"id\":\"a\",\"band\":\"5g\",\"channel\":52}}\n{\"t\":1,\"ap\":",
		"{\"t\":0,\"ap\":{\"id\":\"a\",\"band\":\"5g\",\"channel\":50}}",
		"{\"t\":5,\"end\":{}}\n{\"t\":1,\"end\":{}}",
		"{\"t\":0,\"metrics\":{\"ap\":\"zz\",\"per\":0,\"retry\":0,\"throughput_mbps\":1}}",
		"{\"t\":0,\"ap\":{\"id\":\"a\",\"band\":\"5g\",\"channel\":36,\"chanel\":1}}",
		/* plans: a channel that does not exist, a malformed list, a bad power */
		"{\"t\":0,\"ap\":{\"id\":\"a\",\"band\":\"5g\",\"channel\":36}}\n"
		"{\"t\":1,\"plan\":{\"ap\":\"a\",\"channels\":[{\"channel\":38}]}}",
		"{\"t\":0,\"ap\":{\"id\":\"a\",\"band\":\"5g\",\"channel\":36}}\n"
		"{\"t\":1,\"plan\":{\"ap\":\"a\",\"channels\":[36]}}",
		"{\"t\":0,\"ap\":{\"id\":\"a\",\"band\":\"5g\",\"channel\":36}}\n"
		"{\"t\":1,\"plan\":{\"ap\":\"a\",\"channels\":[{\"channel\":36}, "
		"{\"channel\":40,\"max_dbm\":-3}]}}",
		"{\"t\":0,\"site\":{\"country\":\"France\"}}",
	};
	char path[] = "/tmp/evl-replay-XXXXXX", args[64], *out;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = mkstemp(path);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, bad[i], strlen(bad[i])), (ssize_t)strlen(bad[i]));
		close(fd);
		snprintf(args, sizeof(args), "%s --json", path);
		ck_assert_int_eq(run_tool(args, &out), 1);
		ck_assert_str_eq(out, ""); /* nothing ran */
		free(out);
		unlink(path);
		strcpy(path, "/tmp/evl-replay-XXXXXX");
	}
	ck_assert_int_eq(run_tool("--bogus", &out), 2);
	free(out);
}
END_TEST

/* --audit-*: the replayed run leaves a trail that verifies with the initial key, rotates at the
 * scenario's midnight and never names the AP. */
static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(audit_trail)
{
	char dir[] = "/tmp/evl-replay-audit-XXXXXX", p[512], args[1024], *out;
	struct evl_audit_verify res;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/scen.jsonl", dir);
	write_file(p, "{\"t\":0,\"site\":{\"country\":\"DE\",\"start\":\"2024-12-01T23:30:00Z\"}}\n"
		      "{\"t\":0,\"ap\":{\"id\":\"ap_secret_name\",\"band\":\"5g\",\"channel\":52,"
		      "\"bandwidth\":80,\"tx_power\":23}}\n"
		      "{\"t\":100,\"event\":{\"id\":\"dfs_001\",\"type\":\"dfs_radar\","
		      "\"severity\":\"critical\",\"ap\":\"ap_secret_name\",\"channel\":52}}\n"
		      "{\"t\":2000,\"rollback\":{\"ap\":\"ap_secret_name\"}}\n"
		      "{\"t\":4000,\"end\":{}}\n");
	snprintf(p, sizeof(p), "%s/key", dir);
	ck_assert_int_eq(evl_audit_keygen(p), 0);
	snprintf(p, sizeof(p), "%s/secret", dir);
	ck_assert_int_eq(evl_audit_keygen(p), 0);
	snprintf(args, sizeof(args), "cp -p %s/key %s/key.initial", dir, dir);
	ck_assert_int_eq(system(args), 0);

	snprintf(args, sizeof(args),
		 "%s/scen.jsonl --json --audit-dir %s/trail --audit-key %s/key --site-secret "
		 "%s/secret",
		 dir, dir, dir, dir);
	ck_assert_int_eq(run_tool(args, &out), 0);
	free(out);

	snprintf(p, sizeof(p), "%s/trail/audit_20241201.jsonl", dir);
	ck_assert_int_eq(access(p, R_OK), 0);
	snprintf(p, sizeof(p), "%s/trail/audit_20241202.jsonl", dir);
	ck_assert_int_eq(access(p, R_OK), 0);

	snprintf(p, sizeof(p), "%s/trail", dir);
	snprintf(args, sizeof(args), "%s/key.initial", dir);
	ck_assert_int_eq(evl_audit_verify_dir(p, args, false, NULL, NULL, &res), 0);
	ck_assert_int_eq(res.verdict, EVL_AUDIT_OK);
	ck_assert_int_ge(res.records, 3); /* token, action, rollback (refused: NOP) */
	ck_assert_int_ge(res.key_epoch, 1);

	snprintf(args, sizeof(args), "grep -rl ap_secret_name %s/trail", dir);
	f = popen(args, "r");
	ck_assert_int_eq(fgetc(f), EOF);
	pclose(f);
	snprintf(args, sizeof(args), "rm -rf %s", dir);
	ck_assert_int_eq(system(args), 0);
}
END_TEST

/* Keys set up once (evl-audit setup): the trail of a run across a key evolution verifies
 * with the auditors' verification key; the evolved sealing key checks only its own epoch on,
 * says which part it could not check, and exits 3. */
START_TEST(audit_setup_keys)
{
	char dir[] = "/tmp/evl-replay-keys-XXXXXX", p[512], cmd[1536], *out;
	struct evl_audit_verify res;
	FILE *f;
	int st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/scen.jsonl", dir);
	write_file(p, "{\"t\":0,\"site\":{\"country\":\"DE\",\"start\":\"2024-12-01T23:30:00Z\"}}\n"
		      "{\"t\":0,\"ap\":{\"id\":\"a\",\"band\":\"5g\",\"channel\":52,"
		      "\"bandwidth\":80,\"tx_power\":23}}\n"
		      "{\"t\":100,\"event\":{\"id\":\"dfs_001\",\"type\":\"dfs_radar\","
		      "\"severity\":\"critical\",\"ap\":\"a\",\"channel\":52}}\n"
		      "{\"t\":4000,\"end\":{}}\n");
	snprintf(cmd, sizeof(cmd),
		 "build/bin/evl-audit setup --key %s/seal.key --verify-key %s/verify.key "
		 ">%s/setup.out 2>&1 && build/bin/evl-audit keygen %s/secret",
		 dir, dir, dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(p, sizeof(p), "%s/setup.out", dir);
	f = fopen(p, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_gt(fread(cmd, 1, sizeof(cmd) - 1, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(cmd, "seal.key")); /* says where each key belongs */
	ck_assert_ptr_nonnull(strstr(cmd, "audit_key_file"));
	ck_assert_ptr_nonnull(strstr(cmd, "verify.key"));
	/* refuses to overwrite */
	snprintf(cmd, sizeof(cmd), "build/bin/evl-audit setup --key %s/seal.key 2>/dev/null", dir);
	st = system(cmd);
	ck_assert_int_eq(WEXITSTATUS(st), 2);
	/* evld's side refuses the auditors' key */
	snprintf(p, sizeof(p), "%s/verify.key", dir);
	{
		uint8_t k[EVL_AUDIT_KEY_LEN];
		uint64_t ep;

		ck_assert_int_eq(evl_audit_key_load(p, k, &ep), -EINVAL);
	}

	snprintf(cmd, sizeof(cmd),
		 "%s/scen.jsonl --json --audit-dir %s/trail --audit-key %s/seal.key "
		 "--site-secret %s/secret",
		 dir, dir, dir, dir);
	ck_assert_int_eq(run_tool(cmd, &out), 0);
	free(out);

	snprintf(p, sizeof(p), "%s/trail", dir);
	snprintf(cmd, sizeof(cmd), "%s/verify.key", dir);
	ck_assert_int_eq(evl_audit_verify_dir(p, cmd, false, NULL, NULL, &res), 0);
	ck_assert_int_eq(res.verdict, EVL_AUDIT_OK);
	ck_assert_int_eq(res.key_epoch, 1); /* evolved at the scenario's midnight */
	ck_assert_uint_eq(res.unchecked, 0);

	snprintf(cmd, sizeof(cmd), "%s/seal.key", dir);
	ck_assert_int_eq(evl_audit_verify_dir(p, cmd, false, NULL, NULL, &res), 0);
	ck_assert_int_eq(res.verdict, EVL_AUDIT_PARTIAL);
	ck_assert_str_eq(res.file, "audit_20241201.jsonl");
	ck_assert_str_eq(res.unchecked_last, "audit_20241201.jsonl");
	ck_assert_uint_gt(res.unchecked, 0);
	ck_assert_uint_lt(res.unchecked, res.records);

	snprintf(cmd, sizeof(cmd),
		 "build/bin/evl-audit verify --dir %s/trail --key %s/verify.key >/dev/null 2>&1",
		 dir, dir);
	st = system(cmd);
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	snprintf(cmd, sizeof(cmd),
		 "build/bin/evl-audit verify --dir %s/trail --key %s/seal.key >/dev/null 2>%s/err",
		 dir, dir, dir);
	st = system(cmd);
	ck_assert_int_eq(WEXITSTATUS(st), 3);
	snprintf(cmd, sizeof(cmd), "grep -q 'audit_20241201.jsonl:1: .*not checked' %s/err", dir);
	ck_assert_int_eq(system(cmd), 0);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("examples");

	if (access(BIN, X_OK) || access("examples/dfs_radar.jsonl", R_OK)) {
		printf("SKIP: %s or examples/ not found (run from the repository root after "
		       "make)\n",
		       BIN);
		return 77;
	}
	tcase_add_test(tc, dfs_radar);
	tcase_add_test(tc, kernel_plan);
	tcase_add_test(tc, non_wifi_burst);
	tcase_add_test(tc, scan_select);
	tcase_add_test(tc, spectrum_sat);
	tcase_add_test(tc, density_spike);
	tcase_add_test(tc, radar_dedup);
	tcase_add_test(tc, station_churn);
	tcase_add_test(tc, hw_failure);
	tcase_add_test(tc, hw_restart_recovered);
	tcase_add_test(tc, hw_crash_loop);
	tcase_add_test(tc, hw_radio_gone);
	tcase_add_test(tc, priority_stale);
	tcase_add_test(tc, nop_refused);
	tcase_add_test(tc, malformed_lines);
	tcase_add_test(tc, audit_trail);
	tcase_add_test(tc, audit_setup_keys);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
