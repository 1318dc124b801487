// SPDX-License-Identifier: GPL-2.0
/* Loader of the eBPF data plane: probe, load, pin, attach, ring buffer, config. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <evl/bpf_loader.h>
#include "evl.skel.h"

struct hook_def {
	const char *prog;
	const char *kind;   /* "tp_btf" or "fentry" */
	const char *target; /* tracepoint or function */
	const char *module; /* where the BTF lives on a modular kernel */
	bool required;
	const char *feeds;
};

static const struct hook_def hook_defs[] = {
	{"radar_detected", "tp_btf", "api_radar_detected", "mac80211", true,
	 "radar (earliest, wiphy only)"},
	{"radar_event", "tp_btf", "cfg80211_radar_event", "cfg80211", true,
	 "radar chandef (confirmation)"},
	{"cac_event", "tp_btf", "cfg80211_cac_event", "cfg80211", false, "CAC start/end"},
	{"tx_status", "fentry", "ieee80211_tx_status_ext", "mac80211", false,
	 "TX PER/retry spikes"},
	{"ch_switch_started", "tp_btf", "cfg80211_ch_switch_started_notify", "cfg80211", false,
	 "channel switch announced"},
	{"ch_switch_done", "tp_btf", "cfg80211_ch_switch_notify", "cfg80211", false,
	 "channel switch done"},
	{"new_sta", "tp_btf", "cfg80211_new_sta", "cfg80211", false, "associations"},
	{"del_sta", "tp_btf", "cfg80211_del_sta", "cfg80211", false, "disconnections"},
	{"restart_hw", "tp_btf", "api_restart_hw", "mac80211", false, "hw_restart watch"},
};

#define N_HOOKS (sizeof(hook_defs) / sizeof(hook_defs[0]))

/* The data plane's maps, wherever they live: evld's skeleton or a wrapped tool object. */
struct evl_bpf_maps {
	struct bpf_map *events, *evl_config, *counters, *stations, *ifaces, *tx_hook_ns;
};

struct evl_bpf {
	struct evl_skel *skel;	/* NULL for a wrapped object (evl_bpf_wrap()) */
	struct bpf_object *obj; /* skel->obj or the wrapped object */
	struct evl_bpf_maps m;
	struct ring_buffer *rb;
	struct evl_bpf_opts opts;
	char pin_dir[PATH_MAX - 32];
	bool pinned;
	unsigned long bad_records;
	struct evl_bpf_hook hooks[N_HOOKS];
	const char *chosen[N_HOOKS]; /* the program chosen for each hook, NULL: none */
	struct bpf_program *progs[N_HOOKS];
	struct bpf_link *links[N_HOOKS];
	char targets[N_HOOKS][96];
};

/* --- probing ----------------------------------------------------------------------------- */

struct btf_set {
	struct btf *vmlinux;
	struct btf *cfg80211;
	struct btf *mac80211;
	bool tried_cfg, tried_mac;
};

static struct btf *module_btf(struct btf_set *s, const char *mod)
{
	bool cfg = !strcmp(mod, "cfg80211");
	struct btf **slot = cfg ? &s->cfg80211 : &s->mac80211;
	bool *tried = cfg ? &s->tried_cfg : &s->tried_mac;

	if (!*tried && s->vmlinux) {
		*tried = true;
		*slot = btf__load_module_btf(mod, s->vmlinux);
	}
	return *slot;
}

/* The BTF type id of name/kind in vmlinux or the module; sets *where to the BTF holding it. */
static int find_type(struct btf_set *s, const char *mod, const char *name, int kind,
		     struct btf **where)
{
	struct btf *m;
	int id;

	id = btf__find_by_name_kind(s->vmlinux, name, kind);
	if (id > 0) {
		*where = s->vmlinux;
		return id;
	}
	m = module_btf(s, mod);
	if (!m)
		return -ENODEV;
	id = btf__find_by_name_kind(m, name, kind);
	if (id > 0) {
		*where = m;
		return id;
	}
	return -ENOENT;
}

