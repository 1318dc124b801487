// SPDX-License-Identifier: GPL-2.0
/*
 * Plain driver for a fuzz target, built with gcc and ASan/UBSan like the unit tests (no
 * libFuzzer runtime): feeds every file of the directories compiled in (FUZZ_DIRS, the
 * target's committed regression inputs and seeds) or given as arguments to
 * LLVMFuzzerTestOneInput. A crash, sanitizer report or leak fails `make check`.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	struct stat st;
	size_t n;

	if (!f || fstat(fileno(f), &st)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		abort();
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int run_path(const char *path, unsigned int *count)
{
	struct dirent **ents;
	char p[4096];
	int n, ret = 0;

	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		if (errno == ENOTDIR) {
			(*count)++;
			return run_file(path);
		}
		return errno == ENOENT ? 0 : -1; /* a target without regressions yet */
	}
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", path, ents[i]->d_name);
			(*count)++;
			ret |= run_file(p);
		}
		free(ents[i]);
	}
	free(ents);
	return ret;
}

int main(int argc, char **argv)
{
	static const char *const dirs[] = {FUZZ_DIRS};
	unsigned int count = 0;
	int ret = 0;

	if (argc > 1)
		for (int i = 1; i < argc; i++)
			ret |= run_path(argv[i], &count);
	else
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
			ret |= run_path(dirs[i], &count);
	printf("%u inputs replayed\n", count);
	return ret ? 1 : 0;
}
