#!/bin/sh
# Seeds for fuzz_audit: the signed trails evl-replay writes for examples/*.jsonl with the
# fuzzer's fixed key, each packed as "@@ NAME\n<bytes>" per file (see fuzz_audit.c).
# Usage: tests/fuzz/seed-audit.sh EVL_REPLAY OUTDIR
set -eu
replay=$1 out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
for sc in examples/*.jsonl; do
	name=$(basename "$sc" .jsonl)
	printf 'evl-fuzz-audit-key-0123456789abc' > "$tmp/key"
	printf 'evl-fuzz-site-secret-0123456789a' > "$tmp/secret"
	chmod 600 "$tmp/key" "$tmp/secret"
	rm -rf "$tmp/trail"
	mkdir "$tmp/trail"
	"$replay" "$sc" --audit-dir "$tmp/trail" --audit-key "$tmp/key" \
		--site-secret "$tmp/secret" >/dev/null
	: > "$out/$name"
	for f in "$tmp/trail"/*; do
		[ -f "$f" ] || continue
		printf '@@ %s\n' "$(basename "$f")" >> "$out/$name"
		cat "$f" >> "$out/$name"
		# a separator line needs the newline the previous file may not end with
		[ -z "$(tail -c1 "$f")" ] || printf '\n' >> "$out/$name"
	done
done
