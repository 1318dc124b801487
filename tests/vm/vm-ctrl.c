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
 *
 * Times are CLOCK_REALTIME, the clock hostapd -t and wpa_supplicant -t stamp their logs with.
 */
#include <errno.h>
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

int main(int argc, char **argv)
{
	char cmd[1024], reply[65536];
	int fd, n, rc = 2;

	if (argc == 4 && !strcmp(argv[1], "mark"))
		return mark(argv[2], argv[3]);

	if (argc < 3 || (!strcmp(argv[2], "on-trace") && argc < 6) ||
	    (!strcmp(argv[2], "request") && argc < 4)) {
		fprintf(stderr,
			"usage: vm-ctrl SOCK request CMD... | monitor | on-trace PIPE WORD CMD...\n"
			"       vm-ctrl mark FILE TEXT\n");
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
