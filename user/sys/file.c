// SPDX-License-Identifier: GPL-2.0
/* Durable file replacement and small-file reads for the state and metrics files. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <evl/sys.h>

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd))
		rc = -errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

int evl_sys_write_atomic(const char *path, const void *buf, size_t len, mode_t mode)
{
	char tmp[4096];
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, buf, len);
	if (!rc && fchmod(fd, mode)) /* the umask must not decide who reads it */
		rc = -errno;
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	return fsync_dir_of(path);
}

int evl_sys_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	char *b;
	size_t got = 0;
	int fd, rc = 0;

	*buf = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		rc = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		goto out_close;
	}
	/* sysfs files claim 4096 bytes whatever they hold: only a regular file's size is real. */
	if ((size_t)st.st_size > max && st.st_size != 4096) {
		rc = -EFBIG;
		goto out_close;
	}
	b = malloc(max + 1);
	if (!b) {
		rc = -ENOMEM;
		goto out_close;
	}
	for (;;) { /* the file may grow while we read: stop at max+1 */
		ssize_t n = read(fd, b + got, max + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		got += n;
		if (got > max) {
			rc = -EFBIG;
			break;
		}
	}
	if (rc) {
		free(b);
		goto out_close;
	}
	b[got] = 0;
	*buf = b;
	if (len)
		*len = got;
out_close:
	close(fd);
	return rc;
}

int evl_sys_move_aside(const char *path, char *aside, size_t len)
{
	if (snprintf(aside, len, "%s.bad.%lld", path, (long long)time(NULL)) >= (int)len)
		return -ENAMETOOLONG;
	return rename(path, aside) ? -errno : 0;
}

int evl_sys_prepare_dir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	char p[4096];
	size_t n = strlen(path);

	if (!n || n >= sizeof(p))
		return -EINVAL;
	memcpy(p, path, n + 1);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, mode) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) && errno != EEXIST)
		return -errno;
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(p, uid, gid))
		return -errno;
	return 0;
}
