#!/usr/bin/env bash
# make linux-bare-check: boots Debian's kernel with the kcore initramfs in plain
# QEMU, without kcore, on a machine like the one kcore gives its guests (GICv3,
# PSCI, PL011), and checks that init said ok and that QEMU exited by itself
# (init powers off: PSCI SYSTEM_OFF).
#
#   scripts/linux-bare-check.sh [LINUX_DIR [TIMEOUT_SECONDS]]   (build/linux, 120)
#
# The console goes to stdout as it comes and to LINUX_DIR/bare-check.log. A
# kernel panic stops QEMU at once (the kernel would otherwise wait forever).
# Exit status 0 on success, 1 otherwise, with one verdict line on stderr.
set -u

dir=${1:-build/linux}
timeout_s=${2:-120}
cpus=2
log=$dir/bare-check.log

for f in "$dir/Image" "$dir/initramfs.cpio"; do
	[ -f "$f" ] || {
		echo "linux-bare-check: $f is missing (make linux-assets)" >&2
		exit 1
	}
done

: >"$log"
start=$(date +%s)
qemu-system-aarch64 -M virt,gic-version=3 -cpu max -smp "$cpus" -m 512M \
	-nographic -nic none -kernel "$dir/Image" -initrd "$dir/initramfs.cpio" \
	-append "console=ttyAMA0 kcore.expect_cpus=$cpus" </dev/null >"$log" 2>&1 &
qemu=$!
tail -f -n +1 --pid="$qemu" "$log" &
tailer=$!
trap 'kill "$qemu" "$tailer" 2>/dev/null' EXIT

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
wait "$tailer" 2>/dev/null
secs=$(($(date +%s) - start))

fail() {
	echo "linux-bare-check: FAILED after ${secs}s: $* (log: $log)" >&2
	exit 1
}
[ -z "$why" ] || fail "$why"
[ "$rc" -eq 0 ] || fail "QEMU exited with status $rc"
if grep -a -q '^KCORE-LINUX-INIT: FAIL' "$log"; then
	fail "init reported: $(grep -a -m1 '^KCORE-LINUX-INIT: FAIL' "$log" | tr -d '\r')"
fi
grep -a -q '^KCORE-LINUX-INIT: ok ' "$log" || fail "no 'KCORE-LINUX-INIT: ok' line"
echo "linux-bare-check: ok in ${secs}s: $(grep -a -m1 '^KCORE-LINUX-INIT: ok ' "$log" | tr -d '\r'), QEMU powered off" >&2
