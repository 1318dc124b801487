/* SPDX-License-Identifier: GPL-2.0 */
/*
 * evld's control protocol (evlctl <-> evld).
 *
 * Transport: a unix SOCK_SEQPACKET socket (default /run/evl/evld.sock, mode 0660, group from
 * the config). Message boundaries come from the socket, so there is no framing:
 *   request  one datagram, one line of printable ASCII (a trailing '\n' is allowed),
 *            at most EVL_CTL_REQ_MAX bytes, words separated by spaces:
 *              status | stats [--json] | tokens [--json] | rollback TOKEN | nop |
 *              inject --type T --ap AP [--severity S] [--confidence C] [--channel N] | reload |
 *              metrics --ap AP --per P --retry R --tput MBPS [--disc N] [--clients N] |
 *              scan IFACE | channels IFACE [--json]
 *   reply    one datagram of at most EVL_CTL_REPLY_MAX bytes:
 *              "ok\n" followed by the body, or "error: <message>\n".
 * A connection may carry several requests; it is closed after EVL_CTL_IDLE_MS without one.
 * Peers must be root, the daemon's own user, or in the socket's group (SO_PEERCRED and
 * SO_PEERGROUPS); others get "error: permission denied ..." and are disconnected.
 */
#ifndef EVL_CTL_H
#define EVL_CTL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define EVL_CTL_REQ_MAX	    512
#define EVL_CTL_REPLY_MAX   (64 * 1024)
#define EVL_CTL_IDLE_MS	    2000
#define EVL_CTL_MAX_CLIENTS 16

enum evl_ctl_cmd {
	EVL_CTL_STATUS,
	EVL_CTL_STATS,
	EVL_CTL_TOKENS,
	EVL_CTL_ROLLBACK,
	EVL_CTL_NOP,
	EVL_CTL_INJECT,
	EVL_CTL_RELOAD,
	EVL_CTL_METRICS,  /* a link-metrics sample from external sensing (or a test) */
	EVL_CTL_SCAN,	  /* start an off-channel scan of an AP now */
	EVL_CTL_CHANNELS, /* the channel table the selector sees for an AP */
};

struct evl_ctl_req {
	enum evl_ctl_cmd cmd;
	bool json;	 /* stats, tokens, channels */
	char token[128]; /* rollback */
	char iface[32];	 /* scan, channels */
	struct {
		char type[32];	   /* event type, e.g. dfs_radar (the core validates the name) */
		char ap[32];	   /* AP identifier (interface name) */
		char severity[16]; /* critical|high|medium|low; "" = the type's default */
		double confidence; /* 0..1; 1.0 when not given */
		int channel;	   /* 0 when not given */
	} inject;
	struct {
		char ap[32];
		double per;	     /* packet error rate 0..1 */
		double retry;	     /* retry rate 0..1 */
		double tput_mbps;    /* >= 0 */
		double disc_per_min; /* disconnections per minute, 0 when not given */
		int clients;	     /* 0 when not given */
	} metrics;
};

/* Parse one request line. 0, or -EINVAL with a message for the user in err. */
int evl_ctl_parse(const char *line, size_t len, struct evl_ctl_req *req, char *err, size_t errlen);
const char *evl_ctl_cmd_name(enum evl_ctl_cmd cmd);

/* Reply being built by a handler; overflowing text is dropped and marks it truncated. */
struct evl_ctl_reply {
	char buf[EVL_CTL_REPLY_MAX];
	size_t len;
	bool truncated;
};

__attribute__((format(printf, 2, 3))) void evl_ctl_reply_printf(struct evl_ctl_reply *r,
								const char *fmt, ...);

struct evl_ctl_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/*
 * The daemon's side of a request: fill r and return 0 (ok) or -errno (error; r holds the
 * message, or is empty for strerror). It runs inside evl_ctl_server_dispatch(): it must not
 * free this server (a reload that moves the socket replaces it after dispatch returns).
 */
typedef int (*evl_ctl_handler)(void *ctx, const struct evl_ctl_req *req,
			       const struct evl_ctl_peer *peer, struct evl_ctl_reply *r);

struct evl_ctl_server_opts {
	const char *path;
	mode_t mode;		  /* 0660 */
	gid_t gid;		  /* group allowed to connect; (gid_t)-1 = root only */
	unsigned int idle_ms;	  /* 0 = EVL_CTL_IDLE_MS */
	unsigned int max_clients; /* 0 = EVL_CTL_MAX_CLIENTS */
	evl_ctl_handler handler;
	void *ctx;
};

struct evl_ctl_stats {
	uint64_t requests; /* requests answered (ok or error) */
	uint64_t errors;   /* malformed, oversized, handler errors */
	uint64_t denied;   /* peers refused by the credential check */
	uint64_t dropped;  /* clients closed: idle, busy, unreadable reply */
};

/*
 * Create, bind (refusing a path a live daemon still answers on; replacing a stale socket)
 * and listen. NULL + errno on failure. Changes the process umask around bind().
 */
struct evl_ctl_server *evl_ctl_server_new(const struct evl_ctl_server_opts *o);
/* One pollable fd (an epoll set inside) for the daemon's event loop. */
int evl_ctl_server_fd(const struct evl_ctl_server *s);
/* Handle whatever is ready: accept, read, reply, expire idle clients. Never blocks. */
int evl_ctl_server_dispatch(struct evl_ctl_server *s);
void evl_ctl_server_stats(const struct evl_ctl_server *s, struct evl_ctl_stats *out);
unsigned int evl_ctl_server_clients(const struct evl_ctl_server *s);
/* Closes every client and removes the socket file. NULL-safe. */
void evl_ctl_server_free(struct evl_ctl_server *s);

/*
 * Client: send one request line and wait up to timeout_ms for the reply. Returns 0 with the
 * body in *body (malloc'd), -EREMOTEIO with the daemon's error message in *body, or another
 * -errno (nothing in *body) when the daemon could not be reached or did not answer.
 */
int evl_ctl_request(const char *path, const char *line, int timeout_ms, char **body);

#endif /* EVL_CTL_H */
