// SPDX-License-Identifier: GPL-2.0
/* Audit maintenance: gzip old days, retire days beyond retention (recorded first). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "audit_int.h"

static int64_t days_between(int date, int64_t now_us)
{
	struct tm tm = {.tm_year = date / 10000 - 1900,
			.tm_mon = date / 100 % 100 - 1,
			.tm_mday = date % 100};

	return (now_us / 1000000 - (int64_t)timegm(&tm)) / 86400;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int gzip_file(const char *dir, const struct audit_dayfile *f)
{
	char src[4096], dst[4200], tmp[4300], buf[65536];
	int in, out, n, err = 0;
	gzFile g;

	snprintf(src, sizeof(src), "%s/%s", dir, f->name);
	snprintf(dst, sizeof(dst), "%s.gz", src);
	snprintf(tmp, sizeof(tmp), "%s.tmp", dst);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	g = gzdopen(dup(out), "wb9");
	if (!g)
		err = -ENOMEM;
	while (!err && (n = (int)read(in, buf, sizeof(buf))) > 0)
		if (gzwrite(g, buf, (unsigned int)n) != n)
			err = -EIO;
	if (!err && n < 0)
		err = -errno;
	if (g && gzclose(g) != Z_OK && !err)
		err = -EIO;
	if (!err && fsync(out))
		err = -errno;
	close(out);
	close(in);
	if (!err && rename(tmp, dst))
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	sync_dir(dir);
	return unlink(src) ? -errno : 0;
}

/* First and last record of a day (any format), for the retirement manifest. */
static int day_span(const char *dir, const struct audit_dayfile *f, struct audit_retired *r)
{
	struct audit_sha sha;
	struct audit_line l;
	char path[4096], *buf, *last;
	const char *why;
	size_t lastlen = 0;
	bool first = true;
	gzFile g;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, f->name);
	buf = malloc(2 * (AUDIT_LINE_MAX + 2));
	if (!buf)
		return -ENOMEM;
	last = buf + AUDIT_LINE_MAX + 2;
	g = gzopen(path, "rb");
	if (!g) {
		free(buf);
		return -EIO;
	}
	while (gzgets(g, buf, AUDIT_LINE_MAX + 2)) {
		size_t n = strlen(buf);

		if (!n || buf[n - 1] != '\n') {
			err = -EBADMSG;
			break;
		}
		if (first) {
			if (audit_line_parse(buf, n - 1, &l, &why)) {
				err = -EBADMSG;
				break;
			}
			r->first_seq = l.seq;
			first = false;
		}
		memcpy(last, buf, n - 1);
		lastlen = n - 1;
	}
	gzclose(g);
	if (!err && !lastlen)
		err = -ENODATA;
	if (!err && audit_line_parse(last, lastlen, &l, &why))
		err = -EBADMSG;
	if (!err) {
		r->last_seq = l.seq;
		r->date = f->date;
		err = audit_sha_init(&sha);
		if (!err) {
			audit_line_hash(&sha, last, lastlen, r->last_hash);
			audit_sha_free(&sha);
		}
	}
	free(buf);
	return err;
}

static int retire(const char *dir, const struct audit_dayfile *f)
{
	struct audit_retired r;
	char path[4096], line[256];
	int fd, n, err;

	err = day_span(dir, f, &r);
	if (err == -ENODATA)
		goto unlink_day; /* an empty day holds nothing to account for */
	if (err) {
		audit_seterr("%s: cannot read it to retire it: %s", f->name, strerror(-err));
		return err;
	}
	n = snprintf(line, sizeof(line),
		     "{\"date\":%d,\"first_seq\":%" PRId64 ",\"last_seq\":%" PRId64
		     ",\"last_hash\":\"%s\"}\n",
		     r.date, r.first_seq, r.last_seq, r.last_hash);
	snprintf(path, sizeof(path), "%s/%s", dir, AUDIT_RETIRED_FILE);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, line, (size_t)n) != n || fsync(fd)) {
		err = errno ? -errno : -EIO;
		if (fd >= 0)
			close(fd);
		audit_seterr("%s: cannot record the retirement: %s", path, strerror(-err));
		return err;
	}
	close(fd);
unlink_day:
	snprintf(path, sizeof(path), "%s/%s", dir, f->name);
	if (unlink(path)) {
		err = -errno;
		audit_seterr("%s: %s", path, strerror(errno));
		return err;
	}
	sync_dir(dir);
	return 0;
}

int evl_audit_maintain(const char *dir, unsigned int compress_days, unsigned int retain_days,
		       int64_t now_us, struct evl_audit_maint *out)
{
	struct audit_dayfile *days;
	size_t n;
	int err;

	memset(out, 0, sizeof(*out));
	err = audit_list_days(dir, &days, &n);
	if (err)
		return err;
	/* Never touch the newest day: the daemon writes there. Oldest first keeps retirement a
	 * prefix of the chain. */
	for (size_t i = 0; i + 1 < n && !err; i++) {
		int64_t age = days_between(days[i].date, now_us);
		char path[4096];

		if (i + 1 < n && days[i].date == days[i + 1].date) {
			/* Interrupted compression: the .gz was complete before rename. */
			snprintf(path, sizeof(path), "%s/%s", dir, days[i].name);
			if (!days[i].gz && unlink(path))
				err = -errno;
			continue;
		}
		if (retain_days && age > (int64_t)retain_days) {
			err = retire(dir, &days[i]);
			out->deleted += !err;
		} else if (compress_days && age > (int64_t)compress_days && !days[i].gz) {
			err = gzip_file(dir, &days[i]);
			if (err)
				audit_seterr("%s: cannot compress: %s", days[i].name,
					     strerror(-err));
			out->compressed += !err;
		}
	}
	free(days);
	return err;
}
