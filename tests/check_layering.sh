#!/bin/sh
# check_layering.sh SRC [BUILD] - the layers point only down.
#
# 1. Every #include "..." of a file is allowed by its layer's row below
#    (docs/architecture.md draws the same table).
# 2. The public headers (include/kmm/) and the headers mm/ includes name no
#    libc or POSIX header: only <kmm/...> and the compiler's freestanding
#    headers.  mm/ itself likewise.
# 3. With BUILD: the objects of mm/ (release build) take no symbol from
#    outside the kernel's own objects: no memcpy, snprintf... from the C
#    library (lib/ provides them, as Linux's lib/ does).  The compiler's
#    runtime helpers (__popcountdi2...) are allowed, as they are to Linux.
set -u
src=$1
build=${2:-}
status=0

# layer (a folder)   the folders and files its "..." includes may name
table='
lib/            lib/
hw/             hw/ lib/
arch/x86/       arch/x86/ hw/ lib/ mm/boot.h
mm/             mm/ arch/x86/ hw/ lib/
kernel/         kernel/ mm/boot.h arch/x86/ hw/ lib/
include/kmm/    -
tools/kmm/      tools/kmm/
tools/malloc/   tools/malloc/
examples/       -
'
# tests/ and bench/ are white-box: they may include any layer.

cd "$src" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%s\n' "$table" | while read -r layer allowed; do
	[ -n "$layer" ] || continue
	files=$(find "$layer" -name '*.[ch]' 2>/dev/null)
	[ -n "$files" ] || continue
	grep -Hn '^#include "' $files | while IFS= read -r line; do
		target=$(printf '%s' "$line" | sed 's/.*#include "\([^"]*\)".*/\1/')
		ok=0
		for a in $allowed; do
			case "$a" in
			-) ;;
			*/) case "$target" in "$a"*) ok=1 ;; esac ;;
			*) [ "$target" = "$a" ] && ok=1 ;;
			esac
		done
		if [ $ok = 0 ]; then
			echo "layering: $line: $layer may not include \"$target\" (allowed: $allowed)"
			touch "$tmp/bad"
		fi
	done
done
[ -f "$tmp/bad" ] && status=1

# 2. No libc header where only kernel headers may be used.
bad=$(grep -n '#include <' mm/*.c mm/*.h include/kmm/*.h include/kmm/asm/*.h hw/*.h \
	arch/x86/*.h 2>/dev/null |
	grep -v '#include <kmm/' |
	grep -v -e '<stdarg.h>' -e '<stddef.h>' -e '<stdint.h>' -e '<stdbool.h>')
if [ -n "$bad" ]; then
	echo "libc or POSIX headers where only kernel headers may be used:"
	echo "$bad"
	status=1
fi

# 3. mm/'s objects take nothing from outside the kernel.
if [ -n "$build" ]; then
	objdir="$build/CMakeFiles/kmm_core.dir"
	if [ ! -d "$objdir/mm" ]; then
		echo "no objects in $objdir/mm: build first"
		exit 1
	fi
	find "$objdir" -name '*.o' -exec nm --defined-only {} + |
		awk 'NF == 3 { print $3 }' | sort -u > "$tmp/defined"
	nm -u "$objdir"/mm/*.o | awk 'NF == 2 { print $2 }' | sort -u |
		grep -v -e '^_GLOBAL_OFFSET_TABLE_$' -e '^__start_' -e '^__stop_' |
		grep -vE '^__[a-z]+[qsdt]i[0-9]$' > "$tmp/undefined"	# the compiler's own (libgcc)
	outside=$(comm -23 "$tmp/undefined" "$tmp/defined")
	if [ -n "$outside" ]; then
		echo "mm/ objects take symbols from outside the kernel (the C library?):"
		echo "$outside"
		status=1
	fi
fi

[ $status = 0 ] && echo "layering ok"
exit $status
