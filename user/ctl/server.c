// SPDX-License-Identifier: GPL-2.0
/*
 * Control socket server: non-blocking, one epoll set inside (listen socket, clients and an
 * idle timer) exposed as a single fd, so the daemon's loop polls one thing and nothing a
 * client does (send garbage, send nothing, never read) can block or crash it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <evl/ctl.h>

#define TAG_LISTEN 0
#define TAG_TIMER  1
#define TAG_CLIENT 2 /* + client slot */

struct client {
	int fd;
	struct evl_ctl_peer peer;
	uint64_t deadline_ms;
};

struct evl_ctl_server {
	int ep, lfd, tfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	gid_t gid;
	uid_t self;
	unsigned int idle_ms, max_clients, n_clients;
	evl_ctl_handler handler;
	void *ctx;
	struct evl_ctl_stats stats;
	struct client *clients;
	struct evl_ctl_reply reply;
	char out[EVL_CTL_REPLY_MAX + 16];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static int ep_add(int ep, int fd, uint64_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* Best effort, never blocks: a client that does not read its replies loses them. */
static void send_text(int fd, const char *text, size_t len)
{
	(void)send(fd, text, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/*
 * Last words to a client we are about to close. Unread requests are discarded first: closing
 * with a non-empty receive queue resets the peer, which could then miss the message.
 */
static void send_final(int fd, const char *text, size_t len)
{
	char sink[64];

	for (int i = 0; i < 64 && recv(fd, sink, sizeof(sink), MSG_DONTWAIT | MSG_TRUNC) > 0; i++)
		;
	send_text(fd, text, len);
}

static bool peer_allowed(struct evl_ctl_server *s, int fd, struct evl_ctl_peer *p)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	gid_t groups[256];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len))
		return false;
	p->pid = uc.pid;
	p->uid = uc.uid;
	p->gid = uc.gid;
	if (uc.uid == 0 || uc.uid == s->self)
		return true;
	if (s->gid == (gid_t)-1)
		return false;
	if (uc.gid == s->gid)
		return true;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == s->gid)
			return true;
	return false;
}

