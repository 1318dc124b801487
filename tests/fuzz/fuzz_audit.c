// SPDX-License-Identifier: GPL-2.0
/*
 * An audit trail directory under `evl-audit verify`. The input is a sequence of files, each
 * "@@ NAME\n" followed by its bytes up to the next "\n@@ " (that newline is the separator's,
 * not the file's): day files, audit.head, retired.jsonl. They are written into an empty temp
 * dir and verified with a fixed initial key (the key tests/fuzz/seed-audit.sh signs with).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <evl/audit.h>

#include "fuzz.h"

#define MAX_FILES 8
#define NAME_MAX_ 40

static char dir[64], key[96];

static void empty_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
}

static void cleanup(void)
{
	empty_dir();
	rmdir(dir);
	unlink(key);
}

static void setup(void)
{
	static const char k[] = "evl-fuzz-audit-key-0123456789abc"; /* 32 bytes */
	int fd;

	snprintf(dir, sizeof(dir), "/tmp/evl-fuzz-audit.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(key, sizeof(key), "%s.key", dir);
	fd = open(key, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, k, 32) != 32)
		abort();
	close(fd);
	atexit(cleanup);
}

static bool name_ok(const uint8_t *s, size_t n)
{
	if (!n || n > NAME_MAX_ || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '.'))
			return false;
	return true;
}

static void put(const uint8_t *name, size_t nlen, const uint8_t *p, size_t n)
{
	char path[160];
	int fd;

	snprintf(path, sizeof(path), "%s/%.*s", dir, (int)nlen, (const char *)name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, p, n) != (ssize_t)n)
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evl_audit_verify res;
	const uint8_t *p = data, *end = data + size;

	if (!dir[0])
		setup();
	empty_dir();
	for (int i = 0; i < MAX_FILES && end - p > 3 && !memcmp(p, "@@ ", 3); i++) {
		const uint8_t *name = p + 3, *nl = memchr(name, '\n', (size_t)(end - name)), *next;

		if (!nl)
			break;
		next = memmem(nl + 1, (size_t)(end - nl - 1), "\n@@ ", 4);
		if (name_ok(name, (size_t)(nl - name)))
			put(name, (size_t)(nl - name), nl + 1,
			    (size_t)((next ? next : end) - nl - 1));
		p = next ? next + 1 : end;
	}
	evl_audit_verify_dir(dir, key, false, NULL, NULL, &res);
	if (res.verdict != EVL_AUDIT_OK && !res.reason[0])
		__builtin_trap(); /* a failed verification names why */
	return 0;
}
