#!/bin/sh
# frag.sh LIB PROGRAM [PERL HEAP_PL] - page blocks do not scatter: a
# program that grows a buffer by small steps while it keeps small objects
# (tests/malloc/frag.c is PROGRAM) reuses the pages it frees, as glibc
# does, instead of taking fresh ones at every step:
#   - its peak RSS under the library stays within 32 MiB of the C
#     library's, measured here (the library used to reach 600 MB against
#     glibc's 21 MB), growing by malloc-copy-free and by realloc;
#   - grown by realloc, the buffer moves at most 4 times, not at every
#     step: at the first realloc, then each time its quarter more room
#     is used up (log(3.2 / 1.6) / log(1.25) = 3.1);
#   - on a machine booted with ram=64M, max=256M, it runs without growing
#     RAM (the library used to grow to its limit and fail with ENOMEM);
#   - perl's bench/programs/heap.pl (when PERL is given) at 200,000 keys
#     peaks within 1.5 times the C library's RSS plus 8 MiB (the library
#     used to reach 0.74 GB against glibc's 92 MB), and at 300,000 keys
#     runs with max=1G (perl used to die with "Out of memory!").
. "$(dirname "$0")/common.sh"
lib=$1
prog=$2
perl=${3:-}
heap=${4:-}

peak() { sed -n 's/^peak \([0-9]*\) kB$/\1/p' "$1"; }
memtotal() { awk '/^MemTotal:/ { print $2 }' "$1"; }

for how in copy realloc; do
	"$prog" 1600 3200 $how >"$tmp/libc.out" 2>"$tmp/libc.err" || fail "$how: $(cat "$tmp/libc.err")"
	LD_PRELOAD="$lib" "$prog" 1600 3200 $how >"$tmp/kmm.out" 2>"$tmp/kmm.err" ||
		fail "$how under the library: $(cat "$tmp/kmm.err")"
	cmp -s "$tmp/libc.out" "$tmp/kmm.out" || fail "$how: the outputs differ"
	libc=$(peak "$tmp/libc.err")
	kmm=$(peak "$tmp/kmm.err")
	echo "$how: peak RSS $libc kB with the C library, $kmm kB with the library"
	[ -n "$libc" ] && [ -n "$kmm" ] && [ "$kmm" -le $((libc + 32 * 1024)) ] ||
		fail "$how: the library's peak RSS is more than 32 MiB above the C library's"
	if [ $how = realloc ]; then
		moves=$(sed -n 's/^moves \([0-9]*\)$/\1/p' "$tmp/kmm.err")
		echo "realloc: $moves moves"
		[ -n "$moves" ] && [ "$moves" -le 4 ] || fail "realloc: $moves moves, expected at most 4"
	fi

	KMM_MALLOC_BOOT="ram=64M max=256M" KMM_MALLOC_DUMP="$tmp/dump" LD_PRELOAD="$lib" \
		"$prog" 1600 3200 $how >"$tmp/kmm.out" 2>"$tmp/kmm.err" ||
		fail "$how, ram=64M max=256M: $(cat "$tmp/kmm.err")"
	kb=$(memtotal "$tmp/dump")
	echo "$how, ram=64M max=256M: MemTotal $kb kB at exit"
	[ -n "$kb" ] && [ "$kb" -lt $((64 * 1024)) ] ||
		fail "$how, ram=64M: the machine grew (MemTotal $kb kB) with about 20 MB in use"
done

if [ -n "$perl" ]; then
	"$prog" rss "$perl" "$heap" 200000 >"$tmp/libc.out" 2>"$tmp/libc.err" ||
		fail "perl: $(cat "$tmp/libc.err")"
	"$prog" rss env LD_PRELOAD="$lib" "$perl" "$heap" 200000 >"$tmp/kmm.out" 2>"$tmp/kmm.err" ||
		fail "perl under the library: $(cat "$tmp/kmm.err")"
	cmp -s "$tmp/libc.out" "$tmp/kmm.out" || fail "perl: the outputs differ"
	libc=$(peak "$tmp/libc.err")
	kmm=$(peak "$tmp/kmm.err")
	echo "perl heap.pl 200000: peak RSS $libc kB with the C library, $kmm kB with the library"
	[ -n "$libc" ] && [ -n "$kmm" ] && [ "$kmm" -le $((libc * 3 / 2 + 8 * 1024)) ] ||
		fail "perl: the library's peak RSS is above 1.5 times the C library's plus 8 MiB"
	KMM_MALLOC_BOOT="max=1G" LD_PRELOAD="$lib" "$perl" "$heap" 300000 >"$tmp/out" 2>"$tmp/err" ||
		fail "perl heap.pl 300000 with max=1G: $(cat "$tmp/err")"
	grep -qx '225000 300000 81715' "$tmp/out" || fail "perl heap.pl 300000: $(cat "$tmp/out")"
fi

[ $status = 0 ] && echo "no scattering ok"
exit $status
