# shellcheck shell=bash
# What every QEMU test script of tests/scripts/ (qemu_guests.sh,
# qemu_release.sh, qemu_snapshot.sh, qemu_reset.sh) sets up first. Sourced as
#
#   . "$(dirname "$0")/../qemu/preamble.sh" TAG LIMIT "$@"
#
# TAG is the word after "ok - " in the script's result lines, LIMIT the
# default QEMU time limit in seconds (QEMU_TIMEOUT overrides it), and the
# script's own arguments follow ([BUILD_DIR], default build). It changes to
# the top of the tree and sets
#
#   top, build, run (tools/kcore-run), g (the guests' images), logdir
#   (BUILD/qemu-logs, created), limit, pass and fail (counters, 0), tmp (a
#   directory removed when the script exits)
#
# and defines the result lines, which count:
#
#   ok DESC           "ok - TAG: DESC"
#   not_ok DESC WHY   "not ok - TAG: DESC: WHY"
#   result DESC WHY   ok when WHY is empty, else not_ok
#
# and the check of a console log against the caller's arrays forbid and
# expect (bash functions see their caller's locals):
#
#   console_verdict FILE   prints why FILE fails (the first line matching a
#                          forbid pattern, else the first expect pattern no
#                          line matches); nothing if it passes
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 1
preamble_tag=$1
# Used by the scripts that source this file.
# shellcheck disable=SC2034
{
	build=${3:-build}
	run=tools/kcore-run
	g=$build/guests
	logdir=$build/qemu-logs
	limit=${QEMU_TIMEOUT:-$2}
}
mkdir -p "$logdir"

pass=0
fail=0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() {
	echo "ok - $preamble_tag: $1"
	pass=$((pass + 1))
}

not_ok() {
	echo "not ok - $preamble_tag: $1: $2"
	fail=$((fail + 1))
}

result() {
	if [ -z "$2" ]; then
		ok "$1"
	else
		not_ok "$1" "$2"
	fi
}

# forbid and expect are the caller's.
# shellcheck disable=SC2154
console_verdict() {
	local re line
	for re in "${forbid[@]}"; do
		if line=$(grep -m1 -E -- "$re" "$1"); then
			echo "forbidden output: $line"
			return
		fi
	done
	for re in "${expect[@]}"; do
		if ! grep -qE -- "$re" "$1"; then
			echo "no console line matches /$re/"
			return
		fi
	done
}