/* Arguments of a tracepoint, from its btf_trace_<name> typedef (minus the leading ctx). */
static int tp_nargs(const struct btf *btf, int typedef_id)
{
	const struct btf_type *t = btf__type_by_id(btf, typedef_id);

	if (!t)
		return -EINVAL;
	t = btf__type_by_id(btf, t->type); /* pointer */
	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	t = btf__type_by_id(btf, t->type); /* func proto */
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	return btf_vlen(t) - 1;
}

static void probe_hook(struct evl_bpf *b, struct btf_set *s, size_t i)
{
	const struct hook_def *d = &hook_defs[i];
	struct evl_bpf_hook *h = &b->hooks[i];
	struct btf *where = NULL;
	char name[128];
	int id, n;

	if (b->opts.flags & EVL_BPF_F_NO_HOOKS) {
		snprintf(h->why, sizeof(h->why), "not loaded: hooks switched off by the caller");
		return;
	}
	if (!s->vmlinux) {
		snprintf(h->why, sizeof(h->why),
			 "missing: no kernel BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF)");
		return;
	}
	if (!strcmp(d->kind, "tp_btf")) {
		snprintf(name, sizeof(name), "btf_trace_%s", d->target);
		id = find_type(s, d->module, name, BTF_KIND_TYPEDEF, &where);
	} else {
		id = find_type(s, d->module, d->target, BTF_KIND_FUNC, &where);
	}
	if (id == -ENODEV) {
		snprintf(h->why, sizeof(h->why),
			 "missing: no BTF for module %s (module not loaded, or kernel without "
			 "CONFIG_DEBUG_INFO_BTF_MODULES)",
			 d->module);
		return;
	}
	if (id < 0) {
		snprintf(h->why, sizeof(h->why), "missing: %s %s not in kernel or %s BTF",
			 strcmp(d->kind, "tp_btf") ? "function" : "tracepoint", d->target,
			 d->module);
		return;
	}
	b->chosen[i] = d->prog;
	if (!strcmp(d->prog, "radar_event")) {
		/* (wiphy, chandef, offchan) since 5.17, (wiphy, chandef) before */
		n = tp_nargs(where, id);
		if (n < 3)
			b->chosen[i] = "radar_event_2";
	}
	snprintf(h->why, sizeof(h->why), "found, not attached yet");
}

/* --- open / load / pin / attach --------------------------------------------------------- */

static bool is_hook_prog(const struct bpf_program *p)
{
	const char *name = bpf_program__name(p);
	size_t i;

	if (!strcmp(name, "radar_event_2"))
		return true;
	for (i = 0; i < N_HOOKS; i++)
		if (!strcmp(name, hook_defs[i].prog))
			return true;
	return false;
}

/*
 * Open the skeleton as the probe left it: map sizes, test entry points on request, only the
 * chosen hook programs. Called again after the verifier rejected one of them.
 */
static int skel_open(struct evl_bpf *b)
{
	struct bpf_program *p;
	size_t i;

	b->skel = evl_skel__open();
	if (!b->skel)
		return -errno;
	b->obj = b->skel->obj;
	b->m = (struct evl_bpf_maps){
		.events = b->skel->maps.events,
		.evl_config = b->skel->maps.evl_config,
		.counters = b->skel->maps.counters,
		.stations = b->skel->maps.stations,
		.ifaces = b->skel->maps.ifaces,
		.tx_hook_ns = b->skel->maps.tx_hook_ns,
	};
	if ((b->opts.ringbuf_bytes &&
	     bpf_map__set_max_entries(b->m.events, b->opts.ringbuf_bytes)) ||
	    (b->opts.max_stations && bpf_map__set_max_entries(b->m.stations, b->opts.max_stations)))
		return -EINVAL;
	bpf_object__for_each_program(p, b->obj) bpf_program__set_autoload(
		p, is_hook_prog(p) ? false : !!(b->opts.flags & EVL_BPF_F_TEST));
	for (i = 0; i < N_HOOKS; i++) {
		b->progs[i] = b->chosen[i] ? bpf_object__find_program_by_name(b->obj, b->chosen[i])
					   : NULL;
		if (b->progs[i])
			bpf_program__set_autoload(b->progs[i], true);
	}
	return 0;
}

