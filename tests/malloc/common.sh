# common.sh - sourced by the library's test scripts here: a scratch
# directory removed at exit ($tmp), and fail(), which reports a failed
# check and makes the script's $status 1 without stopping it.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }
