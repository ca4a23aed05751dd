#!/bin/sh
# startup.sh LIB - what a process pays in host memory for the machine the
# library boots in it, read from the process's own /proc/self/smaps (cat
# under the library): the resident pages of the machine's RAM (the memfd:
# the struct pages, page tables, slab caches and pagesets the boot writes)
# and of the library's writable data (its kernel's globals).  The bounds sit
# a few pages above what the boot touches today (988 KB and 212 KB on
# x86_64 with glibc 2.36; 1,276 KB and 504 KB before the start-up work of
# issue 11): a boot that writes every possible CPU's pagesets, zeroes
# memory it does not need to, initialises the DMA zone's free struct
# pages, brings back file-backed kernel globals or scatters the small ones
# among the big arrays goes past them.
# Deterministic: the boot does the same every time.  A change that must
# write more at boot raises them, saying why.
. "$(dirname "$0")/common.sh"
lib=$1
ram_max_kb=${KMM_STARTUP_RAM_KB:-1060}
data_max_kb=${KMM_STARTUP_DATA_KB:-224}

# Huge pages for shared memory would make RAM's residency count 2 MB pages.
thp=/sys/kernel/mm/transparent_hugepage/shmem_enabled
if [ -r "$thp" ] && grep -Eq '\[(always|force|within_size)\]' "$thp"; then
	echo "skipped: shared memory uses huge pages here ($(cat "$thp"))"
	exit 0
fi

LD_PRELOAD="$lib" cat /proc/self/smaps >"$tmp/smaps" || fail "cat failed under the library"
name=$(basename "$lib")
# The library's data: its writable file mapping, then the anonymous one after
# it (.bss and the NOBITS kernel state).  RAM: every mapping of the memfd.
awk -v lib="$name" '
/^[0-9a-f]+-[0-9a-f]+ / {
	path = $6; perms = $2
	if (path ~ "kmm-ram") kind = "ram"
	else if (path != "" && index(path, lib) && perms ~ /w/) kind = "data"
	else if (path == "" && prev == "data") kind = "data"
	else kind = ""
	prev = kind
	next
}
/^Rss:/ { kb[kind] += $2 }
END { printf "%d %d\n", kb["ram"], kb["data"] }' "$tmp/smaps" >"$tmp/rss"
read -r ram data <"$tmp/rss"
echo "resident after boot: RAM $ram KB (at most $ram_max_kb), the library's data $data KB (at most $data_max_kb)"
[ "$ram" -gt 0 ] || fail "no RAM mapping found: did the machine boot?"
[ "$data" -gt 0 ] || fail "no writable mapping of $name found"
[ "$ram" -le "$ram_max_kb" ] || fail "the boot left $ram KB of RAM resident, more than $ram_max_kb"
[ "$data" -le "$data_max_kb" ] || fail "the library's data is $data KB resident, more than $data_max_kb"
exit $status
