#!/bin/sh
# The same script and seed give byte-identical output: run every test
# script and the demo twice and compare everything they print.
set -u
kmm=$1
dir=$2
a=$(mktemp) b=$(mktemp)
trap 'rm -f "$a" "$b"' EXIT
status=0
for s in "$dir"/*.kmm demo; do
	if [ "$s" = demo ]; then
		"$kmm" demo >"$a" 2>&1; "$kmm" demo >"$b" 2>&1
	else
		"$kmm" run "$s" >"$a" 2>&1; "$kmm" run "$s" >"$b" 2>&1
	fi
	if ! cmp -s "$a" "$b"; then
		echo "not deterministic: $s"
		diff "$a" "$b" | head -20
		status=1
	fi
done
exit $status
