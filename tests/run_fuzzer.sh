#!/bin/sh
# A bounded fuzzing run on a copy of the seed corpus (the corpus in the
# source tree is not modified).  Fails on any crash, leak or timeout.
set -u
fuzzer=$1
corpus=$2
seconds=$3
[ -x "$fuzzer" ] || { echo "$fuzzer is missing: build it with make fuzz-build (make test does)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$corpus"/* "$work"/ 2>/dev/null || true
"$fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
	-artifact_prefix="$work/" "$work"
