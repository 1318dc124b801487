// SPDX-License-Identifier: GPL-2.0
/* evld: log lines (module prefix, stderr) and the clocks. */
#include <stdio.h>
#include <time.h>

#include "daemon.h"

int evld_verbosity = EVLD_INFO;

void evld_log(int level, const char *mod, const char *fmt, ...)
{
	static const char *const pfx[] = {"error: ", "warning: ", "", ""};
	char buf[1024];
	va_list ap;

	if (level > evld_verbosity)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s%s\n", mod, pfx[level], buf);
}

uint64_t evld_clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

uint64_t evld_now(void)
{
	return evld_clock_ns(CLOCK_BOOTTIME);
}

int64_t evld_wall_us(void *ctx, uint64_t mono_ns)
{
	const struct evld *d = ctx;

	return d->wall_base_us + (int64_t)(mono_ns / 1000);
}
