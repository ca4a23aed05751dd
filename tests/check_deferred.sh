#!/bin/sh
# Deferred struct page initialisation changes nothing a script can see:
# every test script and example prints exactly what it prints with
# deferred_init=off, on its own machine (deferring as by default, and in
# every zone with deferred_init=all) and on larger ones that defer (its
# first boot line replaced), the option itself aside.
set -u
kmm=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
n=0

# compare SCRIPT LABEL [OPTION]: run it as is (with OPTION on every boot
# line, deferred_init=all) and with deferred_init=off on every boot line.
compare() {
	if [ -n "${3:-}" ]; then
		sed -E "s/^([[:space:]]*boot)([[:space:]]|\$)/\1 $3\2/" "$1" >"$tmp/script.kmm"
	else
		cp "$1" "$tmp/script.kmm"
	fi
	"$kmm" run "$tmp/script.kmm" >"$tmp/on.raw" 2>&1
	on=$?
	sed -E 's/^([[:space:]]*boot)([[:space:]]|$)/\1 deferred_init=off\2/' "$1" >"$tmp/script.kmm"
	"$kmm" run "$tmp/script.kmm" >"$tmp/off.raw" 2>&1
	off=$?
	sed -E 's/deferred_init=(off|all) ?//' "$tmp/on.raw" >"$tmp/on.out"
	sed -E 's/deferred_init=off ?//' "$tmp/off.raw" >"$tmp/off.out"
	n=$((n + 1))
	if [ $on != $off ] || ! cmp -s "$tmp/on.out" "$tmp/off.out"; then
		echo "differs with deferred_init=off: $2 (exit $on, with it off $off)"
		diff "$tmp/off.out" "$tmp/on.out" | head -10
		status=1
	fi
}

for s in "$@"; do
	name=$(basename "$s" .kmm)
	compare "$s" "$name"
	# Every zone deferring (libkmm-malloc.so's boot): the DMA zone's blocks too.
	compare "$s" "$name with deferred_init=all" deferred_init=all
	for machine in "ram=6G nodes=2 cpus=4" "ram=3G kernelcore=1G" "ram=2G mobility_grouping=off"; do
		sed -E "0,/^[[:space:]]*boot([[:space:]].*)?$/s//boot $machine/" "$s" >"$tmp/v.kmm"
		compare "$tmp/v.kmm" "$name on $machine"
	done
done
[ $status = 0 ] && echo "$n runs: the same output with deferred_init=off"
exit $status
