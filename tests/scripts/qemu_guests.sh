#!/usr/bin/env bash
# Guests on kcore, end to end (issue 4): each scenario is one tools/kcore-run of
# kcore + kserv in QEMU with the test guests (docs/guests.md), judged from
# kcore-run's exit status and verdict, kserv's markers and the guests' own
# lines (docs/launcher.md). Prints one "ok - ..." or "not ok - ..." line per
# scenario; exits 0 only if all passed. Logs (console and kcore-run's
# messages): BUILD/qemu-logs/guests-<scenario>.log.
#
# Until kcore runs vCPUs and kserv runs payloads, every scenario fails, and
# says why (kcore-run refuses a kcore.img whose kserv cannot run VMs).
#
# usage: tests/scripts/qemu_guests.sh [BUILD_DIR]   (default: build)
set -u

# shellcheck source=tests/qemu/preamble.sh
. "$(dirname "$0")/../qemu/preamble.sh" guests 60 "$@"

# Never acceptable in any scenario: a guest's unexpected exception or failure,
# an attack that got through, corrupted secrets, a kserv abort it did not expect.
forbid_always=('^\[[^]]*\] GUEST [^:]*: FAIL' '\(unexpected( vector)?\)$' 'SUCCEEDED'
	'CORRUPTED' '^kserv: abort: unexpected' '^kcore: PANIC')

# shellcheck source=tests/qemu/kcore-run-scenario.sh
. tests/qemu/kcore-run-scenario.sh

# scenario NAME DESC WANT_RC [-e REGEX]... [-f REGEX]... [-s STDERR_REGEX]... -- KCORE-RUN-ARGS...
#   (the checks: tests/qemu/kcore-run-scenario.sh)
scenario() {
	local name=$1 desc=$2 want=$3
	shift 3
	run_scenario "guests-$name" "$want" "$@"
	result "$desc" "${scenario_why:+$scenario_why (log: $scenario_log)}"
}

every_vm_ok='^kcore-run: every VM ended as expected'

scenario hello-memstress "hello and memstress side by side: both verified, output prefixed, PASS, powered off" 0 \
	-e '^KSERV: VM hello verified$' -e '^KSERV: VM memstress verified$' \
	-e '^\[hello\] GUEST hello: Hello from hello at EL1' \
	-e '^\[hello\] GUEST hello: kcore ABI version [0-9]+\.[0-9]+$' -e '^\[hello\] GUEST hello: PASS$' \
	-e '^\[memstress\] GUEST memstress: PASS 32 MiB$' \
	-e '^KSERV: VM hello powered off' -e '^KSERV: VM memstress powered off' \
	-e '^KSERV: VMS DONE ok=2 failed=0$' -s "$every_vm_ok" -- \
	--vm "image=$g/hello.signed" --vm "image=$g/memstress.signed,mem=64M"

scenario smp "smp: vCPU 0 starts 3 more with PSCI CPU_ON; all report, atomics hold" 0 \
	-e '^\[smp\] GUEST smp: vCPU 1 up' -e '^\[smp\] GUEST smp: vCPU 3 up' \
	-e '^\[smp\] GUEST smp: PASS 4 vCPUs, shared counter 40000$' \
	-e '^KSERV: VMS DONE ok=1 failed=0$' -s "$every_vm_ok" -- \
	--vm "image=$g/smp.signed,cpus=4"

scenario psci "psci: PSCI 1.1 as DEN0022 says: version, FEATURES of every function, CPU_ON refusals, 6 CPU_ON races from 3 vCPUs at once (one winner, its entry and context), vCPU 3 off (CPU_OFF) and on again each round, AFFINITY_INFO, MIGRATE_INFO_TYPE 2, SYSTEM_RESET2's bad type, SYSTEM_OFF" 0 \
	-e '^\[psci\] GUEST psci: PSCI version 1\.1$' \
	-e '^\[psci\] GUEST psci: optional functions offered: MIGRATE_INFO_TYPE SYSTEM_RESET2_32 SYSTEM_RESET2_64$' \
	-e '^\[psci\] GUEST psci: MIGRATE_INFO_TYPE 2$' \
	-e '^\[psci\] GUEST psci: SMCCC version 1\.1$' \
	-e '^\[psci\] GUEST psci: SYSTEM_RESET2: reserved type -2, unknown vendor type -1$' \
	-e '^\[psci\] GUEST psci: PASS 6 CPU_ON races, vCPU 3 off and on 6 times$' \
	-e '^KSERV: VM psci powered off' -e '^KSERV: VMS DONE ok=1 failed=0$' -s "$every_vm_ok" -- \
	--vm "image=$g/psci.signed,cpus=4"

