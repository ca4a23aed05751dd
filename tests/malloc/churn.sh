#!/bin/sh
# churn.sh LIB CHURN [NTHREADS] - a program that starts and ends NTHREADS
# short threads (default 10000, up to 48 at once: churn.c) gives the same
# output with the library as without (compare.sh), and ends with few CPUs
# online: each thread took a CPU of its own, and the exiting threads took
# the free ones down again, keeping two spares (tools/malloc/machine.c,
# offline_a_spare_cpu).  The dump's /sys/devices/system/cpu/online must
# list at most 3 CPUs (the main thread's and two spares) and possible
# must be every CPU the library's kernel has.
set -u
lib=$1
prog=$2
n=${3:-10000}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

# The number of CPUs in a list such as "0-2,5".
count() { echo "$1" | awk -F, '{ n = 0; for (i = 1; i <= NF; i++) { split($i, r, "-");
	n += (r[2] == "" ? 1 : r[2] - r[1] + 1) } print n }'; }

KMM_MALLOC_DUMP="$tmp/dump" "$here/compare.sh" "$lib" "$prog" "$n" || fail "outputs differ"
online=$(sed -n '/^==> \/sys\/devices\/system\/cpu\/online <==$/{n;p;}' "$tmp/dump")
possible=$(sed -n '/^==> \/sys\/devices\/system\/cpu\/possible <==$/{n;p;}' "$tmp/dump")
[ -n "$online" ] || fail "no online CPU list in the dump"
echo "after $n threads: online $online, possible $possible"
[ "$(count "$online")" -le 3 ] || fail "more than 3 CPUs online at the end: $online"
[ "$(count "$possible")" -ge 128 ] || fail "fewer than 128 possible CPUs: $possible"
exit $status
