#!/bin/sh
# Seeds for fuzz_audit: the signed trails evl-replay writes for examples/*.jsonl with the
# fuzzer's fixed key, each packed as "@@ NAME\n<bytes>" per file (see fuzz_audit.c).
# Usage: tests/fuzz/seed-audit.sh EVL_REPLAY OUTDIR
set -eu
replay=$1 out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
# one run across midnight: two day files, a key_rotation seal, an evolved head
cat > "$tmp/midnight.jsonl" <<'EOS'
{"t":0,"site":{"country":"DE","start":"2024-12-01T23:30:00Z"}}
{"t":0,"ap":{"id":"a","band":"5g","channel":52,"bandwidth":80,"tx_power":23}}
{"t":100,"event":{"id":"dfs_001","type":"dfs_radar","severity":"critical","ap":"a","channel":52}}
{"t":2000,"rollback":{"ap":"a"}}
{"t":4000,"end":{}}
EOS
for sc in examples/*.jsonl "$tmp/midnight.jsonl"; do
	name=$(basename "$sc" .jsonl)
	printf 'evl-fuzz-audit-key-0123456789abc' > "$tmp/key"
	printf 'evl-fuzz-site-secret-0123456789a' > "$tmp/secret"
	chmod 600 "$tmp/key" "$tmp/secret"
	rm -rf "$tmp/trail"
	mkdir "$tmp/trail"
	"$replay" "$sc" --audit-dir "$tmp/trail" --audit-key "$tmp/key" \
		--site-secret "$tmp/secret" >/dev/null
	: > "$out/$name"
	sep=''
	for f in "$tmp/trail"/*; do
		[ -f "$f" ] || continue
		# "\n@@ NAME\n" between files: the newline before "@@" is the separator's
		printf '%b@@ %s\n' "$sep" "$(basename "$f")" >> "$out/$name"
		cat "$f" >> "$out/$name"
		sep='\n'
	done
done
