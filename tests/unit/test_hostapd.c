// SPDX-License-Identifier: GPL-2.0
/*
 * hostapd back end: reply and event parsers on replies in hostapd's real formats (fixtures,
 * and tests/vm/captures/ or $EVL_HAPD_CAPTURES when present), and the actuator against a fake
 * hostapd: a unix datagram server in a thread that answers like hostapd's ctrl_iface.
 */
#include <check.h>
#include "../lib/check_run.h"
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "evl/hostapd.h"

#define FIXTURES "tests/unit/fixtures/hostapd"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	ck_assert_msg(f, "cannot open %s (run from the repo root)", path);
	buf = calloc(1, EVL_HAPD_REPLY_MAX);
	n = fread(buf, 1, EVL_HAPD_REPLY_MAX - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* --- fake hostapd ---------------------------------------------------------------------- */

struct rule {
	const char *prefix;
	const char *reply; /* NULL: never answer (timeout) */
};

struct fake {
	char dir[64];
	char path[128];
	int fd;
	pthread_t th;
	volatile int stop;
	pthread_mutex_t lock;
	struct rule rules[8];
	char log[32][256];
	int nlog;
	struct sockaddr_un mon;
	socklen_t mon_len;
};

static void *fake_run(void *arg)
{
	struct fake *f = arg;

	while (!f->stop) {
		struct pollfd p = {.fd = f->fd, .events = POLLIN};
		struct sockaddr_un from;
		socklen_t flen = sizeof(from);
		const char *reply = "UNKNOWN COMMAND\n";
		char buf[256];
		ssize_t n;

		if (poll(&p, 1, 20) <= 0)
			continue;
		n = recvfrom(f->fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &flen);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		pthread_mutex_lock(&f->lock);
		if (f->nlog < 32)
			snprintf(f->log[f->nlog++], sizeof(f->log[0]), "%s", buf);
		if (!strcmp(buf, "ATTACH")) {
			f->mon = from;
			f->mon_len = flen;
			reply = "OK\n";
		}
		for (int i = 0; i < 8 && f->rules[i].prefix; i++) {
			if (!strncmp(buf, f->rules[i].prefix, strlen(f->rules[i].prefix))) {
				reply = f->rules[i].reply;
				break;
			}
		}
		pthread_mutex_unlock(&f->lock);
		if (reply)
			sendto(f->fd, reply, strlen(reply), 0, (struct sockaddr *)&from, flen);
	}
	return NULL;
}

static struct fake *fake_start(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	strcpy(f->dir, "/tmp/evl-hapd-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/wlan0", f->dir);
	strcpy(sun.sun_path, f->path);
	f->fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_ge(f->fd, 0);
	ck_assert_int_eq(bind(f->fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	pthread_mutex_init(&f->lock, NULL);
	pthread_create(&f->th, NULL, fake_run, f);
	return f;
}

static void fake_rules(struct fake *f, const struct rule *rules, int n)
{
	pthread_mutex_lock(&f->lock);
	memset(f->rules, 0, sizeof(f->rules));
	memcpy(f->rules, rules, n * sizeof(*rules));
	f->nlog = 0;
	pthread_mutex_unlock(&f->lock);
}

static void fake_event(struct fake *f, const char *msg)
{
	ck_assert_int_gt(f->mon_len, 0);
	ck_assert_int_eq(sendto(f->fd, msg, strlen(msg), 0, (struct sockaddr *)&f->mon, f->mon_len),
			 (ssize_t)strlen(msg));
}

static void fake_stop(struct fake *f)
{
	f->stop = 1;
	pthread_join(f->th, NULL);
	close(f->fd);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
}

static void *new_act(struct fake *f, int timeout_ms)
{
	struct evl_hapd_opts o = {.ctrl_dir = f->dir, .timeout_ms = timeout_ms, .cs_count = 10};
	void *a = evl_act_hostapd_new(&o);

	ck_assert_ptr_nonnull(a);
	return a;
}

/* --- parsers --------------------------------------------------------------------------- */

START_TEST(reply_status_maps_hostapd_replies)
{
	ck_assert_int_eq(evl_hapd_reply_status("OK\n"), 0);
	ck_assert_int_eq(evl_hapd_reply_status("FAIL\n"), -EIO);
	ck_assert_int_eq(evl_hapd_reply_status("FAIL-BUSY\n"), -EBUSY);
	ck_assert_int_eq(evl_hapd_reply_status("UNKNOWN COMMAND\n"), -EOPNOTSUPP);
	ck_assert_int_eq(evl_hapd_reply_status("OKAY\n"), -EPROTO);
	ck_assert_int_eq(evl_hapd_reply_status(""), -EPROTO);
}
END_TEST

START_TEST(chan_switch_command_from_chandef)
{
	struct evl_chandef ch36 = {EVL_BAND_5G, 36, 80, 5180, 5210};
	struct evl_chandef ch40 = {EVL_BAND_5G, 40, 80, 5200, 5210};
	struct evl_chandef ch6 = {EVL_BAND_2G, 6, 20, 2437, 2437};
	struct evl_chandef ch6g = {EVL_BAND_6G, 5, 160, 5975, 6025};
	struct evl_chandef bad = {EVL_BAND_5G, 36, 80, 5180, 5290};
	unsigned int all = EVL_HAPD_HT | EVL_HAPD_VHT | EVL_HAPD_HE;
	char buf[160];

	ck_assert_int_gt(evl_hapd_format_chan_switch(buf, sizeof(buf), 10, &ch36, true,
						     EVL_HAPD_HT | EVL_HAPD_VHT),
			 0);
	ck_assert_str_eq(buf, "CHAN_SWITCH 10 5180 center_freq1=5210 bandwidth=80 "
			      "sec_channel_offset=1 ht vht blocktx");
	ck_assert_int_gt(evl_hapd_format_chan_switch(buf, sizeof(buf), 5, &ch40, false, all), 0);
	ck_assert_str_eq(buf, "CHAN_SWITCH 5 5200 center_freq1=5210 bandwidth=80 "
			      "sec_channel_offset=-1 ht vht he");
	ck_assert_int_gt(evl_hapd_format_chan_switch(buf, sizeof(buf), 5, &ch6, false, all), 0);
	ck_assert_str_eq(buf, "CHAN_SWITCH 5 2437 center_freq1=2437 bandwidth=20 "
			      "sec_channel_offset=0 ht he");
	ck_assert_int_gt(evl_hapd_format_chan_switch(buf, sizeof(buf), 5, &ch6g, false, all), 0);
	ck_assert_str_eq(buf, "CHAN_SWITCH 5 5975 center_freq1=6025 bandwidth=160 "
			      "sec_channel_offset=-1 he");
	/* primary outside the block, odd width, no room */
	ck_assert_int_eq(evl_hapd_format_chan_switch(buf, sizeof(buf), 5, &bad, false, all),
			 -EINVAL);
	bad = ch36;
	bad.width = 30;
	ck_assert_int_eq(evl_hapd_format_chan_switch(buf, sizeof(buf), 5, &bad, false, all),
			 -EINVAL);
	ck_assert_int_eq(evl_hapd_format_chan_switch(buf, 20, 5, &ch36, false, all), -ENOSPC);
}
END_TEST

START_TEST(status_vht80)
{
	char *r = slurp(FIXTURES "/status-5g-vht80-ch36.txt");
	struct evl_hapd_status st;

	ck_assert_int_eq(evl_hapd_parse_status(r, &st, NULL), 0);
	ck_assert_str_eq(st.state, "ENABLED");
	ck_assert_int_eq(st.band, EVL_BAND_5G);
	ck_assert_int_eq(st.freq, 5180);
	ck_assert_int_eq(st.channel, 36);
	ck_assert_int_eq(st.bandwidth, 80);
	ck_assert_int_eq(st.center_freq1, 5210);
	ck_assert_int_eq(st.max_txpower, 20);
	ck_assert_int_eq(st.num_sta, 1);
	ck_assert_uint_eq(st.modes, EVL_HAPD_HT | EVL_HAPD_VHT);
	free(r);
}
END_TEST

START_TEST(status_cac_and_he40)
{
	char *r = slurp(FIXTURES "/status-5g-ht20-ch52-cac.txt");
	struct evl_hapd_status st;

	ck_assert_int_eq(evl_hapd_parse_status(r, &st, NULL), 0);
	ck_assert_str_eq(st.state, "DFS");
	ck_assert_int_eq(st.channel, 52);
	ck_assert_int_eq(st.bandwidth, 20);
	ck_assert_int_eq(st.center_freq1, 5260);
	free(r);
	r = slurp(FIXTURES "/status-2g-he40minus-ch6.txt");
	ck_assert_int_eq(evl_hapd_parse_status(r, &st, NULL), 0);
	ck_assert_int_eq(st.band, EVL_BAND_2G);
	ck_assert_int_eq(st.bandwidth, 40);
	ck_assert_int_eq(st.center_freq1, 2427);
	ck_assert_uint_eq(st.modes, EVL_HAPD_HT | EVL_HAPD_HE);
	ck_assert_int_eq(st.num_sta, 3);
	free(r);
}
END_TEST

START_TEST(status_bad_input_names_field)
{
	struct evl_hapd_status st;
	const char *err = NULL;

	ck_assert_int_eq(evl_hapd_parse_status("state=ENABLED\nchannel=36\n", &st, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "freq"));
	ck_assert_int_eq(evl_hapd_parse_status("state=ENABLED\nfreq=x\nchannel=36\n", &st, &err),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "freq"));
	ck_assert_int_eq(evl_hapd_parse_status("FAIL\n", &st, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "state"));
	/* "num_sta_non_erp=" must not be taken for "freq=" or "channel=" */
	ck_assert_int_eq(
		evl_hapd_parse_status("state=ENABLED\nsecondary_channel=1\nfreq=5180\n", &st, &err),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "channel"));
	/* out-of-range numbers are refused by name, not computed with (fuzz find) */
	ck_assert_int_eq(evl_hapd_parse_status("state=ENABLED\nfreq=5180\nchannel=36\n"
					       "ieee80211ac=1\nvht_oper_chwidth=1\n"
					       "vht_oper_centr_freq_seg0_idx=999999993\n",
					       &st, &err),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "seg0_idx"));
	ck_assert_int_eq(evl_hapd_parse_status("state=ENABLED\nfreq=2147483647\nchannel=36\n"
					       "secondary_channel=1\n",
					       &st, &err),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "freq"));
}
END_TEST