scenario ioshare "ioshare: share a page, the host reads it (checksum), unshare, the host cannot" 0 \
	-e '^\[ioshare\] GUEST ioshare: the host.s checksum 0x[0-9a-f]+ matches$' \
	-e '^\[ioshare\] GUEST ioshare: PASS [0-9]+ checks$' \
	-e '^KSERV: VMS DONE ok=1 failed=0$' -s "$every_vm_ok" -- \
	--vm "image=$g/ioshare.signed"

scenario pkvmabi "pkvmabi: pKVM's guest ABI as Linux's driver uses it: KVM's UID, FEATURES, HYP_MEMINFO, MEM_SHARE (the host reads the page), MEM_UNSHARE (it no longer can), every refusal INVALID_PARAMETER; the MMIO guard: enrolled with the UART's page (it still prints), an unregistered page's store and load get an external abort and the host sees no exit, registered it is the host's device again" 0 \
	-e '^\[pkvmabi\] GUEST pkvmabi: CALL_UID: KVM.s UID$' \
	-e '^\[pkvmabi\] GUEST pkvmabi: FEATURES bits 0\.\.31 .*: 157, as expected$' \
	-e '^\[pkvmabi\] GUEST pkvmabi: HYP_MEMINFO granule: 4096, as expected$' \
	-e '^\[pkvmabi\] GUEST pkvmabi: the host.s checksum 0x[0-9a-f]+ matches$' \
	-e '^\[pkvmabi\] GUEST pkvmabi: the host reads the page after MEM_UNSHARE: -2, as expected$' \
	-e '^\[pkvmabi\] GUEST pkvmabi: enrolled in the MMIO guard; this line came through the registered UART page$' \
	-e '^\[pkvmabi\] GUEST pkvmabi: its fault status \(synchronous external abort\): 16, as expected$' \
	-e '^\[pkvmabi\] GUEST pkvmabi: MMIO exits the host saw meanwhile: 0, as expected$' \
	-e '^\[pkvmabi\] GUEST pkvmabi: the benchmark device, registered: 4660, as expected$' \
	-e '^\[pkvmabi\] GUEST pkvmabi: PASS [0-9]+ checks$' \
	-e '^KSERV: VMS DONE ok=1 failed=0$' -s "$every_vm_ok" -- \
	--vm "image=$g/pkvmabi.signed"

scenario timer "timer: the guest's virtual timer interrupt arrives through the virtual GIC (kcore's list registers), three times, never early" 0 \
	-e '^\[timer\] GUEST timer: round 2: INTID 27 after [0-9]+ ticks \(armed for [0-9]+\)$' \
	-e '^\[timer\] GUEST timer: PASS 3 timer interrupts$' \
	-e '^KSERV: VMS DONE ok=1 failed=0$' -s "$every_vm_ok" -- \
	--vm "image=$g/timer.signed"

