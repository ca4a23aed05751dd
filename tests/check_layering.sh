#!/bin/sh
# mm/ reaches the outside only through include/kmm/, lib/ and the arch/hw
# interface: no libc or POSIX header.  The compiler's freestanding headers
# (stdarg, stddef, stdint, stdbool) are allowed.
set -u
src=$1
bad=$(grep -n '#include <' "$src"/mm/*.c "$src"/mm/*.h \
	"$src"/include/kmm/*.h "$src"/hw/*.h "$src"/arch/x86/*.h 2>/dev/null |
	grep -v '#include <kmm/' |
	grep -v -e '<stdarg.h>' -e '<stddef.h>' -e '<stdint.h>' -e '<stdbool.h>')
if [ -n "$bad" ]; then
	echo "libc or POSIX headers where only kernel headers may be used:"
	echo "$bad"
	exit 1
fi
echo "layering ok"
