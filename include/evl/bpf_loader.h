/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loader of the eBPF data plane (user/bpf/loader.c): opens the one skeleton, probes which
 * wireless hooks this kernel has (tracepoints and fentry target in vmlinux or module BTF),
 * switches off what is missing, loads, pins the maps under a pin dir, attaches, and hands
 * ring-buffer records to a callback. It never prints: the caller logs evl_bpf_hooks().
 *
 *	b = evl_bpf_open(&opts);	// probe; NULL + errno on failure
 *	evl_bpf_load(b);		// load, default config, pin
 *	evl_bpf_attach(b);		// attach what is present
 *	if (!evl_bpf_radar_ok(b)) ...	// loud error in the daemon
 *	epoll on evl_bpf_ringbuf_fd(b), then evl_bpf_consume(b)
 *	evl_bpf_close(b);		// detach, unpin (NULL-safe)
 */
#ifndef EVL_BPF_LOADER_H
#define EVL_BPF_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <evl/bpf_events.h>

#define EVL_BPF_PIN_DIR "/sys/fs/bpf/evl"

enum {
	EVL_BPF_F_TEST = 1u << 0,      /* also load the test_feed entry point (evl_bpf_feed()) */
	EVL_BPF_F_NO_HOOKS = 1u << 1,  /* load no kernel hook at all (tests, benchmarks) */
	EVL_BPF_F_NO_PIN = 1u << 2,    /* do not pin the maps */
	EVL_BPF_F_KEEP_PINS = 1u << 3, /* evl_bpf_close() leaves the pinned maps in place */
};

/* Called for each ring-buffer record; a negative return stops evl_bpf_consume() with it. */
typedef int (*evl_bpf_event_fn)(void *ctx, const struct evl_bpf_event *ev);

struct evl_bpf_opts {
	const char *pin_dir;	   /* NULL: EVL_BPF_PIN_DIR; its parent must be on bpffs */
	unsigned int flags;	   /* EVL_BPF_F_* */
	__u32 ringbuf_bytes;	   /* 0: 256 KiB; else a power of two >= the page size */
	__u32 max_stations;	   /* 0: 4096 (LRU: the least recently seen are evicted) */
	evl_bpf_event_fn on_event; /* may be NULL (records are then consumed and dropped) */
	void *ctx;
};

/* One kernel hook as probed and attached. */
struct evl_bpf_hook {
	const char *prog;   /* BPF program name */
	const char *target; /* "tp_btf/cfg80211:cfg80211_radar_event", "fentry/mac80211:..." */
	const char *feeds;  /* what it feeds, for the log */
	bool required;	    /* radar: without it evl cannot meet DFS duties */
	bool active;	    /* loaded and attached */
	char why[160];	    /* state in words: "attached", or why it is not */
};

struct evl_bpf;

struct evl_bpf *evl_bpf_open(const struct evl_bpf_opts *opts);
int evl_bpf_load(struct evl_bpf *b);
int evl_bpf_attach(struct evl_bpf *b);
void evl_bpf_close(struct evl_bpf *b);

/* Hooks in a fixed order; returns how many. Valid until evl_bpf_close(). */
size_t evl_bpf_hooks(const struct evl_bpf *b, const struct evl_bpf_hook **hooks);
/* Both radar hooks attached. */
bool evl_bpf_radar_ok(const struct evl_bpf *b);
const char *evl_bpf_pin_dir(const struct evl_bpf *b);
/*
 * The same ring buffer, config map and map reads over a tool's own loaded object that holds the
 * data plane's maps (it includes bpf/evl.h, e.g. evl-bench's skeleton). No hooks, no pins; the
 * object stays the caller's: evl_bpf_close() frees only the wrapper. NULL + errno on failure
 * (ENOENT: the object lacks the events, evl_config or counters map).
 */
struct bpf_object;
struct evl_bpf *evl_bpf_wrap(struct bpf_object *obj, const struct evl_bpf_opts *opts);

/* Ring buffer: fd for epoll (after load), and a non-blocking drain: records or -errno. */
int evl_bpf_ringbuf_fd(const struct evl_bpf *b);
int evl_bpf_consume(struct evl_bpf *b);
int evl_bpf_poll(struct evl_bpf *b, int timeout_ms);
/* Records shorter than struct evl_bpf_event (never expected; skipped). */
unsigned long evl_bpf_bad_records(const struct evl_bpf *b);

/* Config map. check() returns NULL when valid, else a message naming the bad field. */
void evl_bpf_config_default(struct evl_bpf_cfg *cfg);
const char *evl_bpf_config_check(const struct evl_bpf_cfg *cfg);
int evl_bpf_config_set(struct evl_bpf *b, const struct evl_bpf_cfg *cfg); /* -EINVAL if bad */
int evl_bpf_config_get(const struct evl_bpf *b, struct evl_bpf_cfg *cfg);

/* Map reads: 0 or -ENOENT / -errno. */
int evl_bpf_counters_get(const struct evl_bpf *b, struct evl_bpf_counters *out);
int evl_bpf_station_get(const struct evl_bpf *b, __u32 ifindex, const __u8 addr[6],
			struct evl_bpf_txstat *out);
int evl_bpf_iface_get(const struct evl_bpf *b, __u32 ifindex, struct evl_bpf_iface *out);
int evl_bpf_hist_get(const struct evl_bpf *b, __u64 slots[EVL_BPF_HIST_SLOTS]);

/*
 * Run one synthetic record through the same code the hooks run (BPF_PROG_TEST_RUN).
 * Needs EVL_BPF_F_TEST. Returns the records sent (0..2) or -errno.
 */
int evl_bpf_feed(struct evl_bpf *b, const struct evl_bpf_feed *f);

#endif /* EVL_BPF_LOADER_H */