struct evl_bpf *evl_bpf_open(const struct evl_bpf_opts *opts)
{
	static const struct evl_bpf_opts defaults;
	struct btf_set s = {0};
	struct evl_bpf *b;
	long page = sysconf(_SC_PAGESIZE);
	size_t i;
	int err;

	if (!opts)
		opts = &defaults;
	if (opts->ringbuf_bytes && ((long)opts->ringbuf_bytes < page ||
				    (opts->ringbuf_bytes & (opts->ringbuf_bytes - 1)))) {
		errno = EINVAL;
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->opts = *opts;
	if (snprintf(b->pin_dir, sizeof(b->pin_dir), "%s",
		     opts->pin_dir ? opts->pin_dir : EVL_BPF_PIN_DIR) >= (int)sizeof(b->pin_dir)) {
		err = -ENAMETOOLONG;
		goto err_free;
	}
	s.vmlinux = btf__load_vmlinux_btf(); /* NULL: every hook reports it missing */
	for (i = 0; i < N_HOOKS; i++) {
		const struct hook_def *d = &hook_defs[i];
		struct evl_bpf_hook *h = &b->hooks[i];

		snprintf(b->targets[i], sizeof(b->targets[i]), "%s/%s:%s", d->kind, d->module,
			 d->target);
		h->prog = d->prog;
		h->target = b->targets[i];
		h->feeds = d->feeds;
		h->required = d->required;
		probe_hook(b, &s, i);
	}
	btf__free(s.cfg80211);
	btf__free(s.mac80211);
	btf__free(s.vmlinux);
	err = skel_open(b);
	if (err)
		goto err_skel;
	return b;

err_skel:
	evl_skel__destroy(b->skel);
err_free:
	free(b);
	errno = -err;
	return NULL;
}

static const char *pin_name(const struct bpf_map *m)
{
	const char *n = bpf_map__name(m);

	return strncmp(n, "evl_", 4) ? n : n + 4;
}

static bool pinnable(const struct bpf_map *m)
{
	const char *n = bpf_map__name(m);

	return !strchr(n, '.'); /* not .rodata / .bss */
}

static void unpin_all(struct evl_bpf *b)
{
	struct bpf_map *m;
	char path[PATH_MAX];

	bpf_object__for_each_map(m, b->obj)
	{
		if (!pinnable(m))
			continue;
		snprintf(path, sizeof(path), "%s/%s", b->pin_dir, pin_name(m));
		unlink(path);
	}
	rmdir(b->pin_dir); /* fails harmlessly when someone else keeps files there */
	b->pinned = false;
}

/* Fresh maps on every start: stale pins of a previous run are replaced. */
static int pin_all(struct evl_bpf *b)
{
	struct bpf_map *m;
	char path[PATH_MAX];
	int err;

	if (mkdir(b->pin_dir, 0700) && errno != EEXIST)
		return -errno;
	b->pinned = true;
	bpf_object__for_each_map(m, b->obj)
	{
		if (!pinnable(m))
			continue;
		snprintf(path, sizeof(path), "%s/%s", b->pin_dir, pin_name(m));
		unlink(path);
		if (bpf_obj_pin(bpf_map__fd(m), path)) {
			err = -errno;
			unpin_all(b);
			return err;
		}
	}
	return 0;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct evl_bpf *b = ctx;

	if (size < sizeof(struct evl_bpf_event)) {
		b->bad_records++;
		return 0;
	}
	return b->opts.on_event ? b->opts.on_event(b->opts.ctx, data) : 0;
}

/* The verifier's verdict: the last line of its log that is not a statistics line. */
static void verifier_reason(const char *log, char *out, size_t len)
{
	const char *line = log, *best = NULL, *end;
	size_t n = 0;

	while (*line) {
		end = line + strcspn(line, "\n");
		if (end > line && strncmp(line, "processed ", 10) &&
		    strncmp(line, "verification time", 17)) {
			best = line;
			n = (size_t)(end - line);
		}
		line = *end ? end + 1 : end;
	}
	if (!best)
		snprintf(out, len, "no reason in the verifier log");
	else
		snprintf(out, len, "%.*s", (int)n, best);
}

#define VERIFIER_LOG_LEN (256 * 1024)

/*
 * Load the skeleton. A hook program the verifier refuses is switched off with the verifier's
 * reason in its hook's `why`, and the rest is loaded again without it: one program's rejection
 * never takes the others down. Other load failures (maps, no BPF at all) are returned.
 */
static int skel_load(struct evl_bpf *b)
{
	char *logs[N_HOOKS] = {0};
	size_t i, bad;
	int err = 0;

	for (;;) {
		for (i = 0; i < N_HOOKS; i++) {
			if (!b->progs[i])
				continue;
			if (!logs[i] && !(logs[i] = malloc(VERIFIER_LOG_LEN))) {
				err = -ENOMEM;
				goto out;
			}
			logs[i][0] = 0;
			bpf_program__set_log_buf(b->progs[i], logs[i], VERIFIER_LOG_LEN);
		}
		err = evl_skel__load(b->skel);
		if (!err)
			goto out;
		err = err < 0 ? err : -EINVAL;
		for (bad = 0; bad < N_HOOKS; bad++)
			if (b->progs[bad] && logs[bad][0])
				break;
		if (bad == N_HOOKS)
			goto out; /* not a verifier verdict on one of the hooks */
		strcpy(b->hooks[bad].why, "rejected by the verifier: ");
		verifier_reason(logs[bad], b->hooks[bad].why + strlen(b->hooks[bad].why),
				sizeof(b->hooks[bad].why) - strlen(b->hooks[bad].why));
		b->chosen[bad] = NULL;
		evl_skel__destroy(b->skel);
		b->skel = NULL;
		b->obj = NULL;
		err = skel_open(b);
		if (err)
			goto out;
	}
out:
	for (i = 0; i < N_HOOKS; i++)
		free(logs[i]);
	return err;
}

/* Default config, pins, ring buffer: what a loaded object needs before records flow. */
static int loaded(struct evl_bpf *b)
{
	struct evl_bpf_cfg cfg;
	int err;

	evl_bpf_config_default(&cfg);
	err = evl_bpf_config_set(b, &cfg);
	if (err)
		return err;
	if (!(b->opts.flags & EVL_BPF_F_NO_PIN)) {
		err = pin_all(b);
		if (err)
			return err;
	}
	b->rb = ring_buffer__new(bpf_map__fd(b->m.events), on_sample, b, NULL);
	if (!b->rb)
		return -errno;
	return 0;
}

int evl_bpf_load(struct evl_bpf *b)
{
	int err;

	if (!b || !b->skel || b->rb)
		return -EINVAL;
	err = skel_load(b);
	return err ? err : loaded(b);
}

struct evl_bpf *evl_bpf_wrap(struct bpf_object *obj, const struct evl_bpf_opts *opts)
{
	struct evl_bpf *b;
	int err;