START_TEST(events_parse)
{
	struct evl_hapd_event ev;

	ck_assert_int_eq(evl_hapd_parse_event("<3>AP-CSA-FINISHED freq=5180 dfs=0", &ev), 0);
	ck_assert_int_eq(ev.type, EVL_HAPD_EV_CSA_FINISHED);
	ck_assert_int_eq(ev.level, 3);
	ck_assert_int_eq(ev.freq, 5180);
	ck_assert_int_eq(ev.dfs, 0);
	ck_assert_int_eq(evl_hapd_parse_event("<3>DFS-RADAR-DETECTED freq=5260 ht_enabled=1 "
					      "chan_offset=0 chan_width=1 cf1=5260 cf2=0",
					      &ev),
			 0);
	ck_assert_int_eq(ev.type, EVL_HAPD_EV_RADAR);
	ck_assert_int_eq(ev.freq, 5260);
	ck_assert_int_eq(ev.cf1, 5260);
	ck_assert_int_eq(ev.chan_width, 1);
	ck_assert_int_eq(evl_hapd_parse_event("<3>CTRL-EVENT-STARTED-CHANNEL-SWITCH freq=5180 "
					      "ht_enabled=1 ch_offset=1 ch_width=80 MHz cf1=5210 "
					      "cf2=0 dfs=0",
					      &ev),
			 0);
	ck_assert_int_eq(ev.type, EVL_HAPD_EV_CSA_STARTED);
	ck_assert_int_eq(ev.chan_width, 80);
	ck_assert_int_eq(ev.cf1, 5210);
	ck_assert_int_eq(evl_hapd_parse_event("<3>DFS-CAC-COMPLETED success=1 freq=5260 "
					      "ht_enabled=0 chan_offset=0 chan_width=0 cf1=5260 "
					      "cf2=0",
					      &ev),
			 0);
	ck_assert_int_eq(ev.type, EVL_HAPD_EV_CAC_DONE);
	ck_assert_int_eq(ev.success, 1);
	ck_assert_int_eq(
		evl_hapd_parse_event("IFNAME=wlan0 <3>AP-STA-CONNECTED 02:00:00:00:01:0a", &ev), 0);
	ck_assert_int_eq(ev.type, EVL_HAPD_EV_STA_CONNECTED);
	ck_assert(ev.has_mac);
	ck_assert_int_eq(ev.mac[5], 0x0a);
	ck_assert_int_eq(evl_hapd_parse_event("<3>AP-SOMETHING-NEW x=1", &ev), 0);
	ck_assert_int_eq(ev.type, EVL_HAPD_EV_OTHER);
	ck_assert_str_eq(ev.name, "AP-SOMETHING-NEW");
	/* malformed */
	ck_assert_int_eq(evl_hapd_parse_event("<3>AP-CSA-FINISHED dfs=0", &ev), -EINVAL);
	ck_assert_int_eq(evl_hapd_parse_event("<3>AP-STA-CONNECTED 02:00:00:00:01", &ev), -EINVAL);
	ck_assert_int_eq(evl_hapd_parse_event("<3>AP-CSA-FINISHED freq=abc", &ev), -EINVAL);
	ck_assert_int_eq(evl_hapd_parse_event("OK\n", &ev), -EINVAL);
	ck_assert_int_eq(evl_hapd_parse_event("<3", &ev), -EINVAL);
	ck_assert_int_eq(evl_hapd_parse_event("<3>", &ev), -EINVAL);
}
END_TEST

