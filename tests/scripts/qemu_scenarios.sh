#!/usr/bin/env bash
# The QEMU scenarios (issue 3): kcore + kserv on QEMU's virt machine with EL2,
# each scenario in a fresh boot through tests/qemu/run-scenario.sh, decided
# from kserv's serial output (docs/kserv.md lists the marker lines). Prints
# one "ok - ..." or "not ok - ..." line per scenario; exits 0 only if all
# passed. Logs: BUILD/qemu-logs/<scenario>.log.
#
# usage: tests/scripts/qemu_scenarios.sh [BUILD_DIR]   (default: build)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
build=${1:-build}
img="$build/kcore.img"

pass=0
fail=0

# kcore's last line before the host runs, and kserv's start and end markers.
kcore_entered='^kcore: .*entering host'
ready='^KSERV: READY$'
done_='^KSERV: DONE$'

# No access of attack-kcore may get through, or abort with the wrong syndrome.
attack_forbid=(-f 'SUCCEEDED' -f '^ATTACK-KCORE: .* [1-9][0-9]* succeeded'
	-f ' [1-9][0-9]* aborts with a wrong syndrome')

# shellcheck source=tests/qemu/scenario-lib.sh
. tests/qemu/scenario-lib.sh

# The trusted keys' fingerprints as kcore-sign computes them: kserv's "info"
# must show the same ones, in order, from KC_HC_KEY_INFO.
key_expect=()
ks="$build/tools/kcore-sign"
keys_src=$(cat "$build/gen/trusted_keys.src" 2>/dev/null)
if [ -x "$ks" ] && [ -n "$keys_src" ] && [ -f "$keys_src" ]; then
	i=0
	while read -r fp; do
		key_expect+=(-e "^info: key $i: fingerprint $fp\$")
		i=$((i + 1))
	done < <("$ks" fingerprint "$keys_src")
	key_expect+=(-e "^info: trusted keys: $i\$")
else
	key_expect+=(-e '^info: key 0: fingerprint [0-9a-f]{64}$')
fi

scenario "boot on 1 CPU: kcore enters kserv, which sees its RAM, 1 CPU up, kcore's ABI and keys" \
	boot-1cpu -s 1 -a "info;cpus" \
	-e "$kcore_entered" -e "$ready" -e '^CPUS: 1 up of 1$' \
	-e '^info: host owns [1-9][0-9]* KiB of [1-9][0-9]* KiB RAM' \
	-e '^info: reserved for kcore \(memreserve 0\)' \
	-e '^info: kcore ABI version [0-9]+\.[0-9]+ ' "${key_expect[@]}" -e "$done_"

scenario "boot on 4 CPUs: every secondary comes up through kcore's PSCI CPU_ON" \
	boot-4cpu -s 4 -a "cpus" \
	-e "$kcore_entered" -e "$ready" -e '^kserv: cpu 1 up' -e '^kserv: cpu 2 up' \
	-e '^kserv: cpu 3 up' -e '^CPUS: 4 up of 4$' -e "$done_"

scenario "the host reads and writes every page of kcore's image and carve-out from all 4 CPUs: every access aborts (right ESR/FAR), no write lands" \
	attack-kcore -s 4 -p -a "attack-kcore;attack-kcore sweep;check" \
	-e "$ready" -e '^ATTACK-KCORE: ([1-9][0-9]*) attempts, \1 aborted, 0 succeeded$' \
	-e ' 0 aborts with a wrong syndrome$' "${attack_forbid[@]}" -e '^INVARIANTS: OK$' \
	-e "$done_"

scenario "hypercalls with garbage arguments get the documented errors and change nothing" \
	hvc-garbage -s 1 -a "hvc-garbage;check" \
	-e "$ready" -e '^HVC-GARBAGE: ([1-9][0-9]*) calls, \1 refused as expected, 0 unexpected$' \
	-e '^INVARIANTS: OK$' -e "$done_"

scenario "the invariant checker holds at the end (after mem, attack and garbage on 4 CPUs)" \
	invariants-end -s 4 -a "mem;attack-kcore;hvc-garbage;cpus;check" \
	-e "$ready" -e '^MEM: OK pages=[1-9][0-9]*$' -e '^ATTACK-KCORE: .* 0 succeeded$' \
	-e '^HVC-GARBAGE: .* 0 unexpected$' -e '^CPUS: 4 up of 4$' -e '^INVARIANTS: OK$' \
	"${attack_forbid[@]}" -e "$done_"

scenario "the same on -cpu cortex-a72: boot on 4 CPUs, attack (poison-checked), invariants" \
	cortex-a72 -c cortex-a72 -s 4 -p -a "info;cpus;attack-kcore;attack-kcore sweep;check" \
	-e "$kcore_entered" -e "$ready" -e '^CPUS: 4 up of 4$' \
	-e '^ATTACK-KCORE: ([1-9][0-9]*) attempts, \1 aborted, 0 succeeded$' \
	"${attack_forbid[@]}" -e '^INVARIANTS: OK$' -e "$done_"

echo "# qemu_scenarios: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
