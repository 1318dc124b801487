// SPDX-License-Identifier: GPL-2.0
/*
 * The loader as the daemon uses it: probe (this kernel has no wireless stack, so the hooks
 * must be reported missing with a reason), load, pin, attach, epoll on the ring buffer,
 * consume, config, close (detach + unpin). Needs root and bpffs; says SKIP otherwise.
 *
 * `test_bpf_loader --demo [DIR]` pins the maps under DIR (default /sys/fs/bpf/evl), feeds a
 * short synthetic scenario and exits leaving them pinned, for `bpftool map dump pinned`.
 */
#include <check.h>
#include "../lib/check_run.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <evl/bpf_loader.h>

static char pin_dir[64];
static int n_ev, stop_after;
static struct evl_bpf_event last;

static const char *const pins[] = {"config",   "stations",   "ifaces",
				   "counters", "tx_hook_ns", "events"};

static int collect(void *ctx, const struct evl_bpf_event *ev)
{
	(void)ctx;
	n_ev++;
	last = *ev;
	return stop_after && n_ev >= stop_after ? -ECANCELED : 0;
}

static bool exists(const char *dir, const char *name)
{
	char p[128];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

static struct evl_bpf *start(unsigned int flags)
{
	struct evl_bpf_opts o = {.pin_dir = pin_dir, .flags = flags, .on_event = collect};
	struct evl_bpf *b = evl_bpf_open(&o);

	ck_assert_msg(b, "open: %s", strerror(errno));
	ck_assert_int_eq(evl_bpf_load(b), 0);
	ck_assert_int_eq(evl_bpf_attach(b), 0);
	n_ev = 0;
	stop_after = 0;
	return b;
}

START_TEST(hooks_reported_with_reasons)
{
	struct evl_bpf *b = start(0);
	const struct evl_bpf_hook *h;
	size_t n = evl_bpf_hooks(b, &h), i;
	bool have_mac80211 = access("/sys/kernel/btf/mac80211", F_OK) == 0;
	int required = 0;

	ck_assert_uint_eq(n, 9);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(h[i].prog);
		ck_assert_ptr_nonnull(strchr(h[i].target, '/'));
		ck_assert_int_gt(strlen(h[i].why), 0);
		/* active exactly when the reason says attached */
		ck_assert_int_eq(h[i].active, strncmp(h[i].why, "attached", 8) == 0);
		required += h[i].required;
		if (!have_mac80211 && strstr(h[i].target, "mac80211:")) {
			ck_assert(!h[i].active);
			ck_assert_msg(strstr(h[i].why, "mac80211"), "why: %s", h[i].why);
		}
	}
	ck_assert_int_eq(required, 2); /* the two radar hooks */
	ck_assert_str_eq(h[0].prog, "radar_detected");
	ck_assert_str_eq(h[0].target, "tp_btf/mac80211:api_radar_detected");
	if (!have_mac80211)
		ck_assert(!evl_bpf_radar_ok(b));
	/* the data plane still works without hooks: config is there, counters are zero */
	{
		struct evl_bpf_cfg c, d;

		evl_bpf_config_default(&d);
		ck_assert_int_eq(evl_bpf_config_get(b, &c), 0);
		ck_assert_mem_eq(&c, &d, sizeof(c));
	}
	ck_assert_int_eq(evl_bpf_feed(b, &(struct evl_bpf_feed){.type = EVL_BPF_EV_RADAR}),
			 -EOPNOTSUPP); /* no test entry point without EVL_BPF_F_TEST */
	evl_bpf_close(b);
}
END_TEST

START_TEST(switched_off_hooks_say_so)
{
	struct evl_bpf *b = start(EVL_BPF_F_NO_HOOKS | EVL_BPF_F_NO_PIN);
	const struct evl_bpf_hook *h;
	size_t n = evl_bpf_hooks(b, &h), i;

	for (i = 0; i < n; i++) {
		ck_assert(!h[i].active);
		ck_assert_ptr_nonnull(strstr(h[i].why, "switched off"));
	}
	ck_assert(!evl_bpf_radar_ok(b));
	ck_assert(!exists(pin_dir, "config"));
	evl_bpf_close(b);
}
END_TEST

