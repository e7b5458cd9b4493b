#!/usr/bin/env bash
# make linux-boot-cost: the instructions from VM creation to the Linux guest's
# init, under kcore and under Linux KVM (nVHE) and pKVM, with the same guest
# (Debian's kernel, build/linux/Image, and the project's initramfs), 1 vCPU,
# 256 MiB, command line "console=ttyAMA0 kcore.expect_cpus=1"
# (docs/guests.md, "Boot cost"; bench/vmm/README.md, "Linux boot cost").
#
#   scripts/linux-boot-cost.sh IMAGE INITRAMFS L1_INITRAMFS OUT [TIMEOUT_SECONDS] [MODES]
#
# Every run is under QEMU -icount shift=0,sleep=off (16 instructions per
# counter tick, deterministic):
#
#   kcore  tools/kcore-run --icount --cpus 2: kserv prints "registered as vmid
#          N at counter C" when it creates the VM, the guest's init prints
#          "start cntvct=V" (kcore gives a VM no counter offset): (V - C) x 16.
#   KVM    Debian's kernel as the host (kvm-arm.mode=MODE, MODES default
#          "nvhe protected"), in the QEMU bench-kvm uses with -m 2G; its init
#          (bench/vmm/init.c, from L1_INITRAMFS, which also holds the VMM, the
#          guest's Image and initramfs) runs bench/vmm/vmm.c in its Linux form.
#          The VMM prints the host counter C right before KVM_CREATE_VM, and C2
#          and the guest's counter G2 after vCPU 0's KVM_ARM_VCPU_INIT; KVM
#          offsets the guest's virtual counter (G = host - (C2 - G2)), so init's
#          V is V + C2 - G2 in host time: (V + C2 - G2 - C) x 16.
#
# Consoles go to OUT's directory (linux-boot-kcore.log, linux-boot-nvhe.log,
# linux-boot-protected.log); OUT gets the table, which is also printed.
# TIMEOUT_SECONDS bounds each run (default 1800: the nested boot under TCG
# takes minutes). Exit status 0 if every run gave its figure, 1 otherwise.
set -u

prog=linux-boot-cost
[ $# -ge 4 ] || {
	echo "usage: $prog IMAGE INITRAMFS L1_INITRAMFS OUT [TIMEOUT_SECONDS] [MODES]" >&2
	exit 1
}
image=$1 initramfs=$2 l1_initramfs=$3 out=$4 timeout_s=${5:-1800} modes=${6:-nvhe protected}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cmdline="console=ttyAMA0 kcore.expect_cpus=1"
for f in "$image" "$initramfs" "$l1_initramfs"; do
	[ -f "$f" ] || {
		echo "$prog: $f is missing" >&2
		exit 1
	}
done
dir=$(dirname "$out")
mkdir -p "$dir"
rm -f "$out"

rows=() details=() failed=0
# $1: platform, $2: figure (instructions) or "-", $3: seconds, $4: details
row() {
	rows+=("$(printf '%-11s %16s   %5ss' "$1" "$2" "$3")")
	details+=("$1: $4")
}
num() { sed -n "s/.*$1\([0-9][0-9]*\).*/\1/p" | head -n1; }
group() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

# ---- kcore ----------------------------------------------------------------------
log=$dir/linux-boot-kcore.log
start=$(date +%s)
"$top/tools/kcore-run" --icount --cpus 2 --timeout "$timeout_s" \
	--vm "image=$image,initrd=$initramfs,name=linux,mem=256M,cmdline=$cmdline" \
	</dev/null >"$log" 2>&1
rc=$?
secs=$(($(date +%s) - start))
c=$(grep -a 'kserv: VM linux: registered as vmid' "$log" | num 'at counter ')
v=$(grep -a 'KCORE-LINUX-INIT: start cntvct=' "$log" | num 'cntvct=')
if [ "$rc" -eq 0 ] && [ -n "$c" ] && [ -n "$v" ]; then
	n=$(((v - c) * 16))
	row kcore "$(group "$n")" "$secs" "C=$c V=$v: (V - C) x 16 = $n"
else
	failed=1
	row kcore - "$secs" "FAILED (kcore-run exit $rc, C='$c' V='$v'; console: $log)"
fi

