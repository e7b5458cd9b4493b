#!/usr/bin/env bash
# The libFuzzer target (tests/fuzz/fuzz_kcore.c), persistent: it boots the
# simulated machine once and resets it exactly after every input
# (tests/fuzz/state.h). Two steps, one "ok"/"not ok" line each:
#   1. replay: every input of tests/fuzz/regressions/ (past findings, see its
#      README) and of the kept corpus tests/fuzz/corpus/, each run twice with
#      a reset between (KCORE_FUZZ_CHECK_RESET=1): both runs must give the
#      same results and the same machine, each reset must give back the
#      saved machine to the byte, and no input may find anything;
#   2. a campaign of FUZZ_SECONDS (default 60) from that corpus.
# A finding (invariant violation, stale TLB entry, sanitizer report, kcore
# panic, an inexact reset) fails the run; the input is kept under
# BUILD/fuzz/findings/ to become a regression input.
set -u
build=${1:-build}
secs=${FUZZ_SECONDS:-60}
bin="$build/fuzz/fuzz_kcore"
if [ ! -x "$bin" ]; then
	echo "not ok - fuzz: $bin missing (make $bin)"
	exit 1
fi
work="$build/fuzz/corpus"
mkdir -p "$work" "$build/fuzz/findings"
rc_all=0

# ---- 1. replay, with the reset checked ----
regressions=()
for f in tests/fuzz/regressions/*; do
	[ -f "$f" ] && [ "$(basename "$f")" != README.md ] && regressions+=("$f")
done
corpus=(tests/fuzz/corpus/*)
log="$build/fuzz/replay.log"
KCORE_FUZZ_CHECK_RESET=1 "$bin" -artifact_prefix="$build/fuzz/findings/" \
	"${regressions[@]}" "${corpus[@]}" >"$log" 2>&1
rc=$?
ran=$(grep -c '^Executed ' "$log")
want=$((${#regressions[@]} + ${#corpus[@]}))
if [ "$rc" -eq 0 ] && [ "$ran" -eq "$want" ]; then
	echo "ok - fuzz: ${#regressions[@]} regression and ${#corpus[@]} corpus inputs replayed, each twice with a reset between: same results, the saved machine back to the byte, no finding"
else
	echo "not ok - fuzz: replay of the regressions and corpus: $ran of $want inputs ran, status $rc (see $log)"
	grep -E 'fuzz:|ERROR|PANIC|SUMMARY' "$log" | head -5
	rc_all=1
fi

# ---- 2. the campaign ----
cp -n tests/fuzz/corpus/* "$work/" 2>/dev/null
log="$build/fuzz/last-run.log"
"$bin" -max_total_time="$secs" -max_len=2112 -artifact_prefix="$build/fuzz/findings/" \
	-print_final_stats=1 "$work" >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/.*DONE .* exec\/s: \([0-9]*\) .*/\1/p' "$log" | tail -1)
if [ "$rc" -eq 0 ]; then
	echo "ok - fuzz: ${runs:-?} inputs in ${secs}s (${rate:-?} a second, libFuzzer's exec/s) through the hypercall and exit interfaces, no finding"
else
	echo "not ok - fuzz: a finding after ${runs:-?} inputs (see $log and $build/fuzz/findings/)"
	grep -E 'fuzz:|ERROR|PANIC|SUMMARY' "$log" | head -5
	rc_all=1
fi
exit $rc_all
