// SPDX-License-Identifier: GPL-2.0
/*
 * nl-capture wiphy PHY: the kernel's split GET_WIPHY dump of one wiphy, one netlink message a
 * line in hex, for the parsers' unit tests (tests/vm/captures/nl80211-wiphy-*.txt).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <evl/nl80211.h>

static int dump(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *h = nlmsg_hdr(msg);
	const unsigned char *p = (const unsigned char *)h;

	(void)arg;
	for (unsigned int i = 0; i < h->nlmsg_len; i++)
		printf("%02x", p[i]);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct evl_nl80211 *nl;
	struct nl_msg *msg;
	int rc;

	if (argc != 3 || strcmp(argv[1], "wiphy")) {
		fprintf(stderr, "usage: nl-capture wiphy PHY_INDEX\n");
		return 2;
	}
	nl = evl_nl80211_open();
	if (!nl) {
		fprintf(stderr, "nl-capture: nl80211: %s\n", strerror(errno));
		return 1;
	}
	msg = evl_nl80211_msg_wiphy_dump(evl_nl80211_family(nl), atoi(argv[2]));
	rc = msg ? evl_nl80211_xfer(nl, msg, dump, NULL) : -errno;
	evl_nl80211_close(nl);
	if (rc) {
		fprintf(stderr, "nl-capture: wiphy dump: %s\n", strerror(-rc));
		return 1;
	}
	return 0;
}
