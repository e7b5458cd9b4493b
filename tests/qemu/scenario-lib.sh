# shellcheck shell=bash
# shellcheck disable=SC2154 # img and build are the sourcing script's
# Sourced by the tests/scripts/qemu_*.sh that boot kserv command lists through
# tests/qemu/run-scenario.sh. Expects $build, $img (BUILD/kcore.img), $pass
# and $fail to be set, and counts into the last two.
#
# scenario DESC NAME RUN-SCENARIO-OPTIONS...: one "ok - qemu: DESC" or
# "not ok - qemu: DESC: why" line.
scenario() {
	local desc=$1 name=$2 out
	shift 2
	if [ ! -f "$img" ]; then
		echo "not ok - kcore.img missing ($img): qemu: $desc"
		fail=$((fail + 1))
		return
	fi
	if out=$(bash tests/qemu/run-scenario.sh -b "$build" "$@" "$name" 2>&1); then
		echo "ok - qemu: $desc"
		pass=$((pass + 1))
	else
		echo "not ok - qemu: $desc: ${out#FAIL "$name": }"
		fail=$((fail + 1))
	fi
}
