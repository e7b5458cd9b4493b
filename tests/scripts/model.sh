#!/usr/bin/env bash
# The model comparison (tests/model/prop_test.c): MODEL_STEPS operations
# (default 1,000,000) in seeded random sequences, split over two processes
# (the machines have two cores), each checked against the reference model
# with the invariant checker and the TLB check after every step. On a
# mismatch prop_test prints the seed, the shortest failing prefix and a
# replay; the log is kept under BUILD/model/.
set -u
build=${1:-build}
steps=${MODEL_STEPS:-1000000}
seed=${MODEL_SEED:-1}
bin="$build/opt/tests/model/prop_test"
if [ ! -x "$bin" ]; then
	echo "not ok - model: $bin missing (make $bin)"
	exit 1
fi
length=2000
sequences=$(((steps + 2 * length - 1) / (2 * length)))
mkdir -p "$build/model"
status=0
start=$SECONDS
for half in 0 1; do
	"$bin" --seed $((seed + half * 1000000)) --sequences "$sequences" --length "$length" \
		>"$build/model/half$half.log" 2>&1 &
done
for half in 0 1; do
	wait -n || status=1
done
if [ "$status" -eq 0 ]; then
	total=0
	for n in $(sed -n 's/.*: \([0-9]*\) steps, all matched the model/\1/p' "$build"/model/half*.log); do
		total=$((total + n))
	done
	echo "ok - model: $((2 * sequences * length)) operations ($total checked steps) in $((SECONDS - start))s matched the reference model, invariants and TLB after every step"
else
	echo "not ok - model: a mismatch with the reference model (see $build/model/half*.log)"
	grep -h 'MISMATCH\|reproduce\|prop_test --seed' "$build"/model/half*.log | head -6
	exit 1
fi
