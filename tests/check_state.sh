#!/bin/sh
# Every writable global of the kernel layers must live in the kmm_state
# section, so that a shutdown restores a fresh machine (see compiler.h).
# Globals that must survive reboots are listed, with their reason, in
# tests/state_allowlist.txt.
set -u
build=$1
src=$2
objs=$(find "$build/CMakeFiles/kmm_core.dir" -path '*/tools/*' -prune -o -name '*.o' -print)
[ -n "$objs" ] || { echo "no objects found under $build"; exit 1; }
allow="$src/tests/state_allowlist.txt"
status=0
for o in $objs; do
	objdump -t "$o" | awk '/ O / { for (i = 1; i <= NF; i++) if ($i == ".data" || $i == ".bss" || $i == ".data.rel" || $i == ".data.rel.local") { print $NF; break } }' |
	while read -r sym; do
		base=$(basename "$o" .c.o)
		if ! grep -q "^$base:$sym\b" "$allow"; then
			echo "$base: global '$sym' is outside the kmm_state section (mark it __state)"
			exit 1
		fi
	done || status=1
done
[ $status = 0 ] && echo "state section ok"
exit $status