/* Every *status* reply and every line of an events file in dir parses; returns files seen.
 * Real captures (tests/vm/captures/) are named reply-status-*, hostapd-status-* and
 * hostapd-events-* (each event line prefixed with the capture time); wpa_supplicant's are
 * skipped. */
static unsigned int ev_seen[EVL_HAPD_EV_AP_DISABLED + 1];

static int check_capture_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[512], *text, *line, *save = NULL;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (strstr(e->d_name, "wpas"))
			continue;
		if (strstr(e->d_name, "status")) {
			struct evl_hapd_status st;
			const char *err = "";

			text = slurp(path);
			ck_assert_msg(!evl_hapd_parse_status(text, &st, &err), "%s: %s", path, err);
			ck_assert_msg(st.freq > 2000 && st.channel > 0 && st.bandwidth >= 20, "%s",
				      path);
			free(text);
			files++;
		} else if (strstr(e->d_name, "events")) {
			text = slurp(path);
			for (line = strtok_r(text, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save)) {
				struct evl_hapd_event ev;

				if (*line != '<' &&
				    strchr(line, ' ')) /* "1795623860.078201 <3>..." */
					line = strchr(line, ' ') + 1;

				ck_assert_msg(!evl_hapd_parse_event(line, &ev), "%s: %s", path,
					      line);
				/* informational events (CTRL-EVENT-CHANNEL-SWITCH) stay OTHER */
				ev_seen[ev.type]++;
			}
			free(text);
			files++;
		}
	}
	closedir(d);
	return files;
}

