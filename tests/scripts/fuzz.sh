#!/usr/bin/env bash
# The libFuzzer target (tests/fuzz/fuzz_kcore.c) for FUZZ_SECONDS (default 60),
# starting from the seed corpus in the tree. A finding (invariant violation,
# stale TLB entry, sanitizer report, kcore panic) fails the run; the input is
# kept under BUILD/fuzz/ to become a regression seed.
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
cp -n tests/fuzz/corpus/* "$work/" 2>/dev/null
log="$build/fuzz/last-run.log"
"$bin" -max_total_time="$secs" -max_len=2112 -artifact_prefix="$build/fuzz/findings/" \
	-print_final_stats=1 "$work" >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
if [ "$rc" -eq 0 ]; then
	echo "ok - fuzz: ${runs:-?} inputs in ${secs}s through the hypercall and exit interfaces, no finding"
else
	echo "not ok - fuzz: a finding after ${runs:-?} inputs (see $log and $build/fuzz/findings/)"
	grep -E 'fuzz:|ERROR|PANIC|SUMMARY' "$log" | head -5
	exit 1
fi
