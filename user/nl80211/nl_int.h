/* SPDX-License-Identifier: GPL-2.0 */
/* What the nl80211 files share: the message skeleton and length-checked attribute getters. */
#ifndef EVL_NL_INT_H
#define EVL_NL_INT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/nl80211.h>
#include <netlink/genl/genl.h>

/* A genl message of @cmd (with IFINDEX when > 0): NULL with errno on failure. */
struct nl_msg *evl_nl80211_msg_new(int family, int cmd, int flags, int ifindex);

/* Length-checked getters: a short attribute is malformed, never read past. */
static inline bool get_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a || nla_len(a) < (int)sizeof(uint32_t))
		return false;
	*v = nla_get_u32((struct nlattr *)a);
	return true;
}

static inline bool get_u64(const struct nlattr *a, uint64_t *v)
{
	if (!a || nla_len(a) < (int)sizeof(uint64_t))
		return false;
	*v = nla_get_u64((struct nlattr *)a);
	return true;
}

static inline bool get_s8(const struct nlattr *a, int *v)
{
	if (!a || nla_len(a) < 1)
		return false;
	*v = (int8_t)nla_get_u8((struct nlattr *)a);
	return true;
}

#define FAIL(msg_)                     \
	do {                           \
		if (err)               \
			*err = (msg_); \
		return -EINVAL;        \
	} while (0)

static inline int parse_top(struct nl_msg *msg, struct nlattr **tb, const char **err)
{
	if (!msg || genlmsg_parse(nlmsg_hdr(msg), 0, tb, NL80211_ATTR_MAX, NULL) < 0)
		FAIL("nl80211: malformed generic netlink message");
	return 0;
}

#endif /* EVL_NL_INT_H */