START_TEST(captured_replies_parse)
{
	const char *cap = getenv("EVL_HAPD_CAPTURES");

	ck_assert_int_ge(check_capture_dir(FIXTURES), 4);
	/* the real hostapd 2.10 captures shipped with the VM bed: 3 STATUS replies, 2 streams */
	memset(ev_seen, 0, sizeof(ev_seen));
	ck_assert_int_ge(check_capture_dir(cap ? cap : "tests/vm/captures"), 5);
	/* what evld acts on was recognised in the real streams */
	ck_assert_uint_ge(ev_seen[EVL_HAPD_EV_RADAR], 2);
	ck_assert_uint_ge(ev_seen[EVL_HAPD_EV_CSA_FINISHED], 2);
	ck_assert_uint_ge(ev_seen[EVL_HAPD_EV_CAC_DONE], 2);
	ck_assert_uint_ge(ev_seen[EVL_HAPD_EV_STA_CONNECTED], 2);
}
END_TEST

/* --- actuator against the fake hostapd ------------------------------------------------- */

START_TEST(radar_switch_pending_then_csa_finished)
{
	struct fake *f = fake_start();
	struct rule rules[] = {{"CHAN_SWITCH", "OK\n"}};
	struct evl_chandef to = {EVL_BAND_5G, 36, 80, 5180, 5210};
	struct evl_hapd_event ev;
	struct evl_hapd *mon;
	void *a = new_act(f, 500);

	fake_rules(f, rules, 1);
	mon = evl_hapd_monitor_open(f->path, NULL, 500);
	ck_assert_ptr_nonnull(mon);
	ck_assert_int_eq(evl_hapd_monitor_read(mon, &ev), -EAGAIN);
	ck_assert_int_eq(evl_act_hostapd_ops.switch_channel(a, "wlan0", &to, true),
			 EVL_ACT_PENDING);
	/* radar: no STATUS round trip first, blocktx set */
	ck_assert_str_eq(f->log[1], "CHAN_SWITCH 5 5180 center_freq1=5210 bandwidth=80 "
				    "sec_channel_offset=1 ht vht blocktx");
	fake_event(f, "<3>CTRL-EVENT-STARTED-CHANNEL-SWITCH freq=5180 ht_enabled=1 ch_offset=1 "
		      "ch_width=80 MHz cf1=5210 cf2=0 dfs=0");
	fake_event(f, "<3>AP-CSA-FINISHED freq=5180 dfs=0");
	struct pollfd p = {.fd = evl_hapd_fd(mon), .events = POLLIN};
	ck_assert_int_eq(poll(&p, 1, 1000), 1);
	ck_assert_int_eq(evl_hapd_monitor_read(mon, &ev), 0);
	ck_assert_int_eq(ev.type, EVL_HAPD_EV_CSA_STARTED);
	ck_assert_int_eq(evl_hapd_monitor_read(mon, &ev), 0);
	ck_assert_int_eq(ev.type, EVL_HAPD_EV_CSA_FINISHED);
	ck_assert_int_eq(ev.freq, 5180);
	evl_hapd_close(mon);
	evl_act_hostapd_ops.destroy(a);
	fake_stop(f);
}
END_TEST

