#!/usr/bin/env bash
# Scheduling and power-off (issue 16, point 1; docs/guests.md, "Scheduling and
# power-off"): the pwroff guest (guests/pwroff.c) through tools/kcore-run.
#
# - A 4-vCPU VM whose secondaries spin (no exits) or loop on WFE powers off
#   from vCPU 0, on 4, 2 and 1 host CPUs: the run must end with the VM
#   powered off and kserv's end-of-run line, not by kcore-run's time limit
#   (every sibling is stopped by kserv's kick, not at an exit it never makes).
# - "fair": vCPU 1 spins forever, vCPU 0 does 4000 rounds of work and host
#   calls, both on one host CPU: it finishes only if they share the CPU fairly
#   (before the fix the spinning vCPU got 160 ms slices to vCPU 0's 5 ms: about
#   55 ms a round, 2000 rounds took longer than the time limit; now ~2 ms).
#
# Prints one "ok - sched: ..." or "not ok - sched: ..." line per scenario;
# logs: BUILD/qemu-logs/sched-<scenario>.log.
#
# usage: tests/scripts/qemu_sched.sh [BUILD_DIR]   (default: build)
set -u

# The time limit is generous for a loaded machine; each scenario takes a few
# seconds when things work, and a broken one runs into it.
# shellcheck source=tests/qemu/preamble.sh
. "$(dirname "$0")/../qemu/preamble.sh" sched 90 "$@"

forbid_always=('^\[[^]]*\] GUEST [^:]*: FAIL' '\(unexpected( vector)?\)$' '^kserv: abort: unexpected'
	'^kcore: PANIC' '^KSERV: VM [^ ]* failed')

# shellcheck source=tests/qemu/kcore-run-scenario.sh
. tests/qemu/kcore-run-scenario.sh

scenario() {
	local name=$1 desc=$2 want=$3
	shift 3
	run_scenario "sched-$name" "$want" "$@"
	result "$desc" "${scenario_why:+$scenario_why (log: $scenario_log)}"
}

every_vm_ok='^kcore-run: every VM ended as expected'

for cpus in 4 2 1; do
	scenario "poweroff-cpus$cpus" "pwroff, 4 vCPUs on $cpus host CPU(s): vCPU 0 powers off while 1 and 3 spin and 2 waits in WFE; every vCPU stops, the run ends" 0 \
		-e '^\[pwroff\] GUEST pwroff: vCPU 1 up, spinning \(no exits\)$' \
		-e '^\[pwroff\] GUEST pwroff: vCPU 2 up, waiting in a WFE loop$' \
		-e '^\[pwroff\] GUEST pwroff: vCPU 3 up, spinning \(no exits\)$' \
		-e '^\[pwroff\] GUEST pwroff: PASS 4 vCPUs in their loops; powering off from vCPU 0$' \
		-e '^KSERV: VM pwroff powered off$' -e '^kserv: VM pwroff torn down' \
		-e '^KSERV: VMS DONE ok=1 failed=0$' -s "$every_vm_ok" -- \
		--cpus "$cpus" --vm "image=$g/pwroff.signed,cpus=4"
done

scenario fair-cpus1 "pwroff fair, 2 vCPUs on 1 host CPU: vCPU 1 spins forever, vCPU 0 still gets the CPU time for 4000 rounds of work and host calls" 0 \
	-e '^\[pwroff\] GUEST pwroff: vCPU 1 up, spinning \(no exits\)$' \
	-e '^\[pwroff\] GUEST pwroff: PASS 4000 rounds of work \(4000 host calls, 4000 seen by the VMM\) beside a spinning vCPU, [0-9]+ ms \(longest round [0-9]+ ms\)$' \
	-e '^KSERV: VM pwroff powered off$' -e '^KSERV: VMS DONE ok=1 failed=0$' -s "$every_vm_ok" -- \
	--cpus 1 --vm "image=$g/pwroff.signed,cpus=2,cmdline=fair=4000"

echo "# sched: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