# Issue 16, point 5: the GIC registers read back what the guest wrote, and the timer's
# pending/active state, which lives in kcore's list registers, shows in GICR_ISPENDR0/ISACTIVER0.
scenario gic "gic: distributor and redistributor registers read back (enables, priorities, config, groups, IROUTER, SPI pending); the masked timer shows pending in GICR_ISPENDR0, active while handled, not taken while disabled, deactivated by GICR_ICACTIVER0" 0 \
	-e '^\[gic\] GUEST gic: enables: SPIs 40 41 47 and PPIs 27 20 read back: ok$' \
	-e '^\[gic\] GUEST gic: priorities, configuration, groups, routing read back: ok$' \
	-e '^\[gic\] GUEST gic: PPI 27 pending in GICR_ISPENDR0 with PSTATE.I set, after [0-9]+ ticks' \
	-e '^\[gic\] GUEST gic: taken once, active while handled: ok$' \
	-e '^\[gic\] GUEST gic: PPI 27 disabled: not taken; enabled: taken$' \
	-e '^\[gic\] GUEST gic: deactivated by GICR_ICACTIVER0 in its handler: not active, taken again: ok$' \
	-e '^\[gic\] GUEST gic: SGI 5 to itself: pending, cleared by GICR_ICPENDR0, never taken: ok$' \
	-e '^\[gic\] GUEST gic: PASS$' \
	-e '^KSERV: VMS DONE ok=1 failed=0$' -s "$every_vm_ok" -- \
	--vm "image=$g/gic.signed"

scenario timers "timers: the virtual timer's deadline met while the guest polls with no exits; CNTP_CTL/CVAL/TVAL_EL0 read back, TVAL counts down, the physical timer interrupts as INTID 30; both at once" 0 \
	-e '^\[timers\] GUEST timers: vtimer round 3 \(polling, no exits\): INTID 27 after [0-9]+ ticks' \
	-e '^\[timers\] GUEST timers: CNTP_TVAL_EL0 counts down: ok' \
	-e '^\[timers\] GUEST timers: ptimer round 2 \(polling, no exits\): INTID 30 after [0-9]+ ticks' \
	-e '^\[timers\] GUEST timers: both timers: INTID 27 after [0-9]+ ticks \(armed for [0-9]+\), INTID 30 after' \
	-e '^\[timers\] GUEST timers: PASS virtual and physical timers$' \
	-f 'FAILED' -f '^HOSTGIC: FAIL' -e '^HOSTGIC: PASS PPIs 26/27 of [0-9]+ redistributors' \
	-e '^KSERV: VMS DONE ok=1 failed=0$' -s "$every_vm_ok" -- \
	--vm "image=$g/timers.signed"

scenario timers-host-gic "timers on one CPU, kserv's own virtual timer armed as a Linux host's tick is (kcore's host-deadline-only entries, then the full claim): afterwards the host's GIC (PPIs 26/27 in the redistributor, ICC_PMR/IGRPEN1) is as kserv recorded it before the guest's timers ran" 0 \
	-e '^\[timers\] GUEST timers: PASS virtual and physical timers$' \
	-f 'FAILED' -f '^HOSTGIC: FAIL' \
	-e '^HOSTGIC: PASS PPIs 26/27 of 1 redistributors, ICC_PMR/IGRPEN1 of cpu 0 as recorded$' \
	-e '^KSERV: VMS DONE ok=1 failed=0$' -s "$every_vm_ok" -- \
	--cpus 1 --vm "image=$g/timers.signed"

scenario cpuview "cpuview, twice side by side: each hidden feature (PMU, SVE, SME, MTE, AMU, SPE, TRBE, trace, MPAM, BRBE; no ITS, no PCI) absent from the ID registers and the DT and its registers undefined, an SVE instruction undefined even when enabled at EL1, the guest's own debug registers, each VM's own pointer-auth keys" 0 \
	-e '^\[cpuview-a\] GUEST cpuview: PASS$' -e '^\[cpuview-b\] GUEST cpuview: PASS$' \
	-e '^\[cpuview-a\] GUEST cpuview: an SVE instruction is undefined \(CPTR_EL2.TZ\): ok' \
	-e '^\[cpuview-a\] GUEST cpuview: PMU \(ID_AA64DFR0_EL1.PMUVer, MTPMU\) hidden: ID fields 0x0, DT nodes 0, 4 of 4 registers undefined$' \
	-e '^\[cpuview-a\] GUEST cpuview: a breakpoint written to DBGBVR0/DBGBCR0 reads back: ok' \
	-e '^KSERV: VMS DONE ok=2 failed=0$' -s "$every_vm_ok" -- \
	--vm "image=$g/cpuview.signed,name=cpuview-a" --vm "image=$g/cpuview.signed,name=cpuview-b"

