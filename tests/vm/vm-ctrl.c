// SPDX-License-Identifier: MIT
/*
 * vm-ctrl: raw client for hostapd / wpa_supplicant control sockets, for the VM test bed.
 *
 *   vm-ctrl SOCK request CMD...          send CMD, print the reply byte for byte
 *   vm-ctrl SOCK monitor                 ATTACH, print "SEC.USEC <raw event>" per event
 *   vm-ctrl SOCK on-trace PIPE WORD CMD...  connect first, then block on a tracefs trace_pipe
 *                                        and send CMD the moment a line containing WORD
 *                                        appears (what evld does on api_radar_detected, with
 *                                        trace_pipe standing in for the BPF ring buffer)
 *   vm-ctrl mark FILE TEXT               write "TEXT realtime=SEC.USEC" to a tracefs trace_marker
 *                                        (aligns the trace clock with CLOCK_REALTIME to ~us)
 *   vm-ctrl hwsim-del PHY                HWSIM_CMD_DEL_RADIO: remove a mac80211_hwsim radio by
 *                                        its wiphy name at run time (a device unplugged)
 *
 * Times are CLOCK_REALTIME, the clock hostapd -t and wpa_supplicant -t stamp their logs with.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static char local_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static void cleanup(void)
{
	if (local_path[0])
		unlink(local_path);
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static double now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec + tv.tv_usec / 1e6;
}

static int ctrl_open(const char *path)
{
	struct sockaddr_un local = {.sun_family = AF_UNIX}, dest = {.sun_family = AF_UNIX};
	struct timeval tmo = {.tv_sec = 10};
	int fd;

	if (strlen(path) >= sizeof(dest.sun_path)) {
		fprintf(stderr, "vm-ctrl: socket path too long: %s\n", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	snprintf(local_path, sizeof(local_path), "/tmp/vm-ctrl-%d", getpid());
	strcpy(local.sun_path, local_path);
	strcpy(dest.sun_path, path);
	unlink(local_path);
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    connect(fd, (struct sockaddr *)&dest, sizeof(dest)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) < 0)
		goto fail;
	return fd;
fail:
	fprintf(stderr, "vm-ctrl: %s: %s\n", path, strerror(errno));
	return -1;
}

/* Send cmd, skip unsolicited events ("<N>..."), return the reply length or -1. */
static int ctrl_request(int fd, const char *cmd, char *buf, size_t size)
{
	ssize_t n;

	if (send(fd, cmd, strlen(cmd), 0) < 0) {
		fprintf(stderr, "vm-ctrl: send '%s': %s\n", cmd, strerror(errno));
		return -1;
	}
	for (;;) {
		n = recv(fd, buf, size - 1, 0);
		if (n < 0) {
			fprintf(stderr, "vm-ctrl: no reply to '%s': %s\n", cmd, strerror(errno));
			return -1;
		}
		buf[n] = '\0';
		if (buf[0] != '<')
			return (int)n;
	}
}

static void join(char *dst, size_t size, int argc, char **argv)
{
	size_t len = 0;

	dst[0] = '\0';
	for (int i = 0; i < argc && len < size; i++)
		len += snprintf(dst + len, size - len, "%s%s", i ? " " : "", argv[i]);
}

static int monitor(int fd)
{
	struct timeval none = {0};
	char buf[4096];
	ssize_t n;

	if (ctrl_request(fd, "ATTACH", buf, sizeof(buf)) < 0)
		return 1;
	if (strncmp(buf, "OK", 2)) {
		fprintf(stderr, "vm-ctrl: ATTACH refused: %s\n", buf);
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "vm-ctrl: recv: %s\n", strerror(errno));
			return 1;
		}
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		printf("%.6f %s\n", now(), buf);
	}
}

static int on_trace(int fd, const char *pipe, const char *word, const char *cmd)
{
	char line[1024], reply[4096];
	double t_seen, t_reply;
	FILE *tp;
	int n;

	tp = fopen(pipe, "re");
	if (!tp) {
		fprintf(stderr, "vm-ctrl: %s: %s\n", pipe, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), tp) && !strstr(line, word))
		;
	t_seen = now();
	fclose(tp);
	n = ctrl_request(fd, cmd, reply, sizeof(reply));
	t_reply = now();
	if (n < 0)
		return 1;
	reply[strcspn(reply, "\n")] = '\0';
	printf("seen=%.6f replied=%.6f cmd='%s' reply='%s'\n", t_seen, t_reply, cmd, reply);
	return 0;
}