# ---- kcore, Debian's Linux as its host ------------------------------------------
# The same guest run by kcore-vmm in the Linux host (tools/kcore-run --host linux,
# docs/launcher.md). kcore-vmm prints "BENCH vm_created counter=C" just before
# KCORE_IOC_CREATE_VM; the host's and the guest's counters are both the physical
# one (kcore gives neither an offset): (V - C) x 16, as for kserv.
if [ -f "$(dirname "$image")/host-initramfs.cpio" ]; then
	log=$dir/linux-boot-kcore-linux.log
	start=$(date +%s)
	"$top/tools/kcore-run" --icount --cpus 2 --timeout "$timeout_s" --host linux \
		--vm "image=$image,initrd=$initramfs,name=linux,mem=256M,cmdline=$cmdline" \
		</dev/null >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	c=$(grep -a 'BENCH vm_created counter=' "$log" | num 'counter=')
	v=$(grep -a 'KCORE-LINUX-INIT: start cntvct=' "$log" | num 'cntvct=')
	if [ "$rc" -eq 0 ] && grep -a -q 'run: kcore-vmm exit status 0' "$log" &&
		[ -n "$c" ] && [ -n "$v" ]; then
		n=$(((v - c) * 16))
		row kcore-linux "$(group "$n")" "$secs" "C=$c V=$v: (V - C) x 16 = $n"
	else
		failed=1
		row kcore-linux - "$secs" "FAILED (kcore-run exit $rc, C='$c' V='$v'; console: $log)"
	fi
else
	row kcore-linux - 0 "not run: no $(dirname "$image")/host-initramfs.cpio (make linux-assets)"
fi

# ---- KVM and pKVM -------------------------------------------------------------
for mode in $modes; do
	case "$mode" in
	nvhe) name=KVM want='Hyp mode initialized successfully' ;;
	protected) name=pKVM want='Protected nVHE mode initialized successfully' ;;
	*)
		echo "$prog: a mode is nvhe or protected, not '$mode'" >&2
		exit 1
		;;
	esac
	log=$dir/linux-boot-$mode.log
	: >"$log"
	start=$(date +%s)
	qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu max -smp 2 -m 2G \
		-icount shift=0,sleep=off -seed 1 -rtc base=2025-01-01T00:00:00,clock=vm \
		-nographic -nic none -kernel "$image" -initrd "$l1_initramfs" \
		-append "console=ttyAMA0 kvm-arm.mode=$mode" </dev/null >"$log" 2>&1 &
	qemu=$!
	trap 'kill "$qemu" 2>/dev/null' EXIT
	why=""
	while kill -0 "$qemu" 2>/dev/null; do
		if grep -a -q 'end Kernel panic' "$log"; then
			why="a kernel panicked"
		elif [ $(($(date +%s) - start)) -ge "$timeout_s" ]; then
			why="timed out after ${timeout_s}s"
		fi
		if [ -n "$why" ]; then
			kill "$qemu" 2>/dev/null
			break
		fi
		sleep 2
	done
	wait "$qemu"
	rc=$?
	trap - EXIT
	secs=$(($(date +%s) - start))
	c=$(grep -a '^KCORE-VMM: vm created at counter ' "$log" | num 'at counter ')
	c2=$(grep -a '^KCORE-VMM: vcpu 0 initialised at counter ' "$log" | num 'at counter ')
	g2=$(grep -a '^KCORE-VMM: vcpu 0 initialised at counter ' "$log" | num 'guest counter ')
	v=$(grep -a 'KCORE-LINUX-INIT: start cntvct=' "$log" | num 'cntvct=')
	if [ -z "$why" ] && [ "$rc" -ne 0 ]; then why="QEMU exited with status $rc"; fi
	if [ -z "$why" ] && ! grep -a -q "^KCORE-BENCH-INIT: kvm: $want" "$log"; then
		why="KVM did not say '$want'"
	fi
	if [ -z "$why" ] && ! grep -a -q '^KCORE-LINUX-INIT: ok ' "$log"; then
		why="the guest's init did not say ok"
	fi
	if [ -z "$why" ] && ! grep -a -q '^KCORE-BENCH-INIT: vmm exited with status 0' "$log"; then
		why="the VMM did not exit 0"
	fi
	if [ -z "$why" ] && { [ -z "$c" ] || [ -z "$c2" ] || [ -z "$g2" ] || [ -z "$v" ]; }; then
		why="a counter line is missing (C='$c' C2='$c2' G2='$g2' V='$v')"
	fi
	if [ -z "$why" ]; then
		n=$(((v + c2 - g2 - c) * 16))
		row "$name" "$(group "$n")" "$secs" \
			"C=$c C2=$c2 G2=$g2 V=$v: (V + C2 - G2 - C) x 16 = $n (without G2: $(((v + c2 - c) * 16)))"
	else
		failed=1
		row "$name" - "$secs" "FAILED: $why (console: $log)"
	fi
done

{
	echo "Instructions from VM creation to the Linux guest's init (1 vCPU, 256 MiB, -icount shift=0)"
	echo
	printf '%-11s %16s   %6s\n' platform instructions run
	printf '%s\n' "${rows[@]}"
	echo
	printf '%s\n' "${details[@]}"
} >"$out.tmp" && mv "$out.tmp" "$out"
cat "$out"
exit "$failed"