# Self-hosted debug (issue 16, point 6): two VMs take turns on one CPU; the main one
# takes its own breakpoint, watchpoint and single-step exceptions at its EL1 and
# holds a breakpoint and a watchpoint armed while the peer (same image, same
# addresses) runs that code with debug enabled: nothing fires in the peer, and each
# VM's registers read back its own values. The host's: regworld below.
scenario debug "debug: a hardware breakpoint, a watchpoint (read and write) and single step inside a VM, with a second VM on the same CPU running the watched code untouched and every debug register each VM's own" 0 \
	-e '^\[dbg-main\] GUEST debug: breakpoint on target_fn: one EC 0x31 exception at its first instruction: ok' \
	-e '^\[dbg-main\] GUEST debug: watchpoint on a read: one EC 0x35 exception, FAR the variable, WnR 0: ok' \
	-e '^\[dbg-main\] GUEST debug: watchpoint on a write: one EC 0x35 exception, WnR 1, then the write done: ok' \
	-e '^\[dbg-main\] GUEST debug: single step: 6 instructions \(one emulated by the hypervisor\), 6 EC 0x33 exceptions: ok' \
	-e '^\[dbg-main\] GUEST debug: held a breakpoint and a watchpoint armed for 40 waits: still ours, none fired: ok' \
	-e '^\[dbg-peer\] GUEST debug: peer: no debug exception while calling target_fn and touching .watched.: ok' \
	-e '^\[dbg-main\] GUEST debug: PASS$' -e '^\[dbg-peer\] GUEST debug: PASS$' \
	-e '^KSERV: VMS DONE ok=2 failed=0$' -s "$every_vm_ok" -- \
	--cpus 1 --vm "image=$g/debug.signed,name=dbg-main" \
	--vm "image=$g/debug.signed,name=dbg-peer,cmdline=peer=1"

# Register isolation (issue 14, point 6): the host and two VMs take turns on one CPU,
# each writing its own value into every system register EL0/EL1 can write
# (include/kcore/regworld.h); none may ever read another's. The debug registers
# among them are each world's own (issue 16): the host's survive the guests'.
# On both CPU models: `max` has SME (TPIDR2_EL0), RAS (DISR_EL1), LOR, pointer auth; cortex-a72 none.
# Each debug register on some "keeps:"/"holds:" line of each world (the lists wrap,
# and where they wrap depends on which other registers held).
rw_debug_held=()
for r in DBGBVR0_EL1 DBGBVR1_EL1 DBGBCR0_EL1 DBGWVR0_EL1; do
	rw_debug_held+=(-e "^REGWORLD: host: keeps:.* $r( |\$)")
	rw_debug_held+=(-e "^\\[rw-a\\] GUEST regworld: holds:.* $r( |\$)")
	rw_debug_held+=(-e "^\\[rw-b\\] GUEST regworld: holds:.* $r( |\$)")
done
for cpu in max cortex-a72; do
	scenario "regworld-$cpu" "regworld on -cpu $cpu, host + 2 VMs on one CPU: no system register carries a value between worlds, every switched one keeps its own" 0 \
		-e '^REGWORLD: host: wrote its values into [1-9][0-9]* registers on CPU 0' \
		-e '^REGWORLD: host: keeps: TPIDR_EL0 ' \
		"${rw_debug_held[@]}" \
		-e '^\[rw-a\] GUEST regworld: world 2: [0-9]+ registers readable, [1-9][0-9]* of [0-9]+ hold this world.s value, 0 leaks, 0 lost$' \
		-e '^\[rw-b\] GUEST regworld: world 3: [0-9]+ registers readable, [1-9][0-9]* of [0-9]+ hold this world.s value, 0 leaks, 0 lost$' \
		-e '^\[rw-a\] GUEST regworld: PASS$' -e '^\[rw-b\] GUEST regworld: PASS$' \
		-e '^REGWORLD: host: [1-9][0-9]* checks, 0 leaks, 0 lost$' \
		-f 'REGWORLD: host: (leak|lost)' -f 'GUEST regworld: (leak|lost)' \
		-e '^KSERV: VMS DONE ok=2 failed=0$' -s "$every_vm_ok" -- \
		--cpus 1 --cpu "$cpu" --vm "image=$g/regworld.signed,name=rw-a,cmdline=world=2" \
		--vm "image=$g/regworld.signed,name=rw-b,cmdline=world=3"
