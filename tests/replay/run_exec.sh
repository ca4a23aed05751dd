#!/bin/sh
# run_exec.sh KMM DUMPMAPS_SO PROGRAM [ARGS...]: trace PROGRAM on the host
# under setarch -R (strace -f -e trace=memory,process,file,desc), with
# dumpmaps.so writing each process's /proc/self/maps at its exit, in a
# small fixed environment (so that the host's first stack page holds the
# strings as kmm's does); replay the log with kmm --exec PROGRAM, which
# loads the program as the host did.  The replay must refuse no line,
# every result must be the log's, no call may fall outside kmm's
# mappings, every placement kmm's get_unmapped_area disagrees on must be
# explained, and each process's final maps must be the host's line for
# line (compare_exec.py names the documented differences).
set -u
kmm=$1 so=$(realpath "$2")
shift 2
here=$(dirname "$0")
prog=$(realpath "$(command -v "$1")")
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
mkdir "$work/host" "$work/kmm"
env -i PATH="/usr/local/bin:/usr/bin:/bin" HOME=/root LANG=C TERM=dumb \
	setarch -R strace -f -qq -o "$work/log" -e trace=memory,process,file,desc \
	-E LD_PRELOAD="$so" -E REPLAY_MAPS_DIR="$work/host" "$@" \
	>"$work/stdout" 2>"$work/stderr" </dev/null || {
	echo "the traced program failed:"; cat "$work/stderr"; exit 1; }
echo "log: $(wc -l <"$work/log") lines; maps written: $(ls "$work/host" | wc -l)"
"$kmm" replay --strace "$work/log" --exec "$prog" --proc-dir "$work/kmm" || {
	echo "kmm replay failed"; exit 1; }
"$kmm" replay --strace "$work/log" --exec "$prog" --json >"$work/json" || exit 1
python3 - "$work/json" <<'END' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
want = dict(refused=0, results_different=0, outside=0, placement_unexplained=0, brk_moved=0)
bad = {k: d[k] for k in want if d[k] != want[k]}
if d["exec_loaded"] < 1:
    bad["exec_loaded"] = d["exec_loaded"]
if bad:
    sys.exit("the replay's counts are not as they must be: %s" % bad)
print("placement: %d of %d agreed (%d after the [vvar] stand-in), %d huge-page alignments, "
      "%d highest holes, 0 unexplained" % (d["placement_agreed"], d["placed"], d["placement_vvar"],
      d["placement_thp"], d["placement_highest_hole"]))
END
python3 "$here/compare_exec.py" "$work/log" "$work/host" "$work/kmm"