static int mark(const char *path, const char *text)
{
	char buf[512];
	FILE *f;
	int n;

	f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "vm-ctrl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	n = snprintf(buf, sizeof(buf), "%s realtime=%.6f\n", text, now());
	if (fwrite(buf, 1, n, f) != (size_t)n || fclose(f)) {
		fprintf(stderr, "vm-ctrl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* mac80211_hwsim's generic netlink API (drivers/net/wireless/virtual/mac80211_hwsim.h) */
#define HWSIM_CMD_DEL_RADIO   5
#define HWSIM_ATTR_RADIO_NAME 17

struct genl_req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char attrs[256];
};

static void put_attr(struct genl_req *r, int type, const void *data, int len)
{
	struct nlattr *a = (struct nlattr *)((char *)r + NLMSG_ALIGN(r->n.nlmsg_len));

	a->nla_type = (unsigned short)type;
	a->nla_len = (unsigned short)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->n.nlmsg_len = NLMSG_ALIGN(r->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* Send one request, read its answer: the error code of the ack (0), or the family id. */
static int genl_talk(int fd, struct genl_req *r, int *family)
{
	char buf[8192];
	struct nlmsghdr *h;
	int n;

	if (send(fd, r, r->n.nlmsg_len, 0) < 0 || (n = (int)recv(fd, buf, sizeof(buf), 0)) < 0)
		return -errno;
	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned int)n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR)
			return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		if (family && h->nlmsg_type == GENL_ID_CTRL) {
			struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
			int left = (int)h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

			for (; left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= left;
			     left -= NLA_ALIGN(a->nla_len),
			     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
				if (a->nla_type == CTRL_ATTR_FAMILY_ID) {
					*family = *(unsigned short *)((char *)a + NLA_HDRLEN);
					return 0;
				}
		}
	}
	return -EPROTO;
}

static int hwsim_del(const char *phy)
{
	struct genl_req r = {.n = {.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN),
				   .nlmsg_type = GENL_ID_CTRL,
				   .nlmsg_flags = NLM_F_REQUEST,
				   .nlmsg_seq = 1},
			     .g = {.cmd = CTRL_CMD_GETFAMILY, .version = 1}};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC), family = 0, rc;

	if (fd < 0 || strlen(phy) > 64)
		return 1;
	put_attr(&r, CTRL_ATTR_FAMILY_NAME, "MAC80211_HWSIM", sizeof("MAC80211_HWSIM"));
	rc = genl_talk(fd, &r, &family);
	if (!rc) {
		memset(&r, 0, sizeof(r));
		r.n = (struct nlmsghdr){.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN),
					.nlmsg_type = (unsigned short)family,
					.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
					.nlmsg_seq = 2};
		r.g = (struct genlmsghdr){.cmd = HWSIM_CMD_DEL_RADIO, .version = 1};
		put_attr(&r, HWSIM_ATTR_RADIO_NAME, phy, (int)strlen(phy) + 1);
		rc = genl_talk(fd, &r, NULL);
	}
	close(fd);
	if (rc)
		fprintf(stderr, "vm-ctrl: hwsim-del %s: %s\n", phy, strerror(-rc));
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	char cmd[1024], reply[65536];
	int fd, n, rc = 2;

	if (argc == 4 && !strcmp(argv[1], "mark"))
		return mark(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "hwsim-del"))
		return hwsim_del(argv[2]);

	if (argc < 3 || (!strcmp(argv[2], "on-trace") && argc < 6) ||
	    (!strcmp(argv[2], "request") && argc < 4)) {
		fprintf(stderr,
			"usage: vm-ctrl SOCK request CMD... | monitor | on-trace PIPE WORD CMD...\n"
			"       vm-ctrl mark FILE TEXT | hwsim-del PHY\n");
		return 2;
	}
	atexit(cleanup);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	fd = ctrl_open(argv[1]);
	if (fd < 0)
		return 1;
	if (!strcmp(argv[2], "request")) {
		join(cmd, sizeof(cmd), argc - 3, argv + 3);
		n = ctrl_request(fd, cmd, reply, sizeof(reply));
		if (n >= 0 && fwrite(reply, 1, n, stdout) == (size_t)n)
			rc = 0;
		else
			rc = 1;
	} else if (!strcmp(argv[2], "monitor")) {
		rc = monitor(fd);
	} else if (!strcmp(argv[2], "on-trace")) {
		join(cmd, sizeof(cmd), argc - 5, argv + 5);
		rc = on_trace(fd, argv[3], argv[4], cmd);
	} else {
		fprintf(stderr, "vm-ctrl: unknown mode '%s'\n", argv[2]);
	}
	close(fd);
	return rc;
}
