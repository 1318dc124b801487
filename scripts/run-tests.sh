#!/bin/sh
# Run test binaries; exit 77 means SKIP (reason printed by the test). Fails if any test fails.
set -u
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-120}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0 fail=0 skip=0 failed=""
for t in "$@"; do
	name=${t#build/tests/}
	out=$("$t" 2>&1)
	rc=$?
	case $rc in
	0) pass=$((pass + 1)); printf 'PASS  %s\n' "$name" ;;
	77) skip=$((skip + 1)); printf 'SKIP  %s: %s\n' "$name" "$(printf '%s\n' "$out" | grep -m1 SKIP || echo 'no reason given')" ;;
	*) fail=$((fail + 1)); failed="$failed $name"; printf 'FAIL  %s (exit %d)\n%s\n' "$name" $rc "$out" ;;
	esac
done
printf '\n%d passed, %d skipped, %d failed\n' $pass $skip $fail
[ $fail = 0 ] || { echo "failed:$failed"; exit 1; }
