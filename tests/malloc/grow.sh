#!/bin/sh
# grow.sh LIB PROGRAM - the library's machine grows (memory hotplug) and
# stops where its limit says (tests/malloc/grow.c is PROGRAM):
#   - booted with ram=64M, 300 MiB of blocks grow it: the dump's MemTotal
#     is past 300 MiB;
#   - with max=256M it grows to 192M (64M booted, one 128M section added at
#     128M: sections start on 128M boundaries, and the next would end past
#     256M), and malloc then fails with ENOMEM before 192 MiB are held;
#   - an i386 machine boots without room to grow and serves;
#   - a max= that is no size is refused, and the C library's malloc serves;
#   - growing for a 3 GiB block barely touched writes no struct page of
#     the added memory (peak RSS bound).
. "$(dirname "$0")/common.sh"
lib=$1
prog=$2
memtotal() { awk '/^MemTotal:/ { print $2 }' "$1"; }

KMM_MALLOC_BOOT="ram=64M" KMM_MALLOC_DUMP="$tmp/grown" LD_PRELOAD="$lib" "$prog" 300 >"$tmp/out" ||
	fail "the program failed: $(cat "$tmp/out")"
kb=$(memtotal "$tmp/grown")
echo "ram=64M, 300 MiB held: MemTotal $kb kB"
[ "${kb:-0}" -gt $((300 * 1024)) ] || fail "MemTotal $kb kB: the machine did not grow past 300 MiB"

KMM_MALLOC_BOOT="ram=64M max=256M" KMM_MALLOC_DUMP="$tmp/max" LD_PRELOAD="$lib" "$prog" 1024 until-fail \
	>"$tmp/out" || fail "the program failed"
cat "$tmp/out"
got=$(sed -n 's/^malloc failed after \([0-9]*\) MiB (Cannot allocate memory)$/\1/p' "$tmp/out")
[ -n "$got" ] || fail "max=256M: malloc did not fail with ENOMEM"
[ "${got:-0}" -gt 128 ] && [ "${got:-0}" -lt 192 ] || fail "max=256M: got $got MiB, expected 128-192"
kb=$(memtotal "$tmp/max")
echo "max=256M: MemTotal $kb kB"
[ "${kb:-0}" -gt $((128 * 1024)) ] && [ "${kb:-0}" -le $((192 * 1024)) ] ||
	fail "max=256M: MemTotal $kb kB, expected 128-192 MiB"

# i386 does not grow (its added RAM would be HIGHMEM): it boots without hotplug_max=.
KMM_MALLOC_BOOT="arch=i386 ram=64M" KMM_MALLOC_DUMP="$tmp/i386" LD_PRELOAD="$lib" "$prog" 16 until-fail \
	>"$tmp/out" 2>"$tmp/err" || fail "the program failed on i386"
[ ! -s "$tmp/err" ] || fail "i386: $(cat "$tmp/err")"
grep -q '^got 16 MiB$' "$tmp/out" || fail "i386: $(cat "$tmp/out")"
[ -s "$tmp/i386" ] || fail "i386: no dump: the library did not boot"

# A big block grown by 64 KiB steps from 5 to 40 MiB (560 reallocs) moves
# with a quarter more room each time: at most log(40/5)/log(1.25) + 1 = 10.
LD_PRELOAD="$lib" "$prog" 40 stepwise >"$tmp/out" 2>&1 || fail "stepwise: $(cat "$tmp/out")"
moves=$(sed -n 's/^stepwise: 40 MiB, \([0-9]*\) moves, kept$/\1/p' "$tmp/out")
[ -n "$moves" ] && [ "$moves" -le 10 ] || fail "stepwise: $(cat "$tmp/out")"

# A freed block beyond 4 MiB gives its pages back to the host, as glibc's
# munmap does: the RSS falls.
LD_PRELOAD="$lib" "$prog" 64 release >"$tmp/out" 2>&1 || fail "release: $(cat "$tmp/out")"
grep -q '^release: 64 MiB given back$' "$tmp/out" || fail "release: $(cat "$tmp/out")"

# A 3 GiB block of which two pages are written: the machine grows by it
# (add_memory_online), and the struct pages of the added memory, 48 MiB
# if written (2 MiB per 128 MiB), stay unwritten: the peak RSS was 63 MiB
# when the growth wrote them, 17 MiB now (glibc: 1).
LD_PRELOAD="$lib" "$prog" 3072 untouched >"$tmp/out" 2>&1 || fail "untouched: $(cat "$tmp/out")"
cat "$tmp/out"
rss=$(sed -n 's/^untouched: 3072 MiB, peak RSS \([0-9]*\) MiB$/\1/p' "$tmp/out")
[ -n "$rss" ] && [ "$rss" -le 32 ] || fail "untouched: $(cat "$tmp/out"): the growth wrote struct pages"

KMM_MALLOC_BOOT="ram=64M max=lots" LD_PRELOAD="$lib" "$prog" 1 until-fail >"$tmp/out" 2>"$tmp/err" ||
	fail "the program failed with a bad max="
grep -q 'cannot boot "[^"]*ram=64M max=lots": max= is not a size' "$tmp/err" ||
	fail "no message for max=lots: $(cat "$tmp/err")"

[ $status = 0 ] && echo "growth ok"
exit $status
