#!/usr/bin/env bash
# Encrypted snapshots of a protected VM, end to end (issue 9; docs/snapshots.md):
# the snapguest guest (docs/guests.md) asks to be snapshotted halfway through
# its computation, with a secret in its memory and in x19..x22, and checks all
# of it at the end. Scenarios, each one tools/kcore-run (or two, across boots):
#
#   same-boot       snapshot, tear down, restore in memory; the copy finishes; host
#                   memory scanned for the secret after the snapshot and the restore
#   same-boot-blocks  the same with RAM given in 2 MiB blocks (512 pages each)
#   to-file, from-file  boot 1 saves the snapshot to a file and powers off; boot 2
#                   restores from the file and the copy finishes
#   file-secret     the file and every console log never hold the secret's values
#   file-tampered   a byte flipped in the file's page data: kcore refuses the restore
#   file-garbage    a file that is not a snapshot: kserv refuses it, says why
#   attacks         every tampering of docs/snapshots.md refused with AUTH (or STATE),
#                   the tampered VMs unable to run, and the victim restored intact
#
# Prints one "ok - ..." or "not ok - ..." line per scenario; exits 0 only if all
# passed. Logs: BUILD/qemu-logs/snapshot-<scenario>.log.
#
# usage: tests/scripts/qemu_snapshot.sh [BUILD_DIR]   (default: build)
set -u

# shellcheck source=tests/qemu/preamble.sh
. "$(dirname "$0")/../qemu/preamble.sh" snapshot 120 "$@"

# The guest's secret values (include/kcore/guest_tests.h): kc_test_secret_word of
# the 4 words at KC_TEST_SECRET_IPA and kc_test_secret_reg(19..22), as 16 hex digits.
secret_ipa=$((0x80200000))
secrets=()
for i in 0 1 2 3; do
	a=$((secret_ipa + 8 * i))
	secrets+=("$(printf '%016x' $((0x5345435245542121 ^ (a * 0x9e3779b97f4a7c15))))")
done
for n in 19 20 21 22; do
	secrets+=("$(printf '%016x' $((0x5345435245540000 | (n << 8) | (n ^ 0xa5))))")
done

# le_hex HEX16: the value's bytes as they lie in memory (little-endian), in hex.
le_hex() {
	local h=$1 out="" i
	for ((i = 14; i >= 0; i -= 2)); do out+=${h:i:2}; done
	printf '%s' "$out"
}

# leaks FILE: prints the first secret value found in FILE's bytes (little-endian) or
# in its text (hex digits, any case); nothing if none.
leaks() {
	local f=$1 hex s
	hex=$(od -An -v -tx1 "$f" | tr -d ' \n')
	for s in "${secrets[@]}"; do
		if [[ $hex == *"$(le_hex "$s")"* ]] || grep -qi -- "$s" "$f"; then
			echo "$s"
			return
		fi
	done
}

forbid_always=('^\[[^]]*\] GUEST [^:]*: FAIL' '\(unexpected( vector)?\)$' 'SUCCEEDED'
	'CORRUPTED' 'FOUND' '^SNAPSCAN: .*FAILED' '^kserv: abort: unexpected' '^kcore: PANIC')

# shellcheck source=tests/qemu/kcore-run-scenario.sh
. tests/qemu/kcore-run-scenario.sh

# scenario NAME DESC WANT_RC [-e REGEX]... [-f REGEX]... [-s STDERR_REGEX]... -- KCORE-RUN-ARGS...
#   (the checks: tests/qemu/kcore-run-scenario.sh); the console must not
#   show a secret value either.
scenario() {
	local name=$1 desc=$2 want=$3 leaked
	shift 3
	run_scenario "snapshot-$name" "$want" "$@"
	if [ -z "$scenario_why" ]; then
		leaked=$(leaks "$scenario_log")
		[ -n "$leaked" ] && scenario_why="the console shows a secret value ($leaked)"
	fi
	if [ -z "$scenario_why" ]; then
		ok "$desc"
	else
		not_ok "$desc" "$scenario_why (log: $scenario_log)"
	fi
}

every_vm_ok='^kcore-run: every VM ended as expected'
sg='^\[snapguest\] GUEST snapguest:'
taken='^KSERV: VM snapguest snapshot taken: [0-9]+ pages, 1 vCPUs$'
restored='^KSERV: VM snapguest restored from a snapshot: [0-9]+ pages, 1 vCPUs$'
copy_pass="$sg PASS secret, registers and computation intact \\(restored copy\\)\$"

[ -f "$g/snapguest.signed" ] || {
	not_ok "every scenario" "$g/snapguest.signed is missing: run make"
	echo "# qemu_snapshot: $pass passed, $fail failed"
	exit 1
}

