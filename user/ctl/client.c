// SPDX-License-Identifier: GPL-2.0
/* Control protocol client: one request, one reply, bounded wait. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <evl/ctl.h>

int evl_ctl_request(const char *path, const char *line, int timeout_ms, char **body)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct pollfd pfd;
	size_t len = strlen(line), cap = EVL_CTL_REPLY_MAX + 64;
	char *buf = NULL;
	ssize_t n;
	int fd, rc;

	*body = NULL;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	if (len > EVL_CTL_REQ_MAX)
		return -EMSGSIZE;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		rc = -errno;
		goto out_close;
	}
	/* EPIPE: the daemon refused us at once (busy, permission); its reason is still queued. */
	if (send(fd, line, len, MSG_NOSIGNAL) != (ssize_t)len && errno != EPIPE) {
		rc = -errno;
		goto out_close;
	}
	pfd = (struct pollfd){.fd = fd, .events = POLLIN};
	rc = poll(&pfd, 1, timeout_ms);
	if (rc <= 0) {
		rc = rc ? -errno : -ETIMEDOUT;
		goto out_close;
	}
	buf = malloc(cap + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out_close;
	}
	n = recv(fd, buf, cap, MSG_DONTWAIT);
	if (n < 0 && errno == ECONNRESET) /* closed after replying: the reply is still queued */
		n = recv(fd, buf, cap, MSG_DONTWAIT);
	if (n <= 0) {
		rc = n ? -errno : -ECONNRESET; /* closed without a reply */
		goto out_free;
	}
	buf[n] = 0;
	if (n >= 3 && !memcmp(buf, "ok\n", 3)) {
		memmove(buf, buf + 3, n - 2);
		rc = 0;
	} else if (n >= 7 && !memcmp(buf, "error: ", 7)) {
		memmove(buf, buf + 7, n - 6);
		rc = -EREMOTEIO;
	} else {
		rc = -EPROTO;
		goto out_free;
	}
	*body = buf;
	close(fd);
	return rc;
out_free:
	free(buf);
out_close:
	close(fd);
	return rc;
}
