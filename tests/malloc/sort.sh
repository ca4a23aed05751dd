#!/bin/sh
# sort.sh LIB - sort(1) on a few MB of generated lines, with and without
# libkmm-malloc.so: the outputs must be identical.  sort reads its input
# into buffers of megabytes (page blocks and host mappings), and with
# --parallel it sorts on several threads.
set -u
lib=$1
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
exit $status