/* hostapd dies: the datagram event connection only learns it by sending (evld pings) */
START_TEST(monitor_ping_notices_hostapd_gone)
{
	struct fake *f = fake_start();
	struct evl_hapd *mon = evl_hapd_monitor_open(f->path, NULL, 500);

	ck_assert_ptr_nonnull(mon);
	ck_assert_int_eq(evl_hapd_monitor_ping(mon), 0);
	fake_stop(f);
	ck_assert_int_eq(evl_hapd_monitor_ping(mon), -ECONNREFUSED);
	ck_assert_int_eq(evl_hapd_monitor_ping(NULL), -EINVAL);
	evl_hapd_close(mon);
}
END_TEST

START_TEST(non_radar_switch_uses_running_modes)
{
	struct fake *f = fake_start();
	char *status = slurp(FIXTURES "/status-2g-he40minus-ch6.txt");
	struct rule rules[] = {{"STATUS", status}, {"CHAN_SWITCH", "OK\n"}};
	struct evl_chandef to = {EVL_BAND_2G, 11, 20, 2462, 2462};
	void *a = new_act(f, 500);

	fake_rules(f, rules, 2);
	ck_assert_int_eq(evl_act_hostapd_ops.switch_channel(a, "wlan0", &to, false),
			 EVL_ACT_PENDING);
	ck_assert_str_eq(f->log[1], "CHAN_SWITCH 10 2462 center_freq1=2462 bandwidth=20 "
				    "sec_channel_offset=0 ht he");
	evl_act_hostapd_ops.destroy(a);
	fake_stop(f);
	free(status);
}
END_TEST

/* hostapd's own radar reaction only considers its run-time chanlist: SET chanlist. */
START_TEST(radar_fallback_sets_chanlist)
{
	struct fake *f = fake_start();
	struct rule ok[] = {{"SET chanlist", "OK\n"}};
	struct rule fail[] = {{"SET chanlist", "FAIL\n"}};
	const int four[] = {36, 40, 44, 48}, runs[] = {36, 37, 38, 52, 100, 101};
	char buf[64];
	void *a = new_act(f, 200);

	ck_assert_int_eq(evl_hapd_format_chanlist(buf, sizeof(buf), runs, 6), 29);
	ck_assert_str_eq(buf, "SET chanlist 36-38 52 100-101");
	ck_assert_int_eq(evl_hapd_format_chanlist(buf, sizeof(buf), NULL, 0), 13);
	ck_assert_str_eq(buf, "SET chanlist ");
	ck_assert_int_eq(evl_hapd_format_chanlist(buf, 16, four, 4), -ENOSPC);
	ck_assert_int_eq(evl_hapd_format_chanlist(buf, sizeof(buf), (int[]){0}, 1), -EINVAL);

	fake_rules(f, ok, 1);
	ck_assert_int_eq(evl_act_hostapd_ops.set_radar_fallback(a, "wlan0", four, 4), 0);
	ck_assert_str_eq(f->log[0], "SET chanlist 36 40 44 48");
	ck_assert_int_eq(evl_act_hostapd_ops.set_radar_fallback(a, "wlan0", NULL, 0), 0);
	ck_assert_str_eq(f->log[1], "SET chanlist ");
	fake_rules(f, fail, 1);
	ck_assert_int_eq(evl_act_hostapd_ops.set_radar_fallback(a, "wlan0", four, 4), -EIO);
	evl_act_hostapd_ops.destroy(a);
	fake_stop(f);
}
END_TEST

