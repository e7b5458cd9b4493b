#!/usr/bin/env bash
# kcore-vmm (hostvmm/, docs/linux-host.md "The VMM: kcore-vmm") on the build
# machine, where everything but /dev/kcore works: its argument checks and
# exit statuses (usage 2, file 3, no /dev/kcore 4), the signed-file checks,
# where --dry-run places the kernel, initrd and DTB (vmm/guest_layout.h, as
# kserv does) and the DTB it writes (--dump-dtb, decoded with dtc); its run
# loop and stop against a stand-in for /dev/kcore (tests/hostvmm/fake_kcore.c,
# preloaded). The runs on kcore are tests/scripts/qemu_linux_host.sh's. One
# "ok"/"not ok" line per check.
#
# usage: tests/scripts/hostvmm.sh [BUILD_DIR]   (default: build)
# Uses BUILD_DIR/host/hostvmm/kcore-vmm and BUILD_DIR/guests/*.signed (make builds them).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
build=${1:-build}
vmm=$build/host/hostvmm/kcore-vmm
hello=$build/guests/hello.signed
smp=$build/guests/smp.signed
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

for f in "$vmm" "$hello" "$smp"; do
	if [ ! -f "$f" ]; then
		echo "not ok - hostvmm: $f missing (make)"
		exit 1
	fi
done

result() { # DESC WHY (empty: ok)
	if [ -z "$2" ]; then
		echo "ok - hostvmm: $1"
		pass=$((pass + 1))
	else
		echo "not ok - hostvmm: $1: $2"
		fail=$((fail + 1))
	fi
}

