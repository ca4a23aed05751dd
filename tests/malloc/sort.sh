#!/bin/sh
# sort.sh LIB [RSS KMM_MALLOC] - sort(1) on a few MB of generated lines,
# with and without libkmm-malloc.so: the outputs must be identical.  sort
# reads its input into buffers of megabytes (page blocks and host
# mappings), and with --parallel it sorts on several threads.
#
# With RSS (tests/malloc/frag.c's "rss" mode) and the library alone: a
# plain sort mallocs a buffer sized from the host's RAM (hundreds of MB
# for this input) and fills a few MB of it; its peak RSS under the
# library stays within 1.2 times the C library's.  The buffer's struct
# pages are not written where the program does not touch it (lent blocks,
# mm/deferred_init.c); when they were, the library's peak was 1.35 times
# the C library's.
set -u
lib=$1
rss=${2:-}
plain=${3:-}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN {
	srand(7)
	for (i = 0; i < 150000; i++)
		printf "%08x %d %s\n", int(rand() * 4294967295), i,
		       substr("the quick brown fox jumps over the lazy dog", 1 + i % 31)
}' >"$tmp/in"
echo "input: $(wc -c <"$tmp/in") bytes"
status=0
for opts in "" "-k2,2n" "-u -k3" "-S 64M --parallel=4 -k1,1r"; do
	echo "== sort $opts"
	# shellcheck disable=SC2086
	"$here/compare.sh" "$lib" sort -T "$tmp" $opts "$tmp/in" || status=1
done
if [ -n "$rss" ]; then
	"$rss" rss sort -T "$tmp" "$tmp/in" >"$tmp/libc.out" 2>"$tmp/libc.err" || status=1
	"$rss" rss env LD_PRELOAD="$plain" sort -T "$tmp" "$tmp/in" >"$tmp/kmm.out" 2>"$tmp/kmm.err" ||
		status=1
	cmp -s "$tmp/libc.out" "$tmp/kmm.out" || { echo "FAIL: sort's outputs differ"; status=1; }
	libc=$(sed -n 's/^peak \([0-9]*\) kB$/\1/p' "$tmp/libc.err")
	kmm=$(sed -n 's/^peak \([0-9]*\) kB$/\1/p' "$tmp/kmm.err")
	echo "sort: peak RSS $libc kB with the C library, $kmm kB with the library"
	if [ -z "$libc" ] || [ -z "$kmm" ] || [ "$kmm" -gt $((libc * 6 / 5)) ]; then
		echo "FAIL: sort's peak RSS under the library is above 1.2 times the C library's"
		status=1
	fi
fi
exit $status