START_TEST(failures_map_to_errno)
{
	struct fake *f = fake_start();
	struct evl_chandef to = {EVL_BAND_5G, 36, 20, 5180, 5180};
	struct rule fail[] = {{"CHAN_SWITCH", "FAIL\n"}};
	struct rule busy[] = {{"CHAN_SWITCH", "FAIL-BUSY\n"}};
	struct rule mute[] = {{"CHAN_SWITCH", NULL}, {"STATUS", NULL}};
	void *a = new_act(f, 200);

	fake_rules(f, fail, 1);
	ck_assert_int_eq(evl_act_hostapd_ops.switch_channel(a, "wlan0", &to, true), -EIO);
	fake_rules(f, busy, 1);
	ck_assert_int_eq(evl_act_hostapd_ops.switch_channel(a, "wlan0", &to, true), -EBUSY);
	fake_rules(f, mute, 2);
	ck_assert_int_eq(evl_act_hostapd_ops.switch_channel(a, "wlan0", &to, true), -ETIMEDOUT);
	/* no such hostapd, bad names */
	ck_assert_int_lt(evl_act_hostapd_ops.switch_channel(a, "wlan9", &to, true), 0);
	ck_assert_int_eq(evl_act_hostapd_ops.switch_channel(a, "../wlan0", &to, true), -EINVAL);
	ck_assert_int_eq(evl_act_hostapd_ops.set_tx_power(a, "wlan0", 17), -EOPNOTSUPP);
	evl_act_hostapd_ops.destroy(a);
	fake_stop(f);
}
END_TEST

START_TEST(get_conf_from_status)
{
	struct fake *f = fake_start();
	char *status = slurp(FIXTURES "/status-5g-vht80-ch36.txt");
	struct rule rules[] = {{"STATUS", status}, {"SET max_num_sta", "OK\n"}};
	struct evl_ap_conf c;
	void *a = new_act(f, 500);

	fake_rules(f, rules, 2);
	ck_assert_int_eq(evl_act_hostapd_ops.set_max_sta(a, "wlan0", 12), 0);
	ck_assert_str_eq(f->log[0], "SET max_num_sta 12");
	ck_assert_int_eq(evl_act_hostapd_ops.get_conf(a, "wlan0", &c), 0);
	ck_assert_int_eq(c.band, EVL_BAND_5G);
	ck_assert_int_eq(c.channel, 36);
	ck_assert_int_eq(c.bandwidth, 80);
	ck_assert_int_eq(c.max_sta, 12);
	ck_assert_int_eq(c.state, EVL_AP_UP);
	ck_assert_int_eq(evl_act_hostapd_ops.set_max_sta(a, "wlan0", 0), 0);
	ck_assert_str_eq(f->log[2], "SET max_num_sta 2007");
	ck_assert_int_eq(evl_act_hostapd_ops.set_max_sta(a, "wlan0", -1), -EINVAL);
	evl_act_hostapd_ops.destroy(a);
	fake_stop(f);
	free(status);
}
END_TEST

