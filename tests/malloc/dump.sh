#!/bin/sh
# dump.sh LIB PROGRAM - KMM_MALLOC_DUMP writes /proc/slabinfo (format 2.1),
# /proc/meminfo, /proc/buddyinfo, /proc/pagetypeinfo and /proc/vmstat at
# exit: to a file, to a directory (one file per view), to stderr; a forked
# child writes only when the path names it ("%p").
. "$(dirname "$0")/common.sh"
lib=$1
prog=$2

check_views() {	# FILE...: the slabinfo and meminfo views are in these files
	grep -q '^slabinfo - version: 2.1$' "$@" || fail "no slabinfo 2.1 header in $*"
	grep -q '^# name            <active_objs> <num_objs> <objsize>' "$@" ||
		fail "no slabinfo column line in $*"
	grep -Eq '^size-32 +[1-9][0-9]* +[0-9]+ +32 ' "$@" || fail "no size-32 objects in use in $*"
	grep -Eq '^MemTotal: +[0-9]+ kB$' "$@" || fail "no MemTotal in $*"
	grep -Eq '^Slab: +[0-9]+ kB$' "$@" || fail "no Slab line in $*"
	grep -Eq '^Node 0, zone +DMA32( +[0-9]+){11} *$' "$@" || fail "no buddyinfo line in $*"
	grep -q '^Number of blocks type ' "$@" || fail "no pagetypeinfo in $*"
	grep -Eq '^nr_free_pages [0-9]+$' "$@" || fail "no vmstat in $*"
}

KMM_MALLOC_DUMP="$tmp/dump" LD_PRELOAD="$lib" "$prog" >/dev/null || fail "program failed"
[ -s "$tmp/dump" ] || fail "no dump file"
grep -q '^==> /proc/slabinfo <==$' "$tmp/dump" || fail "no slabinfo section"
grep -q '^==> /proc/meminfo <==$' "$tmp/dump" || fail "no meminfo section"
check_views "$tmp/dump"

mkdir "$tmp/dir"
KMM_MALLOC_DUMP="$tmp/dir" LD_PRELOAD="$lib" "$prog" >/dev/null || fail "program failed"
check_views "$tmp/dir/slabinfo" "$tmp/dir/meminfo" "$tmp/dir/buddyinfo" "$tmp/dir/pagetypeinfo" \
	"$tmp/dir/vmstat"
head -1 "$tmp/dir/slabinfo" | grep -q '^slabinfo - version: 2.1$' ||
	fail "dir/slabinfo does not start with its header"
grep -Eq '^MemTotal:' "$tmp/dir/meminfo" || fail "no dir/meminfo"

KMM_MALLOC_DUMP=stderr LD_PRELOAD="$lib" "$prog" >/dev/null 2>"$tmp/err" || fail "program failed"
check_views "$tmp/err"

# The fork test's children exit through exit(): only "%p" paths get their dumps.
KMM_MALLOC_DUMP="$tmp/one" LD_PRELOAD="$lib" "$3" 4 >/dev/null || fail "fork program failed"
[ "$(grep -c '^==> /proc/slabinfo' "$tmp/one")" = 1 ] || fail "a child overwrote the parent's dump"
KMM_MALLOC_DUMP="$tmp/each.%p" LD_PRELOAD="$lib" "$3" 4 >/dev/null || fail "fork program failed"
n=$(ls "$tmp"/each.* | wc -l)
[ "$n" -ge 3 ] || fail "expected a dump per exiting process, got $n"

[ $status = 0 ] && echo "dumps ok"
exit $status
