#!/bin/sh
# churn.sh LIB CHURN [NTHREADS] - a program that starts and ends NTHREADS
# short threads (default 10000, up to 48 at once: churn.c) gives the same
# output with the library as without (compare.sh), and ends with few CPUs
# online: each thread took a CPU of its own, and the exiting threads took
# the free ones down again, keeping two spares (tools/malloc/machine.c,
# offline_a_spare_cpu).  The dump's /sys/devices/system/cpu/online must
# list at most 3 CPUs (the main thread's and two spares) and possible
# must be every CPU the library's kernel has.  Then with 40 threads still
# alive at exit, their 40 CPUs, the main thread's and one or two spares.
. "$(dirname "$0")/common.sh"
lib=$1
prog=$2
n=${3:-10000}
here=$(dirname "$0")

# The number of CPUs in a list such as "0-2,5".
count() { echo "$1" | awk -F, '{ n = 0; for (i = 1; i <= NF; i++) { split($i, r, "-");
	n += (r[2] == "" ? 1 : r[2] - r[1] + 1) } print n }'; }

view() { sed -n "\\|^==> $1 <==\$|{n;p;}" "$tmp/dump"; }

KMM_MALLOC_DUMP="$tmp/dump" "$here/compare.sh" "$lib" "$prog" "$n" || fail "outputs differ"
online=$(view /sys/devices/system/cpu/online)
possible=$(view /sys/devices/system/cpu/possible)
[ -n "$online" ] || fail "no online CPU list in the dump"
echo "after $n threads: online $online, possible $possible"
[ "$(count "$online")" -le 3 ] || fail "more than 3 CPUs online at the end: $online"
[ "$(count "$possible")" -ge 128 ] || fail "fewer than 128 possible CPUs: $possible"

# The same, then 40 threads alive at exit: each on a CPU of its own (none
# borrows), so the main thread's, theirs and one or two spares are online.
KMM_MALLOC_DUMP="$tmp/dump" "$here/compare.sh" "$lib" "$prog" "$n" 48 40 || fail "outputs differ"
online=$(view /sys/devices/system/cpu/online)
echo "with 40 threads alive at exit: online $online"
c=$(count "$online")
[ "$c" -ge 42 ] && [ "$c" -le 43 ] || fail "not 42 or 43 CPUs online with 40 threads alive: $online"
exit $status
