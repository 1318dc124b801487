// SPDX-License-Identifier: GPL-2.0
/* evlctl: talk to evld over its control socket (protocol: include/evl/ctl.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <evl/ctl.h>

#define DEFAULT_SOCKET "/run/evl/evld.sock"

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

static void usage(FILE *f)
{
	fprintf(f, "usage: evlctl [-s SOCKET] [-t MS] COMMAND [ARGS]\n"
		   "commands: status, stats [--json], tokens [--json], rollback TOKEN, nop,\n"
		   "  inject --type T --ap AP [--severity S] [--confidence C] [--channel N],\n"
		   "  metrics --ap AP --per P --retry R --tput MBPS [--disc N] [--clients N],\n"
		   "  scan IFACE, channels IFACE [--json], reload\n"
		   "socket: -s, $EVL_CTL_SOCKET or " DEFAULT_SOCKET "; see evlctl(8)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *sock = getenv("EVL_CTL_SOCKET");
	char line[EVL_CTL_REQ_MAX + 1] = "", err[256], *body = NULL, *end;
	struct evl_ctl_req req;
	long timeout = 5000;
	size_t len = 0;
	int c, rc;

	if (!sock || !*sock)
		sock = DEFAULT_SOCKET;
	while ((c = getopt_long(argc, argv, "+s:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 't':
			timeout = strtol(optarg, &end, 10);
			if (*end || timeout < 1 || timeout > 3600000) {
				fprintf(stderr, "evlctl: bad timeout '%s' (1..3600000 ms)\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* The request is the words joined by spaces; check it here, before sending. */
	for (int i = optind; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (strchr(argv[i], ' ') || len + n + 1 > EVL_CTL_REQ_MAX) {
			fprintf(stderr, "evlctl: %s\n",
				strchr(argv[i], ' ') ? "arguments cannot contain spaces"
						     : "request too long");
			return EXIT_USAGE;
		}
		len += sprintf(line + len, "%s%s", len ? " " : "", argv[i]);
	}
	if (evl_ctl_parse(line, len, &req, err, sizeof(err))) {
		fprintf(stderr, "evlctl: %s (see evlctl(8))\n", err);
		return EXIT_USAGE;
	}

	rc = evl_ctl_request(sock, line, (int)timeout, &body);
	if (rc == 0) {
		size_t n = strlen(body);

		fputs(body, stdout);
		if (n && body[n - 1] != '\n')
			putchar('\n');
		free(body);
		return fflush(stdout) ? EXIT_UNREACHABLE : EXIT_OK;
	}
	if (rc == -EREMOTEIO) {
		fprintf(stderr, "evlctl: %s: %s", evl_ctl_cmd_name(req.cmd), body);
		free(body);
		return EXIT_REFUSED;
	}
	fprintf(stderr, "evlctl: %s: %s%s\n", sock,
		rc == -ETIMEDOUT    ? "no reply in time"
		: rc == -EPROTO	    ? "not an evld control socket"
		: rc == -ECONNRESET ? "evld closed the connection without a reply"
				    : strerror(-rc),
		rc == -ENOENT || rc == -ECONNREFUSED ? " (is evld running?)" : "");
	return EXIT_UNREACHABLE;
}
