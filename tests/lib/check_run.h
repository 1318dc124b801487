/* SPDX-License-Identifier: GPL-2.0 */
/* The one Check runner of every test binary. */
#ifndef EVL_TESTS_CHECK_RUN_H
#define EVL_TESTS_CHECK_RUN_H

#include <check.h>

/* Run the suite (CK_NORMAL output); the process exit status: 0 all passed, 1 otherwise. */
int evl_check_run(Suite *s);

#endif