done
# The max run must have exercised TPIDR2_EL0 in all three worlds (it needs SME).
rw_log=$logdir/guests-regworld-max.log
if grep -q '^REGWORLD: host: keeps:.* TPIDR2_EL0' "$rw_log" 2>/dev/null &&
	grep -q '^\[rw-a\] GUEST regworld: holds:.* TPIDR2_EL0' "$rw_log" &&
	grep -q '^\[rw-b\] GUEST regworld: holds:.* TPIDR2_EL0' "$rw_log"; then
	ok "regworld on -cpu max wrote TPIDR2_EL0 in the host and both VMs"
else
	echo "not ok - guests: regworld on -cpu max did not write TPIDR2_EL0 in every world (log: $rw_log)"
	fail=$((fail + 1))
fi

scenario attack "attack guest beside a secret victim: every access outside its RAM and every bad share refused; the victim intact" 0 \
	-e '^\[attack\] GUEST attack: ([1-9][0-9]*) attacks, \1 refused, 0 succeeded$' \
	-e '^\[attack\] GUEST attack: PASS$' \
	-e '^\[secret\] GUEST secret: intact after [1-9][0-9]* checkpoints$' \
	-e '^KSERV: VMS DONE ok=2 failed=0$' -s "$every_vm_ok" -- \
	--vm "image=$g/attack.signed" --vm "image=$g/secret.signed,cmdline=checkpoints=300"

# The host attack suite (KCORE_PAYLOAD_F_ATTACKS): kserv attacks the running
# victim between its checkpoints and reports a summary line (docs/launcher.md).
# With edu (--edu) the suite also attacks by DMA, through the SMMU kcore drives.
scenario secret-attacks "host attack suite against the secret victim, DMA by edu included (the consentless IO domain too; a VM's domain reaches the page ioshare shares, and no longer once it unshared it), and the CPU_ON override against smp: every attack refused, the victims' memory and registers intact, smp's vCPUs start where it said" 0 \
	-e '^ATTACKS: ([1-9][0-9]*) attempted, \1 refused, 0 succeeded$' \
	-e '^\[secret\] GUEST secret: intact after [1-9][0-9]* checkpoints$' \
	-e '^ATTACK: read VM ioshare.s page at IPA 0x[0-9a-f]* after it unshared it .*: refused$' \
	-e '^DMA-CONSENT: edu in VM ioshare.s own IO domain reads the page it shares, at its IPA \(2048 bytes at IPA 0x[0-9a-f]+ \(PA 0x[0-9a-f]+\)\): ok$' \
	-e '^ATTACK: map VM ioshare.s page at IPA 0x[0-9a-f]* into its own IO domain after it unshared it \(KCORE_E_PERM\): refused$' \
	-e '^ATTACK: map the secret VM.s page into the host.s IO domain \(KCORE_E_PERM\): refused$' \
	-e '^ATTACK: map the secret VM.s page into its own IO domain at another IPA \(KCORE_E_PERM\): refused$' \
	-e '^ATTACK: map a host page into the secret VM.s IO domain \(KCORE_E_PERM\): refused$' \
	-e '^ATTACK: edu writes the secret VM.s page by its PA \(host domain\) \([1-9][0-9]* faults, the first F_TRANSLATION, stream 0x8, address (0x[0-9a-f]+), write\): refused$' \
	-e '^ATTACK: edu reads the secret VM.s page by its PA \(host domain\) \([1-9][0-9]* faults, the first F_TRANSLATION, stream 0x8, address (0x[0-9a-f]+), read\): refused$' \
	-e '^ATTACK: map the secret VM.s page, never shared, at its IPA into an IO domain the host made for it \(the consentless IO domain\) \(KCORE_E_PERM\): refused$' \
	-e '^ATTACK: edu, attached to the secret VM.s consentless IO domain, reads its page at its IPA \([1-9][0-9]* faults, the first F_TRANSLATION, stream 0x8, address 0x80200000, read\): refused$' \
	-e '^ATTACK: edu, attached to the secret VM.s consentless IO domain, writes its page at its IPA \([1-9][0-9]* faults, the first F_TRANSLATION, stream 0x8, address 0x80200000, write\): refused$' \
	-e '^ATTACK: fw_cfg DMA: .* \(aborted, .*\): refused$' \
	-e '^ATTACK: ITS: GITS_BASER0 .* \(aborted, .*\): refused$' \
	-e '^ATTACK: GICR: LPI tables .* \(TYPER.PLPIS 0; PROPBASER reads 0x0, PENDBASER 0x0, .*\): refused$' \
	-e '^ATTACK: write a virtio-mmio transport.s status \(DENIED\) \(aborted, .*\): refused$' \
	-s 'attack targets: [1-9][0-9]* read through QEMU.s monitor, each unchanged' \
	-e '^ATTACK: move where VM smp.s vCPU 1 starts after its CPU_ON \(KC_HC_VCPU_SET_ENTRY\) \(KCORE_E_PERM\): refused$' \
	-e '^ATTACK: start VM smp.s vCPU 3, which its guest has not turned on \(KC_HC_VCPU_SET_ENTRY\) \(KCORE_E_PERM\): refused$' \
	-e '^\[smp\] GUEST smp: PASS 4 vCPUs, shared counter 40000$' \
	-e '^KSERV: VMS DONE ok=3 failed=0$' -s "$every_vm_ok" -- \
	--attacks --edu --vm "image=$g/secret.signed" --vm "image=$g/ioshare.signed" \
	--vm "image=$g/smp.signed,cpus=4"