# status WANT MATCH DESC ARGS...: kcore-vmm ARGS exits WANT and its output has MATCH (a grep -E).
status() {
	local want=$1 match=$2 desc=$3 out rc why=""
	shift 3
	out=$("$vmm" "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		why="exit status $rc, not $want: $(head -1 <<<"$out")"
	elif ! grep -qE -- "$match" <<<"$out"; then
		why="no '$match' in: $(head -1 <<<"$out")"
	fi
	result "$desc (exit $want)" "$why"
}

status 0 '^  4  no /dev/kcore' "--help lists the exit statuses" --help
status 2 '^kcore-vmm: --image FILE is required' "no arguments"
status 2 '^kcore-vmm: --image needs an argument' "--image without its argument" --image
status 2 '^kcore-vmm: unknown option --bogus' "an unknown option" --image "$hello" --bogus
status 2 '^kcore-vmm: unexpected argument "extra"' "an extra argument" --image "$hello" extra
status 2 '^kcore-vmm: --cpus 0: 1\.\.8 vCPUs' "--cpus 0" --image "$hello" --cpus 0
status 2 '^kcore-vmm: --cpus 9: 1\.\.8 vCPUs' "--cpus 9" --image "$hello" --cpus 9
status 2 '^kcore-vmm: --cpus 2x: ' "--cpus 2x" --image "$hello" --cpus 2x
status 2 '^kcore-vmm: --mem 0: ' "--mem 0" --image "$hello" --mem 0
status 2 '^kcore-vmm: --mem 5000: ' "--mem not a multiple of 4K" --image "$hello" --mem 5000
status 2 '^kcore-vmm: --mem 17G: ' "--mem above 16G" --image "$hello" --mem 17G
status 2 '^kcore-vmm: --mem 99999999999999999999G: ' "--mem overflowing" --image "$hello" --mem 99999999999999999999G
status 2 '^kcore-vmm: --name a/b: ' "--name with a slash" --image "$hello" --name a/b
status 2 "^kcore-vmm: the files do not fit in the guest's RAM" "--mem too small for the image" \
	--image "$hello" --mem 8K
status 2 '^kcore-vmm: --cmdline: printable' "--cmdline with a newline" --image "$hello" --cmdline $'a\nb'
status 3 "^kcore-vmm: $tmp/missing.signed: No such file or directory\$" "a missing file" \
	--image "$tmp/missing.signed"
status 3 '^kcore-vmm: .*hello.img: not a signed image' "an unsigned image" --image "$build/guests/hello.img"
status 3 "^kcore-vmm: $tmp: not a regular file" "a directory" --image "$tmp"
head -c 100 "$hello" >"$tmp/short"
status 3 'not a signed image \(smaller than' "a file shorter than a trailer" --image "$tmp/short"
status 3 "^kcore-vmm: $tmp/missing.signed: No such file" "a missing initrd" \
	--image "$hello" --initrd "$tmp/missing.signed"
# The virtio devices' arguments (docs/virtio.md).
head -c 1048576 /dev/zero | tr '\0' k >"$tmp/disk.img"
status 3 "^kcore-vmm: --disk $tmp/missing.img: No such file or directory\$" "a missing disk file" \
	--image "$hello" --disk "$tmp/missing.img" --dry-run
status 2 "^kcore-vmm: --disk $tmp/disk.img,xx: unknown flag \"xx\" \(FILE or FILE,ro\)" \
	"a bad --disk flag" --image "$hello" --disk "$tmp/disk.img,xx" --dry-run
status 2 '^kcore-vmm: --disk needs a file name' "--disk ,ro" --image "$hello" --disk ,ro --dry-run
status 3 "^kcore-vmm: --disk $tmp: not a regular file or a block device" "a directory as a disk" \
	--image "$hello" --disk "$tmp,ro" --dry-run
status 3 "^kcore-vmm: --disk $tmp/disk.img: in use" "one file as two disks (locked)" \
	--image "$hello" --disk "$tmp/disk.img" --disk "$tmp/disk.img,ro" --dry-run
status 2 '^kcore-vmm: --disk .*: at most 4 disks' "a fifth disk" --image "$hello" \
	--disk a --disk b --disk c --disk d --disk e --dry-run
status 2 '^kcore-vmm: --pin 1x: a host CPU number, 0\.\.1023, or none' "--pin 1x" --image "$hello" --pin 1x --dry-run
status 2 '^kcore-vmm: --pin 1024: a host CPU number' "--pin past CPU_SETSIZE" --image "$hello" --pin 1024 --dry-run
status 2 '^kcore-vmm: --pin 1023: Invalid argument \(a CPU this host has and allows\?\)' \
	"--pin a CPU the machine lacks" --image "$hello" --pin 1023 --dry-run
status 0 '^kcore-vmm: VM hello: ' "--pin none" --image "$hello" --pin none --dry-run
status 2 '^kcore-vmm: --console vga: pl011 or virtio' "a bad --console" --image "$hello" --console vga --dry-run
status 0 '^kcore-vmm: VM hello: virtio-console at 0xa010000 \(SPI 16\)$' "--console virtio: its window" \
	--image "$hello" --console virtio --dry-run
status 2 '^kcore-vmm: --net eth0: tap=NAME or bridge=BR' "a bad --net" --image "$hello" --net eth0 --dry-run
status 2 '^kcore-vmm: --net tap=: an interface name of 1..15 characters' "--net tap= without a name" \
	--image "$hello" --net tap= --dry-run
status 2 '^kcore-vmm: --net bridge=abcdefghijklmnop: an interface name' "--net: a name too long" \
	--image "$hello" --net bridge=abcdefghijklmnop --dry-run
status 2 '^kcore-vmm: --net tap=lo: one --net only' "two --net" --image "$hello" \
	--net bridge=lo --net tap=lo --dry-run
status 3 '^kcore-vmm: --net bridge=kcnobr0: no such network interface$' "--net: a bridge that does not exist" \
	--image "$hello" --net bridge=kcnobr0 --dry-run
status 3 '^kcore-vmm: --net tap=kcnotap0: no such network interface$' "--net: a tap that does not exist" \
	--image "$hello" --net tap=kcnotap0 --dry-run
status 0 '^kcore-vmm: VM n1: virtio-net at 0xa010200 \(SPI 17\): tap lo, MAC 02:6b:63:[0-9a-f:]{8}$' \
	"--dry-run: a network after the rng, its MAC from the name" --image "$hello" --name n1 --rng \
	--net tap=lo --dry-run
cp "$tmp/disk.img" "$tmp/disk2.img"
status 0 "^kcore-vmm: VM hello: virtio-blk at 0xa010200 \(SPI 17\): $tmp/disk2.img, 2048 sectors, read-only\$" \
	"--dry-run: two disks and an rng in their windows" --image "$hello" --mem 16M \
	--disk "$tmp/disk.img" --disk "$tmp/disk2.img,ro" --rng --dry-run --dump-dtb "$tmp/v.dtb"
why=""
if ! dts=$(dtc -I dtb -O dts "$tmp/v.dtb" 2>/dev/null); then
	why="dtc cannot read it"
elif [ "$(grep -c 'compatible = "virtio,mmio";' <<<"$dts")" -ne 3 ] ||
	[ "$(grep -c 'dma-coherent;' <<<"$dts")" -ne 3 ]; then
	why="not 3 virtio,mmio nodes, each dma-coherent"
elif ! grep -q 'reg = <0x00 0xa010400 0x00 0x200>;' <<<"$dts" ||
	! grep -q 'interrupts = <0x00 0x12 0x01>;' <<<"$dts"; then
	why="the third device is not at 0xa010400 with SPI 18 (edge)"
fi
result "--dump-dtb: the virtio-mmio nodes (reg, SPI, dma-coherent)" "$why"
# Snapshots: the options' arguments, and --restore-from's file checked before /dev/kcore
# (--dry-run: the check comes first): unreadable 3, not a snapshot file for this VM 4.
status 2 '^kcore-vmm: --snapshot-to needs an argument' "--snapshot-to without its argument" \
	--image "$hello" --snapshot-to
status 2 '^kcore-vmm: --snapshot-to: a file name' "--snapshot-to ''" --image "$hello" --snapshot-to ''
status 2 '^kcore-vmm: --restore-from: a file name' "--restore-from ''" --image "$hello" --restore-from ''
status 3 "^kcore-vmm: $tmp/missing.kcs: No such file or directory\$" "--restore-from a missing file" \
	--image "$hello" --mem 16M --restore-from "$tmp/missing.kcs" --dry-run
status 3 "^kcore-vmm: $tmp: not a regular file" "--restore-from a directory" \
	--image "$hello" --mem 16M --restore-from "$tmp" --dry-run
status 4 "^kcore-vmm: $tmp/short: the snapshot file is shorter than its header\$" \
	"--restore-from a file shorter than a header" --image "$hello" --mem 16M --restore-from "$tmp/short" --dry-run
status 4 "^kcore-vmm: $hello: the snapshot file has no KCSNAPF1 magic" "--restore-from not a snapshot file" \
	--image "$hello" --mem 16M --restore-from "$hello" --dry-run
# A header saying 2 vCPUs (magic, version 2, header size 4096, 1 page, 2 vCPUs) for a 1-vCPU VM.
{ printf 'KCSNAPF1\002\0\0\0\0\020\0\0\001\0\0\0\0\0\0\0\002\0\0\0'; head -c 4072 /dev/zero; } >"$tmp/2cpus.kcs"
status 4 "^kcore-vmm: $tmp/2cpus.kcs: the snapshot file has another number of vCPUs than the VM\$" \
	"--restore-from a file of another number of vCPUs" --image "$hello" --mem 16M --restore-from "$tmp/2cpus.kcs" --dry-run

if [ ! -e /dev/kcore ]; then
	status 4 '^kcore-vmm: open /dev/kcore: ENOENT: no such device node: kcore.ko is not loaded' \
		"no /dev/kcore" --image "$hello" --mem 16M
fi

# Where things go: the image at RAM base (text_offset 0), the DTB in the last page, the initrd
# just below it (page aligned), as docs/kserv.md "The guest machine" says.
status 0 '^kcore-vmm: VM hello: 1 vCPU, 16 MiB at 0x80000000; kernel 0x80000000 \([0-9]+ bytes, arm64 Image\), DTB 0x80fff000 \([0-9]+ bytes\), bootargs ""$' \
	"--dry-run: hello's layout in 16M, its name from the file" --image "$hello" --mem 16M --dry-run
isize=$(stat -c %s "$hello")
initrd_ipa=$(printf '0x%x' $(((0x83fff000 - isize) / 4096 * 4096)))
initrd_end=$(printf '0x%x' $((initrd_ipa + isize - 256)))
status 0 "^kcore-vmm: VM t1: 4 vCPUs, 64 MiB at 0x80000000; kernel 0x80000000 \([0-9]+ bytes, arm64 Image\), initrd $initrd_ipa \($isize bytes\), DTB 0x83fff000 \([0-9]+ bytes\), bootargs \"console=ttyAMA0 quiet\"$" \
	"--dry-run: an initrd below the DTB, 4 vCPUs, 64M by default" \
	--image "$smp" --initrd "$hello" --cpus 4 --name t1 --cmdline "console=ttyAMA0 quiet" --dry-run \
	--dump-dtb "$tmp/t1.dtb"

# The DTB it wrote: what the guest reads.
why=""
if ! dts=$(dtc -I dtb -O dts "$tmp/t1.dtb" 2>/dev/null); then
	why="dtc cannot read it"
elif [ "$(grep -c 'device_type = "cpu"' <<<"$dts")" -ne 4 ]; then
	why="not 4 cpu nodes"
elif ! grep -q 'bootargs = "console=ttyAMA0 quiet";' <<<"$dts"; then
	why="no bootargs"
elif ! grep -qi "linux,initrd-start = <0x00 $initrd_ipa>;" <<<"$dts" ||
	! grep -qi "linux,initrd-end = <0x00 $initrd_end>;" <<<"$dts"; then
	why="the initrd's range is not $initrd_ipa..$initrd_end (its payload)"
elif ! grep -q 'reg = <0x00 0x80000000 0x00 0x4000000>;' <<<"$dts"; then
	why="the memory node is not 64 MiB at 0x80000000"
elif ! grep -q 'method = "hvc";' <<<"$dts"; then
	why="PSCI is not over HVC"
fi
result "--dump-dtb: 4 cpus, bootargs, the initrd's payload range, 64 MiB, PSCI over HVC" "$why"

# The run loop and the stop, against a stand-in for /dev/kcore preloaded into
# kcore-vmm (tests/hostvmm/fake_kcore.c says what each FAKE_KCORE mode plays).
so=$tmp/fake_kcore.so
if ! ${HOST_CC:-gcc} -std=gnu11 -shared -fPIC -O1 -Wall -Wextra -Werror -Iinclude -o "$so" \
	tests/hostvmm/fake_kcore.c tests/hostvmm/fake_virtio.c -ldl 2>"$tmp/cc.err"; then
	result "the stand-in for /dev/kcore builds" "$(head -1 "$tmp/cc.err")"
else
	fake() { # MODE then status's arguments
		local mode=$1
		shift
		FAKE_KCORE=$mode LD_PRELOAD=$so status "$@"
	}
	fake off 0 '^\[hello\] hi$' "a run: the guest's line on stdout, 2 vCPUs never started kicked out, powered off" \
		--image "$hello" --mem 16M --cpus 3
	fake off 0 '^kcore-vmm: VM hello powered off$' "a run: the end's line" --image "$hello" --mem 16M --cpus 8
	fake eintr 0 '^kcore-vmm: VM hello powered off$' "EINTR after the run took a completion: the next run carries none" \
		--image "$hello" --mem 16M --cpus 2
	fake reset 5 '^kcore-vmm: VM hello asked for a reset: kcore-vmm does not restart VMs$' "a reset" \
		--image "$hello" --mem 16M --cpus 2
	fake eio 1 "^kcore-vmm: VM hello: vCPU 0: KCORE_VM_IOC_RUN: EIO: kcore refused the run \(the VM's state: failed" \
		"a run kcore refused (EIO)" --image "$hello" --mem 16M --cpus 2
	fake keyreject 4 '^kcore-vmm: KCORE_IOC_CREATE_VM: EKEYREJECTED: kcore refused a signature' \
		"a signature kcore refused (EKEYREJECTED)" --image "$hello" --mem 16M
	fake off 0 '^\[hello\] hi$' "a run with a disk and an rng: present, unused, the guest unchanged" \
		--image "$hello" --mem 16M --disk "$tmp/disk.img" --rng
	fake virtio 0 '^kcore-vmm: VM hello: virtio-blk 0: a request buffer the host cannot reach: the device needs a reset$' \
		"virtio-blk driven through MMIO exits: sector 0 read into the guest's RAM (the mmap), an interrupt; a buffer in a private page (SIGBUS): the device needs a reset, kcore-vmm lives on; reset, and a second such buffer: the same in the same thread" \
		--image "$hello" --mem 16M --disk "$tmp/disk.img" --rng
	fake vconsole 0 '^\[hello\] hi from hvc0$' "--console virtio: a line the guest sent through port 0, on stdout as the PL011's" \
		--image "$hello" --mem 16M --console virtio
	fake vconsole 0 '^\[hello\] bye$' "--console virtio: its last line without a newline, printed at teardown" \
		--image "$hello" --mem 16M --console virtio
	# virtio-net's receive thread against a private page: needs a tap (root, iproute2).
	tap=kcvnet$$
	if ip tuntap add "$tap" mode tap 2>/dev/null; then
		FAKE_TAP=$tap fake vnet 0 '^kcore-vmm: VM hello: virtio-net: a receive buffer the host cannot reach: the device needs a reset$' \
			"virtio-net over --net tap=: a frame from the tap into a receive buffer in a private page (SIGBUS in the receive thread): the device needs a reset, kcore-vmm lives on" \
			--image "$hello" --mem 16M --net "tap=$tap"
		ip tuntap del "$tap" mode tap
	else
		echo "ok - hostvmm: virtio-net's receive thread # SKIP no tap (not root, or no ip/tun)"
	fi
	fake small 0 '^kcore-vmm: VM hello powered off$' "--small-pages: KCORE_VM_SMALL_PAGES in the create request" \
		--image "$hello" --mem 16M --small-pages
	fake small 4 '^kcore-vmm: KCORE_IOC_CREATE_VM: EINVAL: ' "without --small-pages: flags 0" \
		--image "$hello" --mem 16M
	# --pin: every vCPU thread (8, 7 of them asleep in the run ioctl) may run on CPU 0 alone.
	FAKE_PIN=0 fake off 0 '^kcore-vmm: VM hello powered off$' "--pin 0: every vCPU thread on CPU 0 alone" \
		--image "$hello" --mem 16M --cpus 8 --pin 0
	if [ "$(nproc)" -gt 1 ]; then
		FAKE_PIN=0 fake off 1 'KCORE_VM_IOC_RUN: EINVAL' "without --pin the vCPU threads may run anywhere (the check above can fail)" \
			--image "$hello" --mem 16M --cpus 8
	fi
	# Snapshots: vCPU 0 asks on 8 vCPUs (7 asleep in the run ioctl: parked first, else the
	# stand-in says EBUSY); the file: header, records padded to a page, 2 + 8 data pages.
	fake snap 0 "^kcore-vmm: VM hello: snapshot saved to $tmp/snap.kcs: 2 pages, 8 vCPUs, 49152 bytes\$" \
		"--snapshot-to on 8 vCPUs: siblings parked, the file written, the guest answered STOP" \
		--image "$hello" --mem 16M --cpus 8 --snapshot-to "$tmp/snap.kcs"
	why=""
	if [ "$(stat -c %s "$tmp/snap.kcs" 2>/dev/null)" != 49152 ]; then
		why="$tmp/snap.kcs is not 49152 bytes"
	elif [ "$(head -c 8 "$tmp/snap.kcs")" != KCSNAPF1 ]; then
		why="no KCSNAPF1 magic"
	elif [ "$(od -An -tx1 -j $((4096 + 5 * 128)) -N1 "$tmp/snap.kcs" | tr -d ' ')" != 45 ] ||
		[ "$(od -An -tx1 -j $((8192 + 9 * 4096)) -N1 "$tmp/snap.kcs" | tr -d ' ')" != 89 ]; then
		why="record 5 or data page 9 not where the format puts them"
	fi
	result "the snapshot file: 49152 bytes, the magic, records and data pages in place" "$why"
	fake restore 0 '^kcore-vmm: VM hello powered off$' \
		"--restore-from: every record and page handed back, the call completed RESTORED" \
		--image "$hello" --mem 16M --cpus 8 --restore-from "$tmp/snap.kcs"
	cp "$tmp/snap.kcs" "$tmp/flipped.kcs"
	printf '\x00' | dd of="$tmp/flipped.kcs" bs=1 seek=$((8192 + 4096 + 7)) conv=notrunc status=none
	fake restore 4 '^kcore-vmm: KCORE_VM_IOC_RESTORE: EBADMSG: kcore refused the snapshot' \
		"--restore-from a file with a data byte changed (the stand-in's EBADMSG)" \
		--image "$hello" --mem 16M --cpus 8 --restore-from "$tmp/flipped.kcs"
	fake snap 1 '^kcore-vmm: VM hello: vCPU 0: KCORE_VM_IOC_RUN: EINVAL: ' \
		"without --snapshot-to the call is answered NOT_SUPPORTED, not STOP" --image "$hello" --mem 16M
	fake snap 1 "^kcore-vmm: VM hello failed: its snapshot could not be taken or saved\$" \
		"--snapshot-to into a missing directory: the VM fails" \
		--image "$hello" --mem 16M --cpus 2 --snapshot-to "$tmp/nodir/snap.kcs"
	# SIGTERM while every vCPU sleeps in the run ioctl: all kicked out, status 1, within 5 s.
	why=""
	start=$(date +%s)
	FAKE_KCORE=sleep LD_PRELOAD=$so "$vmm" --image "$hello" --mem 16M --cpus 8 >"$tmp/term.out" 2>&1 &
	pid=$!
	sleep 1
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	if [ "$rc" -ne 1 ]; then
		why="exit status $rc, not 1: $(tail -1 "$tmp/term.out")"
	elif ! grep -q '^kcore-vmm: VM hello failed: stopped by a signal$' "$tmp/term.out"; then
		why="no 'VM hello failed: stopped by a signal' line: $(tail -1 "$tmp/term.out")"
	elif [ $(($(date +%s) - start)) -gt 6 ]; then
		why="it took $(($(date +%s) - start)) s"
	fi
	result "SIGTERM with 8 vCPUs asleep in the run ioctl: every thread kicked out and joined (exit 1)" "$why"
fi

echo "# hostvmm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
