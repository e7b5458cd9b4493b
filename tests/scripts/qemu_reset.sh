#!/usr/bin/env bash
# Reset and scan, across two boots in one QEMU run (issue 14, point 3;
# docs/security.md, "Reset, power-off and panic"). QEMU keeps RAM across a
# system reset and boots the -kernel image again, so whatever kcore leaves in
# RAM at a reset, the host of the next boot may read.
#
# Boot 1: kserv runs a payload of VMs holding the test secret (include/kcore/
# guest_tests.h): "secret", and "secret-b" and "smp" still running on other
# CPUs; when "secret" is at its first checkpoint (its 1 MiB written), kserv
# calls PSCI SYSTEM_RESET. kcore must park the other CPUs and zero everything
# not the host's before it forwards the call. Boot 2: kserv finds the marker
# it left in a page of its own and reads every RAM page it can for the
# secret's words (tests/kserv/cmd_reset.c). Any word found fails the scenario.
#
# Prints one "ok - ..." or "not ok - ..." line per scenario; exits 0 only if
# all passed. Logs: BUILD/qemu-logs/reset-<scenario>.log.
#
# usage: tests/scripts/qemu_reset.sh [BUILD_DIR]   (default: build)
set -u

# shellcheck source=tests/qemu/preamble.sh
. "$(dirname "$0")/../qemu/preamble.sh" reset 120 "$@"

# scenario NAME DESC CPUS [-e REGEX]... [-f REGEX]... -- KCORE-MKPAYLOAD-ARGS...
scenario() {
	local desc=$2 cpus=$3 rc why="" log=$logdir/reset-$1.log
	local -a expect=() forbid=('PANIC' 'kserv: abort: unexpected' 'KSERV: FAILED'
		'RESET-SCAN: FAILED' 'FOUND' 'NOT ALL STOPPED' '^\[[^]]*\] GUEST [^:]*: FAIL')
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		case $1 in
		-e) expect+=("$2") ;;
		-f) forbid+=("$2") ;;
		esac
		shift 2
	done
	shift
	if ! "$build/tools/kcore-mkpayload" -o "$tmp/payload" "$@" >"$tmp/mk" 2>&1; then
		why="kcore-mkpayload failed: $(tail -1 "$tmp/mk")"
	else
		timeout "$limit" qemu-system-aarch64 \
			-M virt,virtualization=on,gic-version=3,iommu=smmuv3 -cpu max -smp "$cpus" \
			-m 1G -nographic -nic none -kernel "$build/kcore.img" -initrd "$tmp/payload" \
			-append "kserv.cmds=reset-scan;poweroff" </dev/null >"$tmp/out" 2>&1
		rc=$?
		tr -d '\r' <"$tmp/out" >"$log"
		[ "$rc" -eq 0 ] || why="QEMU exit $rc (124: the time limit)"
		[ -n "$why" ] || why=$(console_verdict "$log")
	fi
	result "$desc" "${why:+$why (log: $log)}"
}

both_boots=(-e '^RESET-SCAN: boot 1: marker at PA 0x[0-9a-f]+'
	-e '^RESET-SCAN: VM secret at checkpoint 1, its secret written; PSCI SYSTEM_RESET$'
	-e '^kcore: scrub: [1-9][0-9]* bytes zeroed in [0-9]+ counter ticks \([0-9]+ before, stopping the CPUs\); other CPUs parked$'
	-e '^RESET-SCAN: boot 2 \(the marker at PA 0x[0-9a-f]+ survived the reset\)$'
	-e '^RESET-SCAN: boot 2: [1-9][0-9]* pages read, [0-9]+ unreadable: no secret word: CLEAN$'
	-e '^kcore: PSCI MEM_PROTECT: not offered by the firmware')

scenario secret-4cpus "SYSTEM_RESET while VMs hold the secret, two of them running on other CPUs: no word of it in RAM in the next boot" 4 \
	"${both_boots[@]}" -- \
	--vm "image=$g/secret.signed,name=secret" \
	--vm "image=$g/secret.signed,name=secret-b,cmdline=checkpoints=100000000" \
	--vm "image=$g/smp.signed,cpus=2"

scenario secret-1cpu "SYSTEM_RESET on one CPU, the secret VM paused at its checkpoint: no word of it in RAM in the next boot" 1 \
	"${both_boots[@]}" -- \
	--vm "image=$g/secret.signed,name=secret"

[ "$fail" -eq 0 ]