static void arm_timer(struct evl_ctl_server *s)
{
	struct itimerspec its = {0};
	uint64_t next = UINT64_MAX;

	for (unsigned int i = 0; i < s->max_clients; i++)
		if (s->clients[i].fd >= 0 && s->clients[i].deadline_ms < next)
			next = s->clients[i].deadline_ms;
	if (next != UINT64_MAX) {
		its.it_value.tv_sec = next / 1000;
		its.it_value.tv_nsec = (next % 1000) * 1000000 + 1; /* never 0: that disarms */
	}
	timerfd_settime(s->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void drop_client(struct evl_ctl_server *s, struct client *c)
{
	close(c->fd); /* also leaves the epoll set */
	c->fd = -1;
	s->n_clients--;
}

static void do_accept(struct evl_ctl_server *s)
{
	for (;;) {
		struct evl_ctl_peer peer;
		struct client *c = NULL;
		char msg[160];
		int fd, n;

		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (!peer_allowed(s, fd, &peer)) {
			n = snprintf(msg, sizeof(msg),
				     "error: permission denied: uid %u is not root and not in the "
				     "control socket's group\n",
				     (unsigned int)peer.uid);
			send_final(fd, msg, n);
			close(fd);
			s->stats.denied++;
			continue;
		}
		for (unsigned int i = 0; i < s->max_clients && !c; i++)
			if (s->clients[i].fd < 0)
				c = &s->clients[i];
		if (!c || ep_add(s->ep, fd, TAG_CLIENT + (c - s->clients))) {
			static const char busy[] = "error: busy, too many control clients\n";

			send_final(fd, busy, sizeof(busy) - 1);
			close(fd);
			s->stats.dropped++;
			continue;
		}
		c->fd = fd;
		c->peer = peer;
		c->deadline_ms = now_ms() + s->idle_ms;
		s->n_clients++;
	}
}

static void answer(struct evl_ctl_server *s, struct client *c, const char *in, ssize_t n,
		   bool truncated)
{
	struct evl_ctl_req req;
	char err[256];
	size_t len;
	int rc;

	s->stats.requests++;
	if (truncated) {
		rc = -EMSGSIZE;
		snprintf(err, sizeof(err), "request longer than %d bytes", EVL_CTL_REQ_MAX);
	} else {
		rc = evl_ctl_parse(in, n, &req, err, sizeof(err));
	}
	if (rc) {
		s->stats.errors++;
		len = snprintf(s->out, sizeof(s->out), "error: %s\n", err);
		send_text(c->fd, s->out, len);
		return;
	}

	s->reply.len = 0;
	s->reply.truncated = false;
	s->reply.buf[0] = 0;
	rc = s->handler(s->ctx, &req, &c->peer, &s->reply);
	if (!rc && s->reply.truncated) {
		rc = -EMSGSIZE;
		s->reply.len = 0;
	}
	if (rc) {
		const char *m = s->reply.len ? s->reply.buf : strerror(-rc);

		s->stats.errors++;
		len = strlen(m);
		len = snprintf(s->out, sizeof(s->out), "error: %s%s", m,
			       len && m[len - 1] == '\n' ? "" : "\n");
	} else {
		memcpy(s->out, "ok\n", 3);
		memcpy(s->out + 3, s->reply.buf, s->reply.len);
		len = 3 + s->reply.len;
	}
	send_text(c->fd, s->out, len);
}

static void do_client(struct evl_ctl_server *s, struct client *c, uint32_t events)
{
	char in[EVL_CTL_REQ_MAX + 2];

	for (;;) {
		struct iovec iov = {in, sizeof(in)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) { /* EOF (or an empty datagram) or an error */
			drop_client(s, c);
			return;
		}
		answer(s, c, in, n, mh.msg_flags & MSG_TRUNC);
		c->deadline_ms = now_ms() + s->idle_ms;
	}
	if (events & (EPOLLHUP | EPOLLERR))
		drop_client(s, c);
}

static void expire(struct evl_ctl_server *s)
{
	uint64_t exp, now = now_ms();

	(void)!read(s->tfd, &exp, sizeof(exp));
	for (unsigned int i = 0; i < s->max_clients; i++) {
		struct client *c = &s->clients[i];

		if (c->fd >= 0 && c->deadline_ms <= now) {
			static const char idle[] = "error: idle timeout\n";

			send_final(c->fd, idle, sizeof(idle) - 1);
			drop_client(s, c);
			s->stats.dropped++;
		}
	}
}

int evl_ctl_server_dispatch(struct evl_ctl_server *s)
{
	struct epoll_event ev[16];
	int n = epoll_wait(s->ep, ev, 16, 0);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		uint64_t tag = ev[i].data.u64;

		if (tag == TAG_LISTEN)
			do_accept(s);
		else if (tag == TAG_TIMER)
			expire(s);
		else if (s->clients[tag - TAG_CLIENT].fd >= 0)
			do_client(s, &s->clients[tag - TAG_CLIENT], ev[i].events);
	}
	arm_timer(s);
	return 0;
}

/* A socket file a live daemon still answers on must not be stolen; a stale one goes. */
static int claim_path(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc;

	if (lstat(sa->sun_path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (!rc)
		return -EADDRINUSE;
	return unlink(sa->sun_path) ? -errno : 0;
}

struct evl_ctl_server *evl_ctl_server_new(const struct evl_ctl_server_opts *o)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct evl_ctl_server *s;
	mode_t old;
	int rc;

	if (!o->path || !o->handler || strlen(o->path) >= sizeof(sa.sun_path) || !o->path[0]) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ep = s->lfd = s->tfd = -1;
	strcpy(sa.sun_path, o->path);
	s->gid = o->gid;
	s->self = geteuid();
	s->idle_ms = o->idle_ms ?: EVL_CTL_IDLE_MS;
	s->max_clients = o->max_clients ?: EVL_CTL_MAX_CLIENTS;
	s->handler = o->handler;
	s->ctx = o->ctx;
	s->clients = calloc(s->max_clients, sizeof(*s->clients));
	if (!s->clients)
		goto err;
	for (unsigned int i = 0; i < s->max_clients; i++)
		s->clients[i].fd = -1;

	s->ep = epoll_create1(EPOLL_CLOEXEC);
	s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->ep < 0 || s->tfd < 0 || s->lfd < 0)
		goto err;
	rc = claim_path(&sa);
	if (rc) {
		errno = -rc;
		goto err;
	}
	/* Never a moment with looser permissions than asked for. */
	old = umask(~o->mode & 0777);
	rc = bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc)
		goto err;
	strcpy(s->path, o->path); /* ours now: free() removes it */
	if ((o->gid != (gid_t)-1 && chown(s->path, -1, o->gid)) || chmod(s->path, o->mode) ||
	    listen(s->lfd, 16) || ep_add(s->ep, s->lfd, TAG_LISTEN) ||
	    ep_add(s->ep, s->tfd, TAG_TIMER))
		goto err;
	return s;
err:
	rc = errno;
	evl_ctl_server_free(s);
	errno = rc;
	return NULL;
}

int evl_ctl_server_fd(const struct evl_ctl_server *s)
{
	return s->ep;
}

void evl_ctl_server_stats(const struct evl_ctl_server *s, struct evl_ctl_stats *out)
{
	*out = s->stats;
}

unsigned int evl_ctl_server_clients(const struct evl_ctl_server *s)
{
	return s->n_clients;
}

void evl_ctl_server_free(struct evl_ctl_server *s)
{
	if (!s)
		return;
	for (unsigned int i = 0; s->clients && i < s->max_clients; i++)
		if (s->clients[i].fd >= 0)
			close(s->clients[i].fd);
	if (s->path[0])
		unlink(s->path);
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->tfd >= 0)
		close(s->tfd);
	if (s->ep >= 0)
		close(s->ep);
	free(s->clients);
	free(s);
}
