#!/bin/sh
# The man pages in build/man/ (built by make from the *.scd beside the code): each one is
# clean under `mandoc -Tlint` and renders with `man -l` without a warning.
set -u
B=${B:-build}
command -v mandoc >/dev/null 2>&1 || { echo "SKIP: mandoc not installed (scripts/deps.sh)"; exit 77; }
command -v man >/dev/null 2>&1 || { echo "SKIP: man not installed (man-db)"; exit 77; }
n=0 bad=0
for p in "$B"/man/*.[1-8]; do
	[ -e "$p" ] || continue
	n=$((n + 1))
	lint=$(mandoc -Tlint -W style "$p" 2>&1) || { bad=1; printf '%s\n' "$lint"; }
	err=$(MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
	[ -z "$err" ] || { bad=1; printf '%s: man -l: %s\n' "$p" "$err"; }
	[ -n "$(MANWIDTH=80 man -l "$p" 2>/dev/null | grep -m1 '^NAME')" ] ||
		{ bad=1; echo "$p: renders without a NAME section"; }
done
[ $n -ge 6 ] || { echo "only $n man pages in $B/man (want evld.8 evld.conf.5 evlctl.8 evl-audit.8 evl-replay.1 evl-bench.8)"; exit 1; }
exit $bad