START_TEST(pins_and_unpins)
{
	struct evl_bpf *b = start(EVL_BPF_F_TEST);
	struct evl_bpf_cfg c;
	char path[96];
	__u32 k = 0;
	size_t i;
	int fd;

	ck_assert_str_eq(evl_bpf_pin_dir(b), pin_dir);
	for (i = 0; i < sizeof(pins) / sizeof(pins[0]); i++)
		ck_assert_msg(exists(pin_dir, pins[i]), "%s/%s not pinned", pin_dir, pins[i]);
	/* an operator (or evlctl) changes the config through the pin; the loader sees it */
	snprintf(path, sizeof(path), "%s/config", pin_dir);
	fd = bpf_obj_get(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fd, &k, &c), 0);
	c.min_frames = 7;
	ck_assert_int_eq(bpf_map_update_elem(fd, &k, &c, BPF_ANY), 0);
	close(fd);
	ck_assert_int_eq(evl_bpf_config_get(b, &c), 0);
	ck_assert_uint_eq(c.min_frames, 7);
	evl_bpf_close(b);
	for (i = 0; i < sizeof(pins) / sizeof(pins[0]); i++)
		ck_assert(!exists(pin_dir, pins[i]));
	ck_assert(access(pin_dir, F_OK) != 0);
}
END_TEST

START_TEST(kept_pins_are_replaced_on_next_start)
{
	struct evl_bpf_counters c;
	struct evl_bpf *b = start(EVL_BPF_F_TEST | EVL_BPF_F_KEEP_PINS);

	ck_assert_int_eq(evl_bpf_feed(b, &(struct evl_bpf_feed){.type = EVL_BPF_EV_RADAR}), 1);
	evl_bpf_close(b);
	ck_assert(exists(pin_dir, "counters")); /* kept */
	b = start(EVL_BPF_F_TEST);
	ck_assert_int_eq(evl_bpf_counters_get(b, &c), 0);
	ck_assert_uint_eq(c.radar, 0); /* fresh maps, not the stale ones */
	evl_bpf_close(b);
	ck_assert(!exists(pin_dir, "counters"));
}
END_TEST

START_TEST(epoll_wakes_on_radar)
{
	struct evl_bpf *b = start(EVL_BPF_F_TEST | EVL_BPF_F_NO_PIN);
	struct evl_bpf_feed f = {.now_ns = 42, .type = EVL_BPF_EV_RADAR, .wiphy = "phy3"};
	struct epoll_event e = {.events = EPOLLIN}, out;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	ck_assert_int_ge(evl_bpf_ringbuf_fd(b), 0);
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, evl_bpf_ringbuf_fd(b), &e), 0);
	ck_assert_int_eq(epoll_wait(ep, &out, 1, 0), 0); /* nothing yet */
	ck_assert_int_eq(evl_bpf_feed(b, &f), 1);
	ck_assert_int_eq(epoll_wait(ep, &out, 1, 1000), 1);
	ck_assert_int_eq(evl_bpf_consume(b), 1);
	ck_assert_int_eq(n_ev, 1);
	ck_assert_uint_eq(last.type, EVL_BPF_EV_RADAR);
	ck_assert_uint_eq(last.ts_ns, 42);
	ck_assert_str_eq(last.wiphy, "phy3");
	ck_assert_uint_eq(evl_bpf_bad_records(b), 0);
	close(ep);
	evl_bpf_close(b);
}
END_TEST

START_TEST(callback_error_stops_consume)
{
	struct evl_bpf *b = start(EVL_BPF_F_TEST | EVL_BPF_F_NO_PIN);
	struct evl_bpf_feed f = {.type = EVL_BPF_EV_HW_RESTART};
	int i;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(evl_bpf_feed(b, &f), 1);
	stop_after = 2;
	ck_assert_int_eq(evl_bpf_consume(b), -ECANCELED);
	ck_assert_int_eq(n_ev, 2);
	stop_after = 0;
	ck_assert_int_eq(evl_bpf_consume(b), 1); /* the third is still there */
	evl_bpf_close(b);
}
END_TEST

START_TEST(bad_options_and_null)
{
	struct evl_bpf_opts o = {.ringbuf_bytes = 5000, .flags = EVL_BPF_F_NO_PIN};

	errno = 0;
	ck_assert_ptr_null(evl_bpf_open(&o));
	ck_assert_int_eq(errno, EINVAL);
	o.ringbuf_bytes = 1024; /* below a page */
	ck_assert_ptr_null(evl_bpf_open(&o));
	evl_bpf_close(NULL);
	ck_assert(!evl_bpf_radar_ok(NULL));
	ck_assert_int_eq(evl_bpf_consume(NULL), -EINVAL);
	ck_assert_int_eq(evl_bpf_ringbuf_fd(NULL), -EINVAL);
}
END_TEST