# An image signed with a key kcore does not trust never runs; kcore-run says so.
"$build/tools/kcore-sign" keygen "$tmp/wrong" >/dev/null 2>&1
"$build/tools/kcore-sign" sign --key "$tmp/wrong.priv" "$g/hello.img" "$tmp/hello-wrongkey.img" >/dev/null 2>&1
scenario wrong-key "an image signed with an untrusted key is refused, never runs, and kcore-run exits non-zero" 1 \
	-e '^KSERV: VM hello-wrongkey refused: verification failed$' -f '^\[hello-wrongkey\]' \
	-e '^KSERV: VMS DONE ok=0 failed=1$' \
	-s '^kcore-run: VM hello-wrongkey failed signature verification$' -- \
	--vm "image=$tmp/hello-wrongkey.img"

# A byte of a correctly signed image changed: refused, while a good VM next to it runs.
cp "$g/hello.signed" "$tmp/tampered.img"
byte=$(od -An -tu1 -j 4096 -N1 "$tmp/tampered.img" | tr -d ' ')
# shellcheck disable=SC2059 # the format is the flipped byte, escaped, on purpose
printf "\\$(printf '%03o' $((byte ^ 1)))" | dd of="$tmp/tampered.img" bs=1 seek=4096 conv=notrunc status=none
cmp -s "$g/hello.signed" "$tmp/tampered.img" && echo "qemu_guests: the tampering changed nothing" >&2
scenario tampered "a tampered image is refused while the good VM beside it runs to PASS" 1 \
	-e '^KSERV: VM tampered refused: verification failed$' -f '^\[tampered\]' \
	-e '^\[hello\] GUEST hello: PASS$' -e '^KSERV: VM hello powered off' \
	-e '^KSERV: VMS DONE ok=1 failed=1$' \
	-s '^kcore-run: VM tampered failed signature verification$' -- \
	--vm "image=$tmp/tampered.img" --vm "image=$g/hello.signed"

# The user's own arm64 Image, unsigned: kcore-run signs it with the development key.
scenario own-image "the user's own unsigned arm64 Image: signed with the development key (said so), runs, exit 0" 0 \
	-e '^KSERV: VM hello verified$' -e '^\[hello\] GUEST hello: PASS$' \
	-e '^KSERV: VMS DONE ok=1 failed=0$' \
	-s "^kcore-run: signing $g/hello.img with the development key $build/keys/dev.priv\$" \
	-s "$every_vm_ok" -- \
	--vm "image=$g/hello.img"

echo "# qemu_guests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