START_TEST(obss_pd_set_and_restored_on_failure)
{
	struct fake *f = fake_start();
	struct rule ok[] = {{"SET", "OK\n"}, {"UPDATE_BEACON", "OK\n"}};
	struct rule nobeacon[] = {{"SET", "OK\n"}, {"UPDATE_BEACON", "FAIL\n"}};
	void *a = new_act(f, 500);

	fake_rules(f, ok, 2);
	ck_assert_int_eq(evl_act_hostapd_ops.set_obss_pd(a, "wlan0", -72), 0);
	ck_assert_int_eq(f->nlog, 3);
	ck_assert_str_eq(f->log[0], "SET he_spr_non_srg_obss_pd_max_offset 10");
	ck_assert_str_eq(f->log[1], "SET he_spr_sr_control 4");
	ck_assert_str_eq(f->log[2], "UPDATE_BEACON");
	fake_rules(f, nobeacon, 2);
	ck_assert_int_eq(evl_act_hostapd_ops.set_obss_pd(a, "wlan0", -65), -EIO);
	/* the previous -72 dBm configuration is put back */
	ck_assert_int_eq(f->nlog, 5);
	ck_assert_str_eq(f->log[3], "SET he_spr_non_srg_obss_pd_max_offset 10");
	ck_assert_str_eq(f->log[4], "SET he_spr_sr_control 4");
	ck_assert_int_eq(evl_act_hostapd_ops.set_obss_pd(a, "wlan0", -90), -EINVAL);
	evl_act_hostapd_ops.destroy(a);
	fake_stop(f);
}
END_TEST

START_TEST(failover_disable_enable)
{
	struct fake *f = fake_start();
	char *cac = slurp(FIXTURES "/status-5g-ht20-ch52-cac.txt");
	struct rule rules[] = {{"DISABLE", "OK\n"}, {"ENABLE", "OK\n"}, {"STATUS", cac}};
	void *a = new_act(f, 500);

	fake_rules(f, rules, 3);
	ck_assert_int_eq(evl_act_hostapd_ops.set_state(a, "wlan0", EVL_AP_DISABLED), 0);
	ck_assert_str_eq(f->log[0], "DISABLE");
	/* back up but in CAC: confirmed later by AP-ENABLED */
	ck_assert_int_eq(evl_act_hostapd_ops.set_state(a, "wlan0", EVL_AP_UP), EVL_ACT_PENDING);
	ck_assert_str_eq(f->log[1], "ENABLE");
	evl_act_hostapd_ops.destroy(a);
	fake_stop(f);
	free(cac);
}
END_TEST

/* --- 802.11v steering ------------------------------------------------------------------ */

START_TEST(bss_tm_req_command)
{
	struct evl_bss_target t = {"02:00:00:00:01:00", 0x7, 81, 6, 7, 19};
	char buf[256];

	ck_assert_int_gt(evl_hapd_format_bss_tm_req(buf, sizeof(buf), "02:00:00:00:03:00", &t), 0);
	ck_assert_str_eq(buf, "BSS_TM_REQ 02:00:00:00:03:00 pref=1 abridged=1 disassoc_imminent=1 "
			      "disassoc_timer=19 neighbor=02:00:00:00:01:00,0x0007,81,6,7");
	t.disassoc_timer = 0;
	ck_assert_int_gt(evl_hapd_format_bss_tm_req(buf, sizeof(buf), "02:00:00:00:03:00", &t), 0);
	ck_assert_str_eq(buf, "BSS_TM_REQ 02:00:00:00:03:00 pref=1 abridged=1 "
			      "neighbor=02:00:00:00:01:00,0x0007,81,6,7");
	ck_assert_int_eq(evl_hapd_format_bss_tm_req(buf, 20, "02:00:00:00:03:00", &t), -ENOSPC);
	ck_assert_int_eq(evl_hapd_format_bss_tm_req(buf, sizeof(buf), "02:00:00:00:03", &t),
			 -EINVAL);
	ck_assert_int_eq(evl_hapd_format_bss_tm_req(buf, sizeof(buf), "02:00:00:00:03:00 x", &t),
			 -EINVAL);
	t.op_class = 0;
	ck_assert_int_eq(evl_hapd_format_bss_tm_req(buf, sizeof(buf), "02:00:00:00:03:00", &t),
			 -EINVAL);
	t.op_class = 81;
	strcpy(t.bssid, "zz:00:00:00:01:00");
	ck_assert_int_eq(evl_hapd_format_bss_tm_req(buf, sizeof(buf), "02:00:00:00:03:00", &t),
			 -EINVAL);
	t.disassoc_timer = 70000;
	ck_assert_int_eq(evl_hapd_format_bss_tm_req(buf, sizeof(buf), "02:00:00:00:03:00", NULL),
			 -EINVAL);
}
END_TEST

