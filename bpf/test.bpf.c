// SPDX-License-Identifier: GPL-2.0
/*
 * Test entry point: BPF_PROG_TEST_RUN with a struct evl_bpf_feed as context runs the same
 * evl_feed() the kernel hooks run. Loaded only when the loader is asked for test programs.
 */
#include "evl.h"

SEC("syscall")
int test_feed(struct evl_bpf_feed *ctx)
{
	struct evl_bpf_feed f;

	__builtin_memcpy(&f, ctx, sizeof(f));
	return evl_feed(&f);
}