	if (!obj) {
		errno = EINVAL;
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	if (opts)
		b->opts = *opts;
	b->opts.flags = (b->opts.flags | EVL_BPF_F_NO_PIN | EVL_BPF_F_NO_HOOKS) & ~EVL_BPF_F_TEST;
	b->obj = obj;
	b->m = (struct evl_bpf_maps){
		.events = bpf_object__find_map_by_name(obj, "events"),
		.evl_config = bpf_object__find_map_by_name(obj, "evl_config"),
		.counters = bpf_object__find_map_by_name(obj, "counters"),
		.stations = bpf_object__find_map_by_name(obj, "stations"),
		.ifaces = bpf_object__find_map_by_name(obj, "ifaces"),
		.tx_hook_ns = bpf_object__find_map_by_name(obj, "tx_hook_ns"),
	};
	err = b->m.events && b->m.evl_config && b->m.counters ? loaded(b) : -ENOENT;
	if (err) {
		evl_bpf_close(b);
		errno = -err;
		return NULL;
	}
	return b;
}

int evl_bpf_attach(struct evl_bpf *b)
{
	size_t i;

	if (!b || !b->rb)
		return -EINVAL;
	for (i = 0; i < N_HOOKS; i++) {
		struct evl_bpf_hook *h = &b->hooks[i];

		if (!b->progs[i] || b->links[i])
			continue;
		b->links[i] = bpf_program__attach(b->progs[i]);
		if (!b->links[i]) {
			snprintf(h->why, sizeof(h->why), "attach failed: %s", strerror(errno));
			continue;
		}
		h->active = true;
		snprintf(h->why, sizeof(h->why), "attached (%s)", bpf_program__name(b->progs[i]));
	}
	return 0;
}

void evl_bpf_close(struct evl_bpf *b)
{
	size_t i;

	if (!b)
		return;
	ring_buffer__free(b->rb);
	for (i = 0; i < N_HOOKS; i++)
		bpf_link__destroy(b->links[i]);
	if (b->pinned && !(b->opts.flags & EVL_BPF_F_KEEP_PINS))
		unpin_all(b);
	evl_skel__destroy(b->skel);
	free(b);
}

/* --- queries ------------------------------------------------------------------------------ */

size_t evl_bpf_hooks(const struct evl_bpf *b, const struct evl_bpf_hook **hooks)
{
	if (!b || !b->skel) { /* a wrapped object has no hooks */
		*hooks = NULL;
		return 0;
	}
	*hooks = b->hooks;
	return N_HOOKS;
}

bool evl_bpf_radar_ok(const struct evl_bpf *b)
{
	size_t i;

	if (!b || !b->skel)
		return false;
	for (i = 0; i < N_HOOKS; i++)
		if (b->hooks[i].required && !b->hooks[i].active)
			return false;
	return true;
}

const char *evl_bpf_pin_dir(const struct evl_bpf *b)
{
	return b ? b->pin_dir : NULL;
}

int evl_bpf_ringbuf_fd(const struct evl_bpf *b)
{
	return b && b->rb ? ring_buffer__epoll_fd(b->rb) : -EINVAL;
}

int evl_bpf_consume(struct evl_bpf *b)
{
	return b && b->rb ? ring_buffer__consume(b->rb) : -EINVAL;
}

int evl_bpf_poll(struct evl_bpf *b, int timeout_ms)
{
	return b && b->rb ? ring_buffer__poll(b->rb, timeout_ms) : -EINVAL;
}

unsigned long evl_bpf_bad_records(const struct evl_bpf *b)
{
	return b ? b->bad_records : 0;
}

/* --- config -------------------------------------------------------------------------------- */

void evl_bpf_config_default(struct evl_bpf_cfg *cfg)
{
	*cfg = (struct evl_bpf_cfg){
		.per_thresh_ppm = 100000,
		.per_rise_pct = 30,
		.retry_thresh_ppm = 200000,
		.retry_rise_pct = 30,
		.min_frames = 50,
		.window_buckets = 10,
		.bucket_ns = 1000000000ull,
		.ewma_weight_pct = 20,
		.base_min_frames = 10,
		.rate_limit_ns = 5000000000ull,
		.sta_window_ns = 60000000000ull,
		.iface_detect = 1,
	};
}

const char *evl_bpf_config_check(const struct evl_bpf_cfg *c)
{
	if (c->per_thresh_ppm > 1000000)
		return "per_thresh_ppm: above 1000000 (100 %)";
	if (c->retry_thresh_ppm > 1000000)
		return "retry_thresh_ppm: above 1000000 (100 %)";
	if (c->per_rise_pct > 10000 || c->retry_rise_pct > 10000)
		return "per_rise_pct/retry_rise_pct: above 10000 %";
	if (c->window_buckets < 1 || c->window_buckets > EVL_BPF_WIN_MAX)
		return "window_buckets: must be 1..16";
	if (c->bucket_ns < 1000000)
		return "bucket_ns: below 1 ms";
	if (c->ewma_weight_pct < 1 || c->ewma_weight_pct > 100)
		return "ewma_weight_pct: must be 1..100";
	if (c->sta_window_ns < 1000000)
		return "sta_window_ns: below 1 ms";
	if (c->iface_detect > 1)
		return "iface_detect: must be 0 or 1";
	if (c->pad)
		return "pad: must be 0";
	return NULL;
}

int evl_bpf_config_set(struct evl_bpf *b, const struct evl_bpf_cfg *cfg)
{
	__u32 k = 0;

	if (!b || !cfg || evl_bpf_config_check(cfg))
		return -EINVAL;
	if (bpf_map_update_elem(bpf_map__fd(b->m.evl_config), &k, cfg, BPF_ANY))
		return -errno;
	return 0;
}

static int lookup(const struct evl_bpf *b, const struct bpf_map *m, const void *key, void *val)
{
	if (!b)
		return -EINVAL;
	if (bpf_map_lookup_elem(bpf_map__fd(m), key, val))
		return -errno;
	return 0;
}

int evl_bpf_config_get(const struct evl_bpf *b, struct evl_bpf_cfg *cfg)
{
	__u32 k = 0;

	return lookup(b, b ? b->m.evl_config : NULL, &k, cfg);
}

int evl_bpf_counters_get(const struct evl_bpf *b, struct evl_bpf_counters *out)
{
	__u32 k = 0;

	return lookup(b, b ? b->m.counters : NULL, &k, out);
}

int evl_bpf_station_get(const struct evl_bpf *b, __u32 ifindex, const __u8 addr[6],
			struct evl_bpf_txstat *out)
{
	struct evl_bpf_sta_key k = {.ifindex = ifindex};