START_TEST(pin_dir_off_bpffs_fails_cleanly)
{
	char dir[64];
	struct evl_bpf_opts o = {.pin_dir = dir};
	struct evl_bpf *b;

	snprintf(dir, sizeof(dir), "/tmp/evl-not-bpffs-%d", getpid());
	b = evl_bpf_open(&o);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_lt(evl_bpf_load(b), 0);
	ck_assert(access(dir, F_OK) != 0); /* nothing left behind */
	evl_bpf_close(b);
}
END_TEST

static bool on_bpffs(const char *path)
{
	struct statfs s;

	return statfs(path, &s) == 0 && s.f_type == BPF_FS_MAGIC;
}

static int demo(const char *dir)
{
	struct evl_bpf_opts o = {.pin_dir = dir, .flags = EVL_BPF_F_TEST | EVL_BPF_F_KEEP_PINS};
	struct evl_bpf_feed f = {.type = EVL_BPF_FEED_TX_STATUS,
				 .ifindex = 3,
				 .addr = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}};
	struct evl_bpf *b = evl_bpf_open(&o);
	const struct evl_bpf_hook *h;
	__u64 t0 = 1000000000ull;
	size_t n, j;
	int i, err;

	if (!b || (err = evl_bpf_load(b)) || (err = evl_bpf_attach(b))) {
		fprintf(stderr, "demo: %s\n", strerror(b ? -err : errno));
		evl_bpf_close(b);
		return 1;
	}
	for (i = 0; i < 120; i++) { /* 2 s of a healthy link, then 1 s of 40 % loss */
		f.now_ns = t0 + i * 25000000ull;
		f.frames = 1;
		f.acked = i < 80 || i % 5 > 1;
		f.retries = f.acked ? 0 : 3;
		evl_bpf_feed(b, &f);
	}
	evl_bpf_feed(b, &(struct evl_bpf_feed){.now_ns = t0,
					       .type = EVL_BPF_EV_STA_NEW,
					       .ifindex = 3,
					       .addr = {2, 0, 0x5e, 0x10, 0, 1}});
	evl_bpf_feed(b, &(struct evl_bpf_feed){
				.now_ns = t0 + 5, .type = EVL_BPF_EV_RADAR, .wiphy = "phy0"});
	evl_bpf_consume(b);
	n = evl_bpf_hooks(b, &h);
	for (j = 0; j < n; j++)
		printf("bpf: %-18s %-48s %s\n", h[j].prog, h[j].target, h[j].why);
	printf("pinned under %s\n", dir);
	evl_bpf_close(b);
	return 0;
}

int main(int argc, char **argv)
{
	Suite *s;
	TCase *tc;

	if (geteuid() != 0) {
		printf("SKIP: BPF loader tests need root\n");
		return 77;
	}
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SYSCALL, NULL) != 1) {
		printf("SKIP: kernel without BPF syscall programs (BPF_PROG_TYPE_SYSCALL, "
		       "5.14+)\n");
		return 77;
	}
	if (!on_bpffs("/sys/fs/bpf") && mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL)) {
		printf("SKIP: /sys/fs/bpf is not bpffs and cannot be mounted: %s\n",
		       strerror(errno));
		return 77;
	}
	if (argc > 1 && !strcmp(argv[1], "--demo"))
		return demo(argc > 2 ? argv[2] : EVL_BPF_PIN_DIR);
	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/evl-test-%d", getpid());

	s = suite_create("bpf_loader");
	tc = tcase_create("loader");
	tcase_add_test(tc, hooks_reported_with_reasons);
	tcase_add_test(tc, switched_off_hooks_say_so);
	tcase_add_test(tc, pins_and_unpins);
	tcase_add_test(tc, kept_pins_are_replaced_on_next_start);
	tcase_add_test(tc, epoll_wakes_on_radar);
	tcase_add_test(tc, callback_error_stops_consume);
	tcase_add_test(tc, bad_options_and_null);
	tcase_add_test(tc, pin_dir_off_bpffs_fails_cleanly);
	suite_add_tcase(s, tc);
	return evl_check_run(s);
}
