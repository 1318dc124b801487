#!/bin/sh
# Refresh tests/vm/captures/ from the last `make vmtest` run (build/vm/results/*/captures).
# The captures are real hostapd/wpa_supplicant control-socket replies and events, and the guest
# kernel's tracepoint formats; unit tests of the parsers read them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
res=${VM_BUILD:-build}/vm/results
n=0
for f in "$res"/*/captures/*; do
	[ -f "$f" ] || continue
	cp "$f" "$here/captures/"
	n=$((n + 1))
done
[ $n -gt 0 ] || { echo "update-captures: nothing under $res/*/captures (run make vmtest first)" >&2; exit 1; }
echo "update-captures: $n files -> $here/captures"
