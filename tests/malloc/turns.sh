#!/bin/sh
# turns.sh LIB PROGRAM FORK - more threads than CPUs (tools/malloc/machine.c):
# threads that find no CPU of their own take turns on the shared CPUs, the
# top 1/32 of the CPUs (1 to 16), and none borrows a CPU through the
# takeover protocol while it lives.  PROGRAM is tests/malloc/threads.c,
# whose threads are all alive before any allocates; its output must be the
# same as with the C library's (compare.sh).  The dump's kmm-malloc
# section counts the turns and the borrowed calls.
#
#   600 threads, the library's 512 CPUs: 496 of their own (the main
#       thread's among them), 16 shared, 105 threads taking turns
#   16 threads, cpus=4: CPUs 0-2 their own, CPU 3 shared by 13
#   16 threads, cpus=4, longer: threads taking turns get the CPUs of the
#       threads that ended
#   8 threads, cpus=1: no CPU to share (the main thread owns CPU 0):
#       every other thread borrows it for each call
#   FORK (tests/malloc/fork.c), cpus=2: its three helper threads take
#       turns on CPU 1 while the main thread forks, then while a thread
#       taking turns forks (no turn is half taken in a child)
#   16 threads, ram=64M cpus=2: threads taking turns grow the machine
. "$(dirname "$0")/common.sh"
lib=$1
prog=$2
forkprog=$3
here=$(dirname "$0")

view() { sed -n "\\|^==> $1 <==\$|{n;p;}" "$tmp/dump"; }
counter() { sed -n "/^==> kmm-malloc <==\$/,\$s/^$1 //p" "$tmp/dump"; }

# run BOOT PROGRAM ARG...: the program under both mallocs, the dump kept.
run() {
	boot=$1
	shift
	KMM_MALLOC_BOOT="$boot" KMM_MALLOC_DUMP="$tmp/dump" "$here/compare.sh" "$lib" "$@" ||
		fail "$* with '$boot': outputs differ"
	echo "$(basename "$1") ${2:-} ${3:-}, '$boot': shared_cpus $(counter shared_cpus), turns $(counter turns)," \
		"borrowed $(counter borrowed), borrowed_exiting $(counter borrowed_exiting)"
}

# The tasks on the task list at exit with one thread: every thread that
# ended took its task off (a thread that only took turns too).
run "" "$prog" 1 10
tasks=$(counter tasks)
[ -n "$tasks" ] || fail "no task count in the dump"

run "" "$prog" 600 60
[ "$(counter tasks)" = "$tasks" ] || fail "600 threads: $(counter tasks) tasks left at exit, not $tasks"
[ "$(counter shared_cpus)" = 16 ] || fail "600 threads: not 16 shared CPUs"
[ "$(counter turns)" -ge 105 ] || fail "600 threads: fewer turns than threads beyond the CPUs"
[ "$(counter borrowed)" = 0 ] || fail "600 threads: a living thread borrowed a CPU"
view /sys/devices/system/cpu/online | grep -Eq '(^|,)496-511$' ||
	fail "600 threads: the shared CPUs 496-511 are not online: $(view /sys/devices/system/cpu/online)"

run "cpus=4" "$prog" 16 400
[ "$(counter tasks)" = "$tasks" ] || fail "cpus=4: $(counter tasks) tasks left at exit, not $tasks"
[ "$(counter shared_cpus)" = 1 ] || fail "cpus=4: not one shared CPU"
[ "$(counter turns)" -ge 13 ] || fail "cpus=4: fewer turns than threads taking them"
[ "$(counter borrowed)" = 0 ] || fail "cpus=4: a living thread borrowed a CPU"
[ "$(view /sys/devices/system/cpu/online)" = "0-3" ] || fail "cpus=4: not every CPU online"

# Threads taking turns try again for a CPU of their own every 1024 calls:
# the two with CPUs of their own end long before the 14 taking turns on
# CPU 3 (one at a time), whose next tries find CPUs 1 and 2 free.
run "cpus=4" "$prog" 16 4000 7
[ "$(counter turns_then_own)" -ge 1 ] || fail "cpus=4: no thread taking turns got a CPU of its own"

run "cpus=1" "$prog" 8 400
[ "$(counter shared_cpus)" = 0 ] || fail "cpus=1: a shared CPU"
[ "$(counter turns)" = 0 ] || fail "cpus=1: turns taken"
[ "$(counter borrowed)" -ge 7 ] || fail "cpus=1: the threads did not borrow CPU 0"

run "cpus=2" "$forkprog" 12
[ "$(counter turns)" -ge 3 ] || fail "fork, cpus=2: the helpers took no turns"
[ "$(counter borrowed)" = 0 ] || fail "fork, cpus=2: a living thread borrowed a CPU"
# A thread taking turns forks while the others take theirs: no child
# inherits a turn half taken (it would wait for it for ever).
run "cpus=2" "$forkprog" 12 thread
[ "$(counter turns)" -ge 3 ] || fail "fork from a thread, cpus=2: no turns taken"

# Threads taking turns grow the machine as owners do: 16 threads on 2 CPUs
# hold more than the 64M the machine boots with.
run "ram=64M cpus=2" "$prog" 16 400
total=$(view /proc/meminfo | awk '/^MemTotal:/ { print $2 }')
echo "MemTotal at exit: $total kB"
[ "${total:-0}" -gt 65536 ] || fail "ram=64M cpus=2: the machine did not grow"
[ "$(counter borrowed)" = 0 ] || fail "ram=64M cpus=2: a living thread borrowed a CPU"
exit $status
