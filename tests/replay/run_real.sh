#!/bin/sh
# run_real.sh KMM DUMPMAPS_SO PROGRAM [ARGS...]: trace PROGRAM on the host
# (strace -f -e trace=memory,process,file,desc), with dumpmaps.so writing
# each process's /proc/self/maps at its exit; replay the log with kmm
# (--proc-dir); the final mappings must agree (compare_maps.py says which
# pages are compared and why).  The replay must refuse no line and every
# call's result must be the log's (outside: calls on the image exec made,
# which the log does not show).
set -u
kmm=$1 so=$2
shift 2
here=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/host" "$work/kmm"
strace -f -qq -o "$work/log" -e trace=memory,process,file,desc \
	-E LD_PRELOAD="$so" -E REPLAY_MAPS_DIR="$work/host" "$@" \
	>"$work/stdout" 2>"$work/stderr" </dev/null || {
	echo "the traced program failed:"; cat "$work/stderr"; exit 1; }
echo "log: $(wc -l <"$work/log") lines; maps written: $(ls "$work/host" | wc -l)"
"$kmm" replay --strace "$work/log" --proc-dir "$work/kmm" >"$work/report" || {
	cat "$work/report"; echo "kmm replay failed"; exit 1; }
cat "$work/report"
grep -q "lines refused$" "$work/report" && ! grep -q " 0 lines refused$" "$work/report" && {
	echo "lines were refused"; exit 1; }
grep -q ", 0 different," "$work/report" || { echo "results differ from the log's"; exit 1; }
python3 "$here/compare_maps.py" "$work/log" "$work/host" "$work/kmm"