/* SSID and BSSID from a real STATUS (hostapd 2.10 in the VM) */
START_TEST(status_ssid_bssid)
{
	char *r = slurp("tests/vm/captures/reply-status-enabled.txt");
	struct evl_hapd_status st;

	ck_assert_int_eq(evl_hapd_parse_status(r, &st, NULL), 0);
	ck_assert_str_eq(st.ssid, "evl-vm");
	ck_assert_str_eq(st.bssid, "02:00:00:00:00:00");
	free(r);
	ck_assert_int_eq(evl_hapd_parse_status("state=ENABLED\nfreq=2437\nchannel=6\n"
					       "bssid[0]=nonsense\n",
					       &st, NULL),
			 0);
	ck_assert_str_eq(st.bssid, "");
	ck_assert_str_eq(st.ssid, "");
}
END_TEST

START_TEST(bss_transition_asks_every_station)
{
	struct fake *f = fake_start();
	struct rule rules[] = {
		{"STATUS", "state=ENABLED\nfreq=5180\nchannel=36\nbssid[0]=02:00:00:00:00:00\n"
			   "ssid[0]=home\n"},
		{"STA-FIRST", "02:00:00:00:03:00\nflags=[AUTH][ASSOC][AUTHORIZED]\n"},
		{"STA-NEXT 02:00:00:00:03:00", "02:00:00:00:04:00\nflags=[AUTH][ASSOC]\n"},
		{"STA-NEXT 02:00:00:00:04:00", ""},
		{"BSS_TM_REQ 02:00:00:00:04:00", "FAIL\n"},
		{"BSS_TM_REQ", "OK\n"},
	};
	struct evl_bss_target t = {"02:00:00:00:01:00", 0x7, 81, 6, 7, 19};
	struct evl_ap_bss b;
	void *a = new_act(f, 300);

	fake_rules(f, rules, 6);
	ck_assert_int_eq(evl_act_hostapd_ops.get_bss(a, "wlan0", &b), 0);
	ck_assert_str_eq(b.ssid, "home");
	ck_assert_str_eq(b.bssid, "02:00:00:00:00:00");
	f->nlog = 0;
	/* the second station refuses: the failure is reported, the first was still asked */
	ck_assert_int_eq(evl_act_hostapd_ops.bss_transition(a, "wlan0", &t), -EIO);
	ck_assert_int_eq(f->nlog, 5);
	ck_assert_str_eq(f->log[0], "STA-FIRST");
	ck_assert_str_eq(f->log[1], "BSS_TM_REQ 02:00:00:00:03:00 pref=1 abridged=1 "
				    "disassoc_imminent=1 disassoc_timer=19 "
				    "neighbor=02:00:00:00:01:00,0x0007,81,6,7");
	ck_assert_str_eq(f->log[2], "STA-NEXT 02:00:00:00:03:00");
	ck_assert_str_eq(f->log[4], "STA-NEXT 02:00:00:00:04:00");
	/* no station: nothing to ask, done */
	rules[1].reply = "FAIL\n";
	fake_rules(f, rules, 2);
	ck_assert_int_eq(evl_act_hostapd_ops.bss_transition(a, "wlan0", &t), 0);
	ck_assert_int_eq(f->nlog, 1);
	evl_act_hostapd_ops.destroy(a);
	fake_stop(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostapd");
	TCase *p = tcase_create("parse"), *act = tcase_create("actuator");

	tcase_add_test(p, reply_status_maps_hostapd_replies);
	tcase_add_test(p, bss_tm_req_command);
	tcase_add_test(p, status_ssid_bssid);
	tcase_add_test(act, bss_transition_asks_every_station);
	tcase_add_test(p, chan_switch_command_from_chandef);
	tcase_add_test(p, status_vht80);
	tcase_add_test(p, status_cac_and_he40);
	tcase_add_test(p, status_bad_input_names_field);
	tcase_add_test(p, events_parse);
	tcase_add_test(p, captured_replies_parse);
	tcase_add_test(act, radar_switch_pending_then_csa_finished);
	tcase_add_test(act, non_radar_switch_uses_running_modes);
	tcase_add_test(act, radar_fallback_sets_chanlist);
	tcase_add_test(act, failures_map_to_errno);
	tcase_add_test(act, monitor_ping_notices_hostapd_gone);
	tcase_add_test(act, get_conf_from_status);
	tcase_add_test(act, obss_pd_set_and_restored_on_failure);
	tcase_add_test(act, failover_disable_enable);
	suite_add_tcase(s, p);
	suite_add_tcase(s, act);
	return evl_check_run(s);
}
