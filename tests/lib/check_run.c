// SPDX-License-Identifier: GPL-2.0
/* The one Check runner of every test binary. */
#include "check_run.h"

int evl_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
