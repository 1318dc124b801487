// SPDX-License-Identifier: GPL-2.0
/* Dropping root: become the configured user, keep only the capabilities listed here. */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <evl/sys.h>

/* THE list (see include/evl/sys.h for why each one). */
const cap_value_t evl_sys_run_caps[] = {CAP_NET_ADMIN};
const size_t evl_sys_n_run_caps = sizeof(evl_sys_run_caps) / sizeof(evl_sys_run_caps[0]);

static bool kept(cap_value_t c, const cap_value_t *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == c)
			return true;
	return false;
}

int evl_sys_drop_privileges(const char *user, uid_t uid, gid_t gid, const cap_value_t *keep,
			    size_t n)
{
	cap_t caps;
	int rc = 0;

	if (uid == 0 || uid == (uid_t)-1 || gid == (gid_t)-1)
		return -EINVAL;
	/* The bounding set first: that needs CAP_SETPCAP, which is about to go. */
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
		if (!kept(c, keep, n) && CAP_IS_SUPPORTED(c) && cap_drop_bound(c))
			return -errno;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -errno;
	if ((user ? initgroups(user, gid) : setgroups(0, NULL)) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -errno;

	caps = cap_init(); /* all clear */
	if (!caps)
		return -errno;
	if ((n && (cap_set_flag(caps, CAP_PERMITTED, n, keep, CAP_SET) ||
		   cap_set_flag(caps, CAP_EFFECTIVE, n, keep, CAP_SET))) ||
	    cap_set_proc(caps))
		rc = -errno;
	cap_free(caps);
	if (rc)
		return rc;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	/* Paranoia: root must be out of reach now. */
	if (setuid(0) == 0 || seteuid(0) == 0)
		return -EPERM;
	return 0;
}

void evl_sys_caps_text(const cap_value_t *caps, size_t n, char *buf, size_t len)
{
	size_t off = 0;

	if (!len)
		return;
	buf[0] = 0;
	for (size_t i = 0; i < n && off < len; i++) {
		char *name = cap_to_name(caps[i]);
		int w = snprintf(buf + off, len - off, "%s%s", i ? "," : "", name ? name : "?");

		cap_free(name);
		if (w < 0)
			break;
		off += w;
	}
}
