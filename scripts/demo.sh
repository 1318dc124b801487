#!/bin/sh
# make demo: the seed's radar scenario through the real decision core and audit trail.
set -eu
B=${B:-build}
D=$B/demo
rm -rf "$D" && mkdir -p "$D"
"$B/bin/evl-audit" keygen "$D/audit.key" >/dev/null
"$B/bin/evl-audit" keygen "$D/site.secret" >/dev/null
cp -p "$D/audit.key" "$D/audit.key.initial" # the verifier's offline copy
echo "== replay: examples/dfs_radar.jsonl (ap_0 on ch52/80 MHz, DE, radar at t=100 s)"
"$B/bin/evl-replay" examples/dfs_radar.jsonl --audit-dir "$D/audit" \
	--audit-key "$D/audit.key" --site-secret "$D/site.secret"
echo
echo "== audit trail: $D/audit"
"$B/bin/evl-audit" verify --dir "$D/audit" --key "$D/audit.key.initial"
