#!/bin/sh
# tools/install-deps.sh - install what `make test` needs beyond what `make demo`
# needs (gcc, make, cmake).  `make test` runs it first; so does .ci/run.
#
# Each dependency is looked for the way the build looks for it (a header, a
# library, a program).  What is missing is installed with apt-get when that
# is possible (root, or sudo without a password); otherwise the exact
# packages are printed and the script fails, changing nothing.
#
#   tools/install-deps.sh          install what is missing
#   tools/install-deps.sh --check  only say what is missing (exit 1 if anything)
set -u

check_only=0
[ "${1:-}" = "--check" ] && check_only=1

missing=""
need() {	# need PACKAGE: add it to the list
	case " $missing " in *" $1 "*) ;; *) missing="$missing $1" ;; esac
}

have_lib() {	# have_lib NAME: is libNAME.so known to the linker?
	for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
		[ -e "$d/lib$1.so" ] && return 0
	done
	return 1
}

# The test framework (unit tests).
{ [ -e /usr/include/cmocka.h ] && have_lib cmocka; } || need libcmocka-dev
# Clang and its runtime: libFuzzer targets and sanitizer runtimes.
command -v clang >/dev/null 2>&1 || need clang
clang_rt=$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null | head -n 1)
[ -n "$clang_rt" ] || need libclang-rt-14-dev
# Peers the benchmarks (and make test's short bench run) measure side by side.
have_lib mimalloc || need libmimalloc-dev
have_lib jemalloc || need libjemalloc-dev
have_lib tcmalloc || need libgoogle-perftools-dev
# A real program run under libkmm-malloc.so.
command -v python3 >/dev/null 2>&1 || need python3
# The strace replay's tests trace real programs on the host (tests/replay).
command -v strace >/dev/null 2>&1 || need strace
# exec's tests build a static program (libc6-dev's libc.a) and its i386
# twin (gcc -m32 -static: gcc-multilib).
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || need libc6-dev
[ -e /usr/lib32/libc.a ] || need gcc-multilib
# The library's test builds the example with pkg-config.
command -v pkg-config >/dev/null 2>&1 || need pkg-config

if [ -z "$missing" ]; then
	echo "install-deps: everything make test needs is here"
	exit 0
fi
echo "install-deps: missing Debian packages:$missing"
[ $check_only -eq 1 ] && exit 1

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: no apt-get here; install these packages (or their equivalents) and run make test again:$missing" >&2
	exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO="sudo -n"
else
	echo "install-deps: not root and no password-less sudo; run:" >&2
	echo "  sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || exit 1
# shellcheck disable=SC2086  # one word per package
$SUDO apt-get install -y -qq --no-install-recommends $missing || exit 1
echo "install-deps: installed$missing"
