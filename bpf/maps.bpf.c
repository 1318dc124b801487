// SPDX-License-Identifier: GPL-2.0
/* Owner of the shared maps and the license; the other objects link against them. */
#include "evl.h"

char LICENSE[] SEC("license") = "GPL";