scenario same-boot "same boot: snapshot, tear down, restore from memory; the copy finishes intact; no secret in host memory" 0 \
	-e "$taken" -e "$restored" -e "$sg restored from a snapshot, going on\$" -e "$copy_pass" \
	-e '^SNAPSCAN: snapguest after a snapshot: [0-9]+ pages read, [0-9]+ unreadable, no secret$' \
	-e '^SNAPSCAN: snapguest after a restore: [0-9]+ pages read, [0-9]+ unreadable, no secret$' \
	-e '^KSERV: VMS DONE ok=1 failed=0$' -f "$sg snapshot taken, going on" \
	-s "$every_vm_ok" -- \
	--cpus 2 --mem 512M --vm "image=$g/snapguest.signed,small-pages,snapshot-restore,snapshot-scan"

scenario same-boot-blocks "same boot with RAM in 2 MiB blocks: every page of a block in the snapshot; the copy finishes intact" 0 \
	-e '^KSERV: VM snapguest snapshot taken: ([5-9][0-9]{2}|[0-9]{4,}) pages, 1 vCPUs$' \
	-e "$restored" -e "$copy_pass" -e '^KSERV: VMS DONE ok=1 failed=0$' -s "$every_vm_ok" -- \
	--cpus 2 --vm "image=$g/snapguest.signed,snapshot-restore"

# Issue 16, point 5: the emulated GIC's registers (kserv's) and the guest's PPI enables
# (kcore's) travel with the snapshot: the copy reads them back and takes its timer interrupt.
scenario gic "the gic guest, snapshot and restore in the same boot: the copy reads its GIC registers back as they were and still takes its timer interrupt" 0 \
	-e '^KSERV: VM gic restored from a snapshot: [0-9]+ pages, 1 vCPUs$' \
	-e '^\[gic\] GUEST gic: restored from a snapshot: [0-9]+ GIC registers read back as they were$' \
	-e '^\[gic\] GUEST gic: taken once, active while handled: ok$' \
	-e '^\[gic\] GUEST gic: PASS$' -f '^\[gic\] GUEST gic: FAIL' \
	-e '^KSERV: VMS DONE ok=1 failed=0$' -s "$every_vm_ok" -- \
	--cpus 2 --vm "image=$g/gic.signed,snapshot-restore"

# Issue 16: a snapshot taken with both timers armed (the physical one emulated by kcore)
# and a breakpoint and a watchpoint programmed (debug active): the copy keeps all of them.
scenario timers-debug "the timers guest (snapshot=1), snapshot and restore in the same boot with both timers armed and a breakpoint and watchpoint set: the copy reads them back, takes each timer's interrupt once on time, hits both" 0 \
	-e '^KSERV: VM timers restored from a snapshot: [0-9]+ pages, 1 vCPUs$' \
	-e '^\[timers\] GUEST timers: restored from a snapshot$' \
	-e '^\[timers\] GUEST timers: restored: INTID 27 and INTID 30 taken once each, none before its deadline$' \
	-e '^\[timers\] GUEST timers: restored: the breakpoint on target_fn hit once: ok' \
	-e '^\[timers\] GUEST timers: restored: the watchpoint on a read hit once: ok' \
	-e '^\[timers\] GUEST timers: PASS both timers and debug across a snapshot$' \
	-f '^\[timers\] GUEST timers: FAIL' -f 'FAILED' \
	-e '^KSERV: VMS DONE ok=1 failed=0$' -s "$every_vm_ok" -- \
	--cpus 2 --vm "image=$g/timers.signed,snapshot-restore,cmdline=snapshot=1"

snap=$tmp/snapguest.kcsnap
scenario to-file "boot 1: the snapshot saved to a file on the QEMU machine, the guest powers off" 0 \
	-e "$taken" -e '^KSERV: VM snapguest snapshot saved to the host file$' \
	-e "$sg snapshot saved by the host, stopping" -e '^KSERV: VMS DONE ok=1 failed=0$' \
	-f "$sg PASS" -s "$every_vm_ok" -- \
	--cpus 2 --snapshot-to "$snap" --vm "image=$g/snapguest.signed,small-pages,snapshot,snapshot-scan"

if [ ! -s "$snap" ]; then
	not_ok "the snapshot file" "boot 1 left no file at $snap"
elif [ "$(head -c 8 "$snap")" != KCSNAPF1 ]; then
	not_ok "the snapshot file" "it does not start with KCSNAPF1"
