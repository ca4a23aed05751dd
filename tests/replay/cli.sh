#!/bin/sh
# cli.sh KMM: the `kmm replay` program's options and statuses, on the
# hand-written log hand.log (the one scripts/replay_strace.kmm carries).
set -u
kmm=$1
log=$(dirname "$0")/hand.log
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

# text: the counts, the speed line, status 0
"$kmm" replay --strace "$log" >"$work/out" 2>"$work/err" || fail "replay failed: $(cat "$work/err")"
grep -q "36 lines, 27 calls replayed, 1 other calls ignored, 0 lines refused" "$work/out" || fail "text report"
grep -q "^  time: .* lines/s" "$work/out" || fail "no time line"
# --json: one object that a JSON parser reads, with the same counts
"$kmm" replay --strace "$log" --json >"$work/json" || fail "--json failed"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert (d["lines"], d["calls"], d["refused"], d["results_different"], d["outside"]) == (36, 27, 0, 0, 1), d
assert d["placed"] == 6 and d["placement_agreed"] == 2 and d["file_standins"] == 2, d' "$work/json" ||
	fail "--json"
# --proc-dir: the views of each process at its exit or at the end, and the system's
"$kmm" replay --strace "$log" --proc-dir "$work/proc" >/dev/null || fail "--proc-dir failed"
for f in 100/maps 100/smaps 100/status 103/maps 104/maps meminfo vmstat buddyinfo zoneinfo slabinfo; do
	[ -s "$work/proc/$f" ] || fail "--proc-dir wrote no $f"
done
grep -q "^555555559000-55555557a000 rw-p 00000000 00:00 0 *\[heap\]$" "$work/proc/100/maps" || fail "100/maps"
grep -q "^Name:" "$work/proc/100/status" || fail "100/status"
# a file mapping: the host file the log's openat named, mapped (path in maps); a relative path
# (the traced program's working directory is not in the log) gets an anonymous stand-in
head -c 12288 /dev/zero >"$work/data"
cat >"$work/file.log" <<END
7 openat(AT_FDCWD, "$work/data", O_RDONLY|O_CLOEXEC) = 3
7 mmap(NULL, 12288, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f0000000000
7 mmap(0x7f0000001000, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED, 3, 0x1000) = 0x7f0000001000
7 close(3) = 0
7 openat(AT_FDCWD, "data", O_RDONLY) = 3
7 mmap(NULL, 4096, PROT_READ, MAP_SHARED, 3, 0) = 0x7f0000100000
END
"$kmm" replay --strace "$work/file.log" --proc-dir "$work/fproc" >"$work/out" || fail "file.log"
grep -q "file mappings: 2 of the host files the log's openat named, 1 as anonymous stand-ins" "$work/out" ||
	fail "file mappings: $(grep 'file mappings' "$work/out")"
grep -q "^7f0000001000-7f0000002000 r-xp 00001000 .* $work/data\$" "$work/fproc/7/maps" ||
	fail "the file's maps line: $(cat "$work/fproc/7/maps")"
grep -q "^7f0000100000-7f0000101000 r--s 00000000 00:0" "$work/fproc/7/maps" || fail "the stand-in"
# --boot: another machine
"$kmm" replay --strace "$log" --boot "ram=128M cpus=2" >/dev/null || fail "--boot"
# errors: a missing log, a malformed line (reported, the replay goes on), --strict, --exec
"$kmm" replay --strace "$work/none" >/dev/null 2>"$work/err"
[ $? = 2 ] && grep -q "No such file" "$work/err" || fail "a missing log"
sed 's/PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE/PROT_READ|PROT_WRTE, MAP_PRIVATE/' \
	"$log" >"$work/bad.log"
"$kmm" replay --strace "$work/bad.log" >"$work/out" 2>"$work/err"
[ $? = 2 ] || fail "a malformed line: status not 2"
grep -q "bad.log:19: unknown flag or constant name" "$work/err" || fail "a malformed line: $(cat "$work/err")"
grep -q "36 lines, 26 calls replayed, 1 other calls ignored, 1 lines refused" "$work/out" || fail "went on"
"$kmm" replay --strace "$work/bad.log" --strict >"$work/out" 2>/dev/null
grep -q "19 lines, .* 1 lines refused" "$work/out" || fail "--strict did not stop at line 19"
# --exec: the first process loads the program (the PIE where today's kernels put it:
# ELF_ET_DYN_BASE, 0x555555554000), argv from the log's execve line
cat >"$work/exec.log" <<END
7 execve("/bin/true", ["true", "--x"], 0x7ffd00000000 /* 4 vars */) = 0
7 exit_group(0) = ?
7 +++ exited with 0 +++
END
"$kmm" replay --strace "$work/exec.log" --exec /bin/true --json --proc-dir "$work/eproc" >"$work/json" ||
	fail "--exec /bin/true failed"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert (d["exec"], d["exec_loaded"], d["exec_empty"], d["exec_env_count"], d["execs"]) == \
    (True, 1, 0, 4, 1), d' "$work/json" || fail "--exec: the JSON counts"
grep -q "^555555554000-.* r--p 00000000 .*/true$" "$work/eproc/7/maps" || fail "--exec: no PIE at 0x555555554000"
grep -q " \[stack\]$" "$work/eproc/7/maps" && grep -q " \[vdso\]$" "$work/eproc/7/maps" &&
	grep -q "ld-linux" "$work/eproc/7/maps" || fail "--exec: the stack, vdso or ld.so: $(cat "$work/eproc/7/maps")"
# an argv the log shows in a form kmm cannot read: the program gets {PATH}, and the report says so
printf '7 execve("/bin/true", ["true" 5], 0x1 /* 2 vars */) = 0\n7 exit_group(0) = ?\n' >"$work/argv.log"
"$kmm" replay --strace "$work/argv.log" --exec /bin/true >"$work/out" || fail "--exec with an odd argv"
grep -q "its argv {PATH}: the log shows none, kmm's default envp: the log shows 2 variables" "$work/out" ||
	fail "--exec with an odd argv: $(grep exec: "$work/out")"
# a bad --exec program: named with its errno and why, status 2, no report
for bad in "$work/none:ENOENT: no such file" "$log:EACCES: not a regular file with an execute bit" \
	"$0:ENOEXEC: not an ELF program"; do
	"$kmm" replay --strace "$work/exec.log" --exec "${bad%%:*}" >"$work/out" 2>"$work/err"
	[ $? = 2 ] || fail "--exec ${bad%%:*}: status not 2"
	grep -q "replay: --exec ${bad%%:*}: ${bad#*:}" "$work/err" || fail "--exec ${bad%%:*}: $(cat "$work/err")"
	[ -s "$work/out" ] && fail "--exec ${bad%%:*}: a report was printed"
done
"$kmm" replay --strace "$log" --frobnicate >/dev/null 2>&1
[ $? = 2 ] || fail "an unknown option"
[ $status = 0 ] && echo "kmm replay: options ok"
exit $status
