#!/usr/bin/env bash
# An unmodified Linux as a protected VM (issue 6): Debian's arm64 cloud kernel
# and the project's initramfs (guests/linux-init), both signed and verified by
# kcore, booted with tools/kcore-run on 1 and 2 vCPUs and as two VMs side by
# side. Each must reach the init's verdict (memory, CPUs, tmpfs) and power off
# through PSCI; kserv then runs kcore's invariant checker. One "ok"/"not ok"
# line per scenario; logs in BUILD/qemu-logs/linux-<scenario>.log.
#
# usage: tests/scripts/qemu_linux.sh [BUILD_DIR]   (default: build)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
build=${1:-build}
limit=${QEMU_TIMEOUT_LINUX:-300}
logdir=$build/qemu-logs
kernel=$build/linux/Image
initrd=$build/linux/initramfs.cpio
mkdir -p "$logdir"
pass=0
fail=0

if [ ! -f "$kernel" ] || [ ! -f "$initrd" ]; then
	echo "not ok - linux: $kernel or $initrd missing (make linux-assets)"
	exit 1
fi

# scenario NAME DESC NR_VMS -- KCORE-RUN-ARGS...
scenario() {
	local name=$1 desc=$2 nvms=$3 rc why=""
	shift 4
	local log=$logdir/linux-$name.log
	tools/kcore-run --build "$build" --timeout "$limit" "$@" >"$log.out" 2>"$log.err"
	rc=$?
	{ tr -d '\r' <"$log.out"; echo "# kcore-run's stderr (exit status $rc):"; cat "$log.err"; } >"$log"
	rm -f "$log.out" "$log.err"
	local oks offs
	oks=$(grep -cE '^\[[^]]*\] KCORE-LINUX-INIT: ok cpus=[0-9]+ mem=[0-9]+MiB tmpfs=ok$' "$log")
	offs=$(grep -cE '^KSERV: VM [^ ]+ powered off$' "$log")
	if [ "$rc" -ne 0 ]; then
		why="kcore-run exit $rc: $(tail -1 "$log")"
	elif grep -qE 'KCORE-LINUX-INIT: FAIL|Kernel panic|Oops|^kcore: PANIC' "$log"; then
		why="$(grep -m1 -E 'KCORE-LINUX-INIT: FAIL|Kernel panic|Oops|^kcore: PANIC' "$log")"
	elif [ "$oks" -ne "$nvms" ] || [ "$offs" -ne "$nvms" ]; then
		why="$oks of $nvms inits said ok, $offs of $nvms VMs powered off"
	elif ! grep -q '^INVARIANTS: OK$' "$log"; then
		why="kcore's invariant checker did not report OK afterwards"
	elif ! grep -q "^KSERV: VMS DONE ok=$nvms failed=0$" "$log"; then
		why="kserv did not report $nvms VMs ok"
	fi
	if [ -z "$why" ]; then
		echo "ok - linux: $desc"
		pass=$((pass + 1))
	else
		echo "not ok - linux: $desc: $why (log: $log)"
		fail=$((fail + 1))
	fi
}

cmd="console=ttyAMA0"
scenario one-vcpu "Debian's kernel, 1 vCPU: verified, init ok (memory, CPUs, tmpfs), PSCI power-off, invariants OK" 1 -- \
	--vm "image=$kernel,initrd=$initrd,name=linux,mem=256M,cmdline=$cmd kcore.expect_cpus=1"
scenario two-vcpus "Debian's kernel, 2 vCPUs (PSCI CPU_ON, SGIs through kcore): init ok on both CPUs (a timer-heavy loop of 1 ms sleeps on both at once), power-off, invariants OK" 1 -- \
	--vm "image=$kernel,initrd=$initrd,name=linux,cpus=2,mem=256M,cmdline=$cmd kcore.expect_cpus=2"
# CPU hotplug: in the two-vCPU run init offlined and onlined cpu 1 three times
# (PSCI CPU_OFF and CPU_ON through kcore), a task running on it each time.
hotplug_desc="Debian's kernel, 2 vCPUs: cpu 1 offlined (PSCI CPU_OFF) and onlined (CPU_ON) 3 times, a task runs on it each time"
if grep -qE '^\[linux\] KCORE-LINUX-INIT: hotplug: cpu 1 off and on 3 times$' "$logdir/linux-two-vcpus.log"; then
	echo "ok - linux: $hotplug_desc"
	pass=$((pass + 1))
else
	echo "not ok - linux: $hotplug_desc: no hotplug line (log: $logdir/linux-two-vcpus.log)"
	fail=$((fail + 1))
fi
scenario side-by-side "two Linux VMs side by side (2 + 1 vCPUs): both init ok, both power off, invariants OK" 2 -- \
	--mem 2G --vm "image=$kernel,initrd=$initrd,name=linux-a,cpus=2,mem=256M,cmdline=$cmd kcore.expect_cpus=2" \
	--vm "image=$kernel,initrd=$initrd,name=linux-b,mem=256M,cmdline=$cmd kcore.expect_cpus=1"

echo "# qemu_linux: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
