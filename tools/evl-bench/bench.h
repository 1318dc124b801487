/* SPDX-License-Identifier: GPL-2.0 */
/* evl-bench internals shared by the host benchmarks (main.c) and the VM radar race (radar.c). */
#ifndef EVL_BENCH_H
#define EVL_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

static inline uint64_t bench_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns() is CLOCK_MONOTONIC */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Quantile q (0..1) of n sorted values (nearest rank); 0 when n is 0. */
uint64_t bench_quantile(const uint64_t *sorted, size_t n, double q);
void bench_sort(uint64_t *v, size_t n);

/* The radar race inside the VM: 0, or 1 after printing why it could not run. */
int bench_radar(unsigned int trials, bool json);

/* evld's default rt_priority (SCHED_FIFO): consumers are measured at the same priority. */
#define EVLD_RT_PRIORITY 50

#endif /* EVL_BENCH_H */
