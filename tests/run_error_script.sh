#!/bin/sh
# Run a script that must fail, and check how: its header says
#   # expect-exit: N
#   # expect-stderr: TEXT       (one or more; each must appear in stderr)
#   # expect-stdout: TEXT       (optional)
#   # expect-stdout-lacks: TEXT (optional)
set -u
kmm=$1
script=$2
want_exit=$(sed -n 's/^# expect-exit: *//p' "$script")
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$kmm" run "$script" >"$out" 2>"$err"
got=$?
status=0
if [ "$got" != "$want_exit" ]; then
	echo "$script: exit status $got, expected $want_exit"
	status=1
fi
sed -n 's/^# expect-stderr: *//p' "$script" | while IFS= read -r text; do
	grep -qF -- "$text" "$err" || { echo "$script: stderr lacks: $text"; exit 1; }
done || status=1
sed -n 's/^# expect-stdout: *//p' "$script" | while IFS= read -r text; do
	grep -qF -- "$text" "$out" || { echo "$script: stdout lacks: $text"; exit 1; }
done || status=1
sed -n 's/^# expect-stdout-lacks: *//p' "$script" | while IFS= read -r text; do
	! grep -qF -- "$text" "$out" || { echo "$script: stdout has: $text"; exit 1; }
done || status=1
if [ $status != 0 ]; then
	echo "--- stderr:"; cat "$err"; echo "--- stdout (head):"; head -20 "$out"
fi
exit $status
