#!/bin/sh
# compare.sh LIB CMD [ARG...] - run CMD with the C library's malloc, then
# with LIB preloaded (one library, or several separated by ':', e.g.
# libkmm-malloc.so and the served.c check): standard output and exit status
# must be the same, byte for byte.  Prints both wall times (milliseconds)
# for the record.
# KMM_MALLOC_* variables in the environment reach only the second run's
# library (the first run has no library to read them).
set -u
lib=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s%N; }

t0=$(now)
"$@" >"$tmp/ref" 2>"$tmp/ref.err"
ref=$?
t1=$(now)
LD_PRELOAD="$lib" "$@" >"$tmp/kmm" 2>"$tmp/kmm.err"
kmm=$?
t2=$(now)
echo "without: $(( (t1 - t0) / 1000000 )) ms, status $ref"
echo "with libkmm-malloc: $(( (t2 - t1) / 1000000 )) ms, status $kmm"
status=0
if [ "$ref" != 0 ]; then
	echo "the command fails without the library:"
	cat "$tmp/ref.err"
	status=1
fi
if [ "$ref" != "$kmm" ]; then
	echo "exit status differs: $ref without, $kmm with the library"
	status=1
fi
if ! cmp -s "$tmp/ref" "$tmp/kmm"; then
	echo "standard output differs:"
	diff "$tmp/ref" "$tmp/kmm" | head -20
	status=1
fi
if [ $status != 0 ] || [ -s "$tmp/kmm.err" ]; then
	echo "stderr with the library:"
	head -40 "$tmp/kmm.err"
fi
[ $status = 0 ] && echo "same output ($(wc -c <"$tmp/ref") bytes)"
exit $status
