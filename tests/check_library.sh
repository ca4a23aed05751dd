#!/bin/sh
# check_library.sh SRC BUILD - libkmm as a C programmer gets it:
#   1. every public header compiles on its own (include/kmm/ is self-contained);
#   2. examples/hello_kmm.c builds with pkg-config against the build tree
#      (PKG_CONFIG_PATH=BUILD) and runs;
#   3. make install into a scratch prefix; the example builds against the
#      installed kmm.pc, and links statically with libkmm.a, and both run.
set -u
src=$1
build=$2
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "check_library: $*"; status=1; }

command -v pkg-config >/dev/null || { echo "pkg-config is missing (tools/install-deps.sh installs it)"; exit 1; }

for h in "$src"/include/kmm/*.h "$src"/include/kmm/asm/*.h; do
	rel=${h#"$src"/include/}
	printf '#include <%s>\n' "$rel" |
		$cc -std=gnu11 -Wall -Wextra -Werror -fsyntax-only -I"$src/include" -x c - 2>"$tmp/err" ||
		{ fail "<$rel> does not compile on its own:"; cat "$tmp/err"; }
done

run_example() {	# run_example LABEL EXE
	"$2" > "$tmp/out" 2>&1 && grep -q '^all done$' "$tmp/out" ||
		{ fail "$1: the example did not run:"; cat "$tmp/out"; }
}

PKG_CONFIG_PATH="$build" $cc -Wall -Werror "$src/examples/hello_kmm.c" \
	$(PKG_CONFIG_PATH="$build" pkg-config --cflags --libs kmm) -o "$tmp/hello_build" ||
	fail "the example does not build against the build tree"
[ -x "$tmp/hello_build" ] && run_example "build tree" "$tmp/hello_build"

cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log" 2>&1 ||
	{ fail "make install failed:"; cat "$tmp/install.log"; }
for f in bin/kmm lib/libkmm.so lib/libkmm.a lib/libkmm-malloc.so lib/pkgconfig/kmm.pc \
	 include/kmm/kmm.h include/kmm/asm/smp.h; do
	[ -e "$tmp/prefix/$f" ] || fail "make install did not install $f"
done
pc="$tmp/prefix/lib/pkgconfig"
$cc -Wall -Werror "$src/examples/hello_kmm.c" \
	$(PKG_CONFIG_PATH="$pc" pkg-config --cflags --libs kmm) -o "$tmp/hello_installed" ||
	fail "the example does not build against the installed library"
[ -x "$tmp/hello_installed" ] && run_example "installed" "$tmp/hello_installed"
$cc -Wall -Werror "$src/examples/hello_kmm.c" $(PKG_CONFIG_PATH="$pc" pkg-config --cflags kmm) \
	"$tmp/prefix/lib/libkmm.a" -lpthread -lm -o "$tmp/hello_static" ||
	fail "the example does not link statically with libkmm.a"
[ -x "$tmp/hello_static" ] && run_example "static" "$tmp/hello_static"
"$tmp/prefix/bin/kmm" --version > /dev/null || fail "the installed kmm does not run"

[ $status = 0 ] && echo "library ok: headers, pkg-config (build tree and installed), static link"
exit $status