	memcpy(k.addr, addr, sizeof(k.addr));
	return lookup(b, b ? b->m.stations : NULL, &k, out);
}

int evl_bpf_iface_get(const struct evl_bpf *b, __u32 ifindex, struct evl_bpf_iface *out)
{
	return lookup(b, b ? b->m.ifaces : NULL, &ifindex, out);
}

int evl_bpf_hist_get(const struct evl_bpf *b, __u64 slots[EVL_BPF_HIST_SLOTS])
{
	__u32 i;
	int err;

	for (i = 0; i < EVL_BPF_HIST_SLOTS; i++) {
		err = lookup(b, b ? b->m.tx_hook_ns : NULL, &i, &slots[i]);
		if (err)
			return err;
	}
	return 0;
}

int evl_bpf_feed(struct evl_bpf *b, const struct evl_bpf_feed *f)
{
	struct evl_bpf_feed in;
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = &in, .ctx_size_in = sizeof(in));
	int fd;

	if (!b || !f || !b->rb)
		return -EINVAL;
	if (!(b->opts.flags & EVL_BPF_F_TEST))
		return -EOPNOTSUPP;
	in = *f;
	fd = bpf_program__fd(b->skel->progs.test_feed);
	if (fd < 0)
		return -EOPNOTSUPP;
	if (bpf_prog_test_run_opts(fd, &topts))
		return -errno;
	return (int)topts.retval;
}
