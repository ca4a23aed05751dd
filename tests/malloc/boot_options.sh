#!/bin/sh
# boot_options.sh LIB PROGRAM - KMM_MALLOC_BOOT overrides the library's
# default boot options (ram=1G cpus=<NR_CPUS> maxcpus=2) option by option:
# what it does not name keeps its default.  Read back from the dump at exit
# (MemTotal, /sys/devices/system/cpu/possible and online) of a program with
# one thread, which leaves online the CPUs maxcpus= brought up.
. "$(dirname "$0")/common.sh"
lib=$1
prog=$2

# view NAME: the first line after "==> NAME <==" in the dump.
view() { sed -n "\\|^==> $1 <==\$|{n;p;}" "$tmp/dump"; }
memtotal() { sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' "$tmp/dump"; }

# run BOOT: the program under the library, booted with KMM_MALLOC_BOOT=BOOT.
run() {
	rm -f "$tmp/dump"
	KMM_MALLOC_BOOT="$1" KMM_MALLOC_DUMP="$tmp/dump" LD_PRELOAD="$lib" "$prog" >/dev/null ||
		fail "the program failed with KMM_MALLOC_BOOT='$1'"
	echo "'$1': MemTotal $(memtotal) kB, possible $(view /sys/devices/system/cpu/possible)," \
	     "online $(view /sys/devices/system/cpu/online)"
}

run ""
default_possible=$(view /sys/devices/system/cpu/possible)
[ "$(memtotal)" -gt 900000 ] && [ "$(memtotal)" -lt 1048576 ] || fail "default: not 1 GiB"
[ "$(view /sys/devices/system/cpu/online)" = "0-1" ] || fail "default: not 2 CPUs online"
case $default_possible in
0-1[2-9][0-9] | 0-[2-9][0-9][0-9]) ;;	# more than 128
*) fail "default: possible CPUs $default_possible, not more than 128" ;;
esac

# ram= alone keeps cpus= and maxcpus= (it once dropped to 2 CPUs).
run "ram=2G"
[ "$(memtotal)" -gt 1900000 ] || fail "ram=2G: MemTotal $(memtotal) kB"
[ "$(view /sys/devices/system/cpu/possible)" = "$default_possible" ] || fail "ram=2G lost cpus="
[ "$(view /sys/devices/system/cpu/online)" = "0-1" ] || fail "ram=2G lost maxcpus="

# cpus= alone keeps ram= and maxcpus=.
run "cpus=4"
[ "$(memtotal)" -lt 1048576 ] || fail "cpus=4 lost ram=1G"
[ "$(view /sys/devices/system/cpu/possible)" = "0-3" ] || fail "cpus=4 not taken"
[ "$(view /sys/devices/system/cpu/online)" = "0-1" ] || fail "cpus=4 lost maxcpus="

# maxcpus= alone keeps the others; an option given twice: the last wins, as on a kernel line.
run "maxcpus=3 ram=512M ram=256M"
[ "$(memtotal)" -lt 262144 ] || fail "ram=256M (the last ram=) not taken"
[ "$(view /sys/devices/system/cpu/online)" = "0-2" ] || fail "maxcpus=3 not taken"
[ "$(view /sys/devices/system/cpu/possible)" = "$default_possible" ] || fail "maxcpus=3 lost cpus="
exit $status
