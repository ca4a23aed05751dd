#!/bin/sh
# kmm --help and kmm help NAME come from the command and value tables:
# every command and every kind of value listed has its help, and the
# usage lines are the ones errors quote.
set -u
kmm=$1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
"$kmm" --help >"$out" || { echo "kmm --help failed"; exit 1; }
names=$(sed -n '/^Script commands/,/^Boot options/p' "$out" |
	sed -nE 's/^  (\[[A-Z]+ =\] |[A-Z]+ = )?([a-z_0-9]+).*/\2/p'
	sed -n '/^Values/,/^Boot options/p' "$out" | sed -nE 's/^  ([a-z_]+) .*/\1/p')
[ "$(echo "$names" | wc -w)" -ge 40 ] || { echo "too few commands and kinds in --help"; status=1; }
for n in $names; do
	"$kmm" help "$n" >"$out" 2>&1 || { echo "kmm help $n failed"; status=1; continue; }
	[ -s "$out" ] || { echo "kmm help $n says nothing"; status=1; }
done
"$kmm" help alloc_pages | grep -qxF 'usage: NAME = alloc_pages [order=N] [gfp=FLAGS] [node=N] [cpu=N] [task=$T]' ||
	{ echo "kmm help alloc_pages: wrong usage line"; status=1; }
"$kmm" help page | grep -qF 'fields: ok, pfn, order, pages, zone, node, count, flags, phys' ||
	{ echo "kmm help page: wrong fields"; status=1; }
if "$kmm" help no_such_thing >/dev/null 2>&1; then
	echo "kmm help of an unknown name succeeded"
	status=1
fi
[ $status = 0 ] && echo "help ok"
exit $status
