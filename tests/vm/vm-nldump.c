// SPDX-License-Identifier: GPL-2.0
/*
 * Capture raw nl80211 messages in the VM for the parsers' unit tests: every reply of a
 * dump, or every "scan" multicast event for a while, one message per line as hex (the whole
 * netlink message, headers included), so tests/unit can feed them back with nlmsg_convert.
 *   vm-nldump scan IFACE      NL80211_CMD_GET_SCAN dump
 *   vm-nldump survey IFACE    NL80211_CMD_GET_SURVEY dump
 *   vm-nldump events SECS     "scan" group events (TRIGGER_SCAN, NEW_SCAN_RESULTS, ...)
 */
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/nl80211.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

static int hex(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	const unsigned char *p = (const unsigned char *)h;

	(void)arg;
	for (uint32_t i = 0; i < h->nlmsg_len; i++)
		printf("%02x", p[i]);
	printf("\n");
	fflush(stdout);
	return NL_OK;
}

static int no_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int main(int argc, char **argv)
{
	struct nl_sock *sk = nl_socket_alloc();
	int fam, r;

	if (argc != 3 || !sk || genl_connect(sk) < 0 ||
	    (fam = genl_ctrl_resolve(sk, NL80211_GENL_NAME)) < 0) {
		fprintf(stderr,
			"usage: vm-nldump scan|survey IFACE | events SECS (needs nl80211)\n");
		return 2;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, hex, NULL);
	if (!strcmp(argv[1], "events")) {
		int grp =
			genl_ctrl_resolve_grp(sk, NL80211_GENL_NAME, NL80211_MULTICAST_GROUP_SCAN);
		time_t end = time(NULL) + atoi(argv[2]);
		struct pollfd pfd;

		if (grp < 0 || nl_socket_add_membership(sk, grp) < 0)
			return 1;
		nl_socket_disable_seq_check(sk);
		nl_socket_modify_cb(sk, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq, NULL);
		pfd.fd = nl_socket_get_fd(sk);
		pfd.events = POLLIN;
		while (time(NULL) < end)
			if (poll(&pfd, 1, 200) > 0)
				nl_recvmsgs_default(sk);
		return 0;
	} else {
		int cmd = !strcmp(argv[1], "scan") ? NL80211_CMD_GET_SCAN : NL80211_CMD_GET_SURVEY;
		struct nl_msg *m = nlmsg_alloc();
		unsigned int ifi = if_nametoindex(argv[2]);

		if (!m || !ifi ||
		    !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, fam, 0, NLM_F_DUMP, cmd, 0) ||
		    nla_put_u32(m, NL80211_ATTR_IFINDEX, ifi) < 0)
			return 1;
		r = nl_send_auto(sk, m);
		nlmsg_free(m);
		if (r < 0)
			return 1;
		r = nl_recvmsgs_default(sk);
	}
	nl_socket_free(sk);
	return r < 0 ? 1 : 0;
}
