#!/bin/sh
# misuse.sh LIB MISUSE - each misuse of tests/malloc/misuse.c under LIB
# (libkmm-malloc.so) must end the program with SIGABRT, before it prints
# "survived", with its one-line report on standard error naming the call,
# the fault, the address and (for slab objects) the cache.  Then random
# traffic with one injected misuse, over several seeds; and with
# KMM_MALLOC_BOOT=slab_harden=off a double free goes unnoticed, as in
# 2.6.34.
set -u
lib=$1
prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
A='0x[0-9a-f]+'

# expect ARGS... -- REGEX: SIGABRT, no "survived", stderr matching REGEX.
expect() {
	args=
	while [ "$1" != "--" ]; do args="$args $1"; shift; done
	shift
	LD_PRELOAD="$lib" "$prog" $args >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ $status != 134 ] || grep -q survived "$tmp/out" || ! grep -Eq "^$1\$" "$tmp/err"; then
		echo "FAIL$args: status $status (want 134, SIGABRT), stderr:"
		head -5 "$tmp/err"
		echo "  wanted: $1"
		fails=$((fails + 1))
	else
		echo "ok$args: $(cat "$tmp/err")"
	fi
}

K="kmm-malloc:"
expect double-free -- "$K free\(\): double free detected: $A in cache size-128"
expect double-free-shared -- "$K free\(\): double free detected: $A in cache size-128"
expect double-free-slab -- "$K free\(\): double free detected: $A in cache size-128"
expect free-interior -- "$K free\(\): invalid pointer \(not the start of an object\): $A in cache size-128"
expect free-stack -- "$K free\(\): invalid pointer: $A \(not from this allocator\)"
expect free-static -- "$K free\(\): invalid pointer: $A \(not from this allocator\)"
expect free-foreign -- "$K free\(\): invalid pointer: $A \(not from this allocator\)"
expect free-mmap -- "$K free\(\): invalid pointer: $A \(not from this allocator\)"
expect free-page-block-interior -- "$K free\(\): invalid pointer: $A \(not a block in use\)"
expect double-free-page-block -- "$K free\(\): invalid pointer: $A \(not a block in use\)"
expect double-free-big-block -- "$K free\(\): invalid pointer: $A \(not a block in use\)"
expect double-free-mmap-block -- "$K free\(\): invalid pointer: $A \(not from this allocator\)"
expect overwritten-slab-record -- "$K free\(\): slab bookkeeping overwritten: $A in cache size-64"
expect realloc-freed -- "$K realloc\(\): double free detected: $A in cache size-128"
expect realloc-interior -- "$K realloc\(\): invalid pointer \(not the start of an object\): $A in cache size-128"
expect realloc-stack -- "$K realloc\(\): invalid pointer: $A \(not from this allocator\)"
expect realloc-static -- "$K realloc\(\): invalid pointer: $A \(not from this allocator\)"
expect realloc-foreign -- "$K realloc\(\): invalid pointer: $A \(not from this allocator\)"
for seed in 1 2 3 4 5 6 7 8; do
	expect random $seed -- "$K (free|realloc)\(\): .*"
done

# Off: 2.6.34's SLAB takes the double free.
KMM_MALLOC_BOOT="ram=1G cpus=64 maxcpus=2 slab_harden=off" LD_PRELOAD="$lib" "$prog" double-free \
	>"$tmp/out" 2>"$tmp/err"
if [ $? != 0 ] || ! grep -q "survived double-free" "$tmp/out"; then
	echo "FAIL: with slab_harden=off the double free should go unnoticed"
	fails=$((fails + 1))
else
	echo "ok: slab_harden=off: the double free goes unnoticed"
fi
[ $fails = 0 ] || { echo "$fails case(s) failed"; exit 1; }
