# shellcheck shell=bash
# One tools/kcore-run scenario, judged: sourced by qemu_guests.sh,
# qemu_release.sh and qemu_snapshot.sh after tests/qemu/preamble.sh (run,
# build, limit, logdir, tmp, console_verdict). The caller sets forbid_always
# (console lines never acceptable).
#
# run_scenario LOGNAME WANT_RC [-e REGEX]... [-f REGEX]... [-s STDERR_REGEX]... -- KCORE-RUN-ARGS...
#   -e: a console line (CR stripped) must match; -f: none may; -s: a line of
#   kcore-run's stderr must match. Sets scenario_log (the console and
#   kcore-run's messages, in logdir/LOGNAME.log) and scenario_why (empty when
#   every check held, else the first that failed).
run_scenario() {
	local want=$2 rc re
	local -a expect=() forbid=("${forbid_always[@]}") serr=()
	scenario_log=$logdir/$1.log
	scenario_why=""
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		case $1 in
		-e) expect+=("$2") ;;
		-f) forbid+=("$2") ;;
		-s) serr+=("$2") ;;
		esac
		shift 2
	done
	shift
	"$run" --build "$build" --timeout "$limit" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	{
		echo "# tools/kcore-run --build $build --timeout $limit $*"
		cat "$tmp/out"
		echo "# kcore-run's stderr (exit status $rc):"
		cat "$tmp/err"
	} >"$scenario_log"
	tr -d '\r' <"$tmp/out" >"$tmp/clean"
	if [ "$rc" -ne "$want" ]; then
		# kcore-run's verdict (its last line), or whatever else it said
		scenario_why="kcore-run exit $rc, want $want: $(grep -v '^kcore-run: signing ' "$tmp/err" | tail -1)"
	fi
	[ -n "$scenario_why" ] && return
	scenario_why=$(console_verdict "$tmp/clean")
	for re in "${serr[@]}"; do
		[ -n "$scenario_why" ] && return
		grep -qE -- "$re" "$tmp/err" || scenario_why="kcore-run's stderr has no line matching /$re/"
	done
}
