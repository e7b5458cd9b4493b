#!/usr/bin/env bash
# make bench-kvm: runs the benchmark guest under Debian's kernel with KVM in
# QEMU, with -icount shift=0 (bench/vmm/README.md), and keeps the guest's
# BENCH lines.
#
# Three options beyond -icount shift=0 make two runs give the same numbers,
# by taking every input that depends on the host's clock or entropy away
# from the kernel: sleep=off (when every CPU idles, virtual time jumps to the
# next timer instead of following the host's clock, so the boot's idle
# periods do not shift the kernel's timer ticks against the guest's loops),
# -seed 1 (the random numbers the kernel gets, RNDR and the DTB's kaslr-seed
# and rng-seed, are the same each run: same kernel layout, same allocations)
# and -rtc base=...,clock=vm (the PL031 starts at a fixed date and runs on
# virtual time: the kernel prints the date it reads, and another date is
# another number of instructions).
#
#   scripts/bench-kvm.sh MODE IMAGE INITRAMFS OUT [TIMEOUT_SECONDS]
#
# MODE is nvhe (KVM) or protected (pKVM), passed as kvm-arm.mode=MODE; IMAGE
# is the kernel (build/linux/Image); INITRAMFS holds bench/vmm/init.c as init,
# the VMM and the guest. The console goes to OUT's .log (OUT with .txt
# replaced by .log); OUT gets the guest's lines that start with "BENCH ",
# written only if the run is complete: QEMU exited by itself (init powers off),
# KVM came up in MODE, the VMM exited 0 and the guest said "BENCH done".
# A kernel panic stops QEMU at once. Default timeout: 600 s.
# Exit status 0 on success, 1 otherwise, with one verdict line on stderr.
set -u

prog=bench-kvm
[ $# -ge 4 ] || {
	echo "usage: $prog MODE IMAGE INITRAMFS OUT [TIMEOUT_SECONDS]" >&2
	exit 1
}
mode=$1 image=$2 initramfs=$3 out=$4 timeout_s=${5:-600}
case "$mode" in
nvhe) name=KVM want='Hyp mode initialized successfully' ;;
protected) name=pKVM want='Protected nVHE mode initialized successfully' ;;
*)
	echo "$prog: MODE must be nvhe or protected, not '$mode'" >&2
	exit 1
	;;
esac
for f in "$image" "$initramfs"; do
	[ -f "$f" ] || {
		echo "$prog: $f is missing" >&2
		exit 1
	}
done
log=${out%.txt}.log
mkdir -p "$(dirname "$out")"
rm -f "$out"

: >"$log"
start=$(date +%s)
qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu max -smp 2 -m 1G \
	-icount shift=0,sleep=off -seed 1 -rtc base=2025-01-01T00:00:00,clock=vm -nographic -nic none \
	-kernel "$image" -initrd "$initramfs" -append "console=ttyAMA0 kvm-arm.mode=$mode" \
	</dev/null >"$log" 2>&1 &
qemu=$!
trap 'kill "$qemu" 2>/dev/null' EXIT

why=""
while kill -0 "$qemu" 2>/dev/null; do
	if grep -a -q 'end Kernel panic' "$log"; then
		why="the kernel panicked: $(grep -a -m1 'Kernel panic' "$log" | sed 's/^\[[ 0-9.]*\] //' | tr -d '\r')"
	elif [ $(($(date +%s) - start)) -ge "$timeout_s" ]; then
		why="timed out after ${timeout_s}s: QEMU did not exit by itself"
	fi
	if [ -n "$why" ]; then
		kill "$qemu" 2>/dev/null
		break
	fi
	sleep 1
done
wait "$qemu"
rc=$?
secs=$(($(date +%s) - start))

fail() {
	echo "$prog: $name (kvm-arm.mode=$mode) FAILED after ${secs}s: $* (console: $log)" >&2
	exit 1
}
[ -z "$why" ] || fail "$why"
[ "$rc" -eq 0 ] || fail "QEMU exited with status $rc"
line() { grep -a -m1 "$1" "$log" | tr -d '\r'; }
if ! grep -a -q "^KCORE-BENCH-INIT: kvm: $want" "$log"; then
	got=$(grep -a '^KCORE-BENCH-INIT: kvm: ' "$log" | tr -d '\r' | sed 's/^KCORE-BENCH-INIT: kvm: //' | paste -sd';')
	fail "KVM did not say '$want' (it said: ${got:-nothing})"
fi
grep -a -q '^KCORE-BENCH-INIT: vmm exited with status 0' "$log" ||
	fail "the VMM failed: $(line '^vmm: ') $(line '^KCORE-BENCH-INIT: \(vmm\|FAIL\)')"
grep -a -q '^BENCH done' "$log" || fail "the guest never said 'BENCH done'"
grep -a '^BENCH ' "$log" | tr -d '\r' >"$out.tmp" && mv "$out.tmp" "$out" || fail "cannot write $out"
echo "$prog: $name ok in ${secs}s: $(grep -c '^BENCH op=' "$out") operations in $out" >&2