else
	leaked=$(leaks "$snap")
	if [ -n "$leaked" ]; then
		not_ok "the snapshot file never holds the secret in clear" "it holds $leaked"
	else
		ok "the snapshot file ($(stat -c %s "$snap") bytes) never holds the secret's values in clear"
	fi
	cp "$snap" "$logdir/snapshot-file.kcsnap"
fi

scenario from-file "boot 2: restored from the file, the copy finishes intact; no secret in host memory" 0 \
	-e "$restored" -e "$sg restored from a snapshot, going on\$" -e "$copy_pass" \
	-e '^SNAPSCAN: snapguest after a restore: [0-9]+ pages read, [0-9]+ unreadable, no secret$' \
	-e '^KSERV: VMS DONE ok=1 failed=0$' -f "$sg secret written" -s "$every_vm_ok" -- \
	--cpus 2 --restore-from "$snap" --vm "image=$g/snapguest.signed,small-pages,restore,snapshot-scan"

# One byte of the first data page (after the 4 KiB header and the records) flipped on disk.
if [ -s "$snap" ]; then
	cp "$snap" "$tmp/tampered.kcsnap"
	nrec=$(od -An -t u8 -j 16 -N 8 "$snap" | tr -d ' ')
	off=$((4096 + ((nrec + 1 + 2) * 128 + 4095) / 4096 * 4096 + 100))
	byte=$(od -An -t u1 -j "$off" -N 1 "$snap" | tr -d ' ')
	printf "$(printf '\\%03o' $((byte ^ 1)))" | dd of="$tmp/tampered.kcsnap" bs=1 seek="$off" conv=notrunc status=none
	cmp -s "$snap" "$tmp/tampered.kcsnap" && echo "qemu_snapshot: the tampering changed nothing" >&2
fi
scenario file-tampered "a file with one byte of page data flipped: kcore refuses the restore (AUTH), the VM never runs" 1 \
	-e '^kserv: VM snapguest: KC_HC_VM_RESTORE_PAGE: KCORE_E_AUTH \(-10\)$' \
	-e '^KSERV: VM snapguest failed: kcore refused to restore its snapshot$' \
	-f "^\\[snapguest\\]" -s '^kcore-run: VM snapguest failed: kcore refused to restore its snapshot$' -- \
	--cpus 2 --restore-from "$tmp/tampered.kcsnap" --vm "image=$g/snapguest.signed,small-pages,restore"

head -c 8192 /dev/urandom >"$tmp/garbage.kcsnap"
scenario file-garbage "a file that is not a snapshot: kserv says so, the VM fails, nothing runs" 1 \
	-e '^kserv: VM snapguest: the snapshot file has no KCSNAPF1 magic' \
	-e '^KSERV: VM snapguest failed: its snapshot file could not be read$' -f "^\\[snapguest\\]" \
	-s '^kcore-run: VM snapguest failed: its snapshot file could not be read$' -- \
	--cpus 2 --restore-from "$tmp/garbage.kcsnap" --vm "image=$g/snapguest.signed,small-pages,restore"

attack_lines=(
	"a byte of its header flipped" "a byte of a page record flipped"
	"a byte of a page's data flipped" "a byte of a vCPU record flipped"
	"a byte of a vCPU blob flipped" "a byte of its trailer flipped"
	"its first two pages swapped" "its first page replayed" "without its last page"
	"whose first page is another VM's")
attack_args=()
for a in "${attack_lines[@]}"; do
	attack_args+=(-e "^ATTACK: restore a snapshot (with )?$a \\(.*AUTH; then VCPU_RUN: KCORE_E_STATE\\): refused\$")
done
scenario attacks "attacks on the snapshot (flips, swap, replay, drop, another VM's page, mixed snapshots, a VM that ran): each refused, the victim intact" 0 \
	"${attack_args[@]}" \
	-e "^ATTACK: restore one snapshot's header with another's pages \\(.*\\): refused\$" \
	-e '^ATTACK: restore a snapshot into a VM whose vCPU ran \(KCORE_E_STATE\): refused$' \
	-e '^SNAPATTACKS: 12 attempted, 12 refused, 0 succeeded$' \
	-e '^SNAPSCAN: snapguest with three snapshots in memory: [0-9]+ pages read, [0-9]+ unreadable, no secret$' \
	-e "$restored" -e "$copy_pass" -e '^\[hello\] GUEST hello: PASS$' \
	-e '^KSERV: VMS DONE ok=2 failed=0$' -s "$every_vm_ok" -- \
	--cpus 2 --mem 512M --vm "image=$g/snapguest.signed,small-pages,snapshot-attacks,snapshot-scan" \
	--vm "image=$g/hello.signed"

echo "# qemu_snapshot: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
