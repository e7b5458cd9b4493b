#!/usr/bin/env bash
# Debian's own kernel as kcore's host (issue 17, docs/linux-host.md): kcore.img
# with Debian's unmodified arm64 cloud kernel and the host initramfs
# (guests/host-init) given as multiboot modules by QEMU's guest-loader, on 1
# and 4 CPUs. Each run must: enter Linux at EL1 behind stage-2, reach the
# init's verdict (every CPU online through kcore's PSCI CPU_ON, kcore's ranges
# in /reserved-memory no-map, not System RAM, /dev/mem refusing them), power
# off through PSCI SYSTEM_OFF (kcore scrubs, QEMU exits by itself: no
# timeout), and the System RAM ranges Linux printed must leave out the image
# and carve-out kcore itself logged. The module (kcore.ko, in the initramfs)
# must load, answer kcore's ABI version through /dev/kcore, refuse bad ioctls
# (ENOTTY) and bad pointers (EFAULT), create a VM from a signed image that
# kcore verifies and tear it down with every page back, refuse a tampered
# image (EKEYREJECTED) and bad arguments (EFAULT/EINVAL/E2BIG) with nothing
# left behind, hold kcore's 8 VMs at once (a 9th: ENOSPC), create and close a
# VM 20 times, snapshot a fresh VM (KCORE_VM_IOC_SNAPSHOT) and restore it into
# another (KCORE_VM_IOC_RESTORE) that runs to PASS, refusing bad requests, a
# flipped byte (EBADMSG) and either beside a RUN (EBUSY), and unload and load again. kcore-vmm (hostvmm/), run by init as a
# child, must run the hello guest on 1 and 2 vCPUs and the smp guest on 4 to
# their PASS and power-off with exit status 0, and fail with its documented
# statuses on a missing file (3), --cpus 0 (2) and a tampered image (4); save
# snapguest with --snapshot-to (the file holding none of its secret values)
# and restore it with --restore-from to its restored copy's PASS, and refuse
# (4, EBADMSG) the file with a byte flipped in a data page, a record or the
# header. On 4
# CPUs it also runs Debian's kernel and the Linux guest's initramfs (signed)
# as a guest on 1 and 2 vCPUs, whose init must say ok.
# Then the host's shell (kcore.shell=1): kcore-vmm typed at its prompt runs the
# hello guest, and exit powers off.
# A last scenario boots the same kernel and initramfs without kcore, EL2 being
# Linux's hyp stub (cortex-a57: no VHE): the module must refuse to load, with
# its line saying kcore did not answer, and no oops.
# One "ok"/"not ok" line per scenario; logs in
# BUILD/qemu-logs/linux-host-<cpus>.log and linux-host-no-kcore.log.
#
# usage: tests/scripts/qemu_linux_host.sh [BUILD_DIR]   (default: build)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
build=${1:-build}
limit=${QEMU_TIMEOUT_LINUX_HOST:-300}
# The run where kcore-vmm also boots the Linux guest twice (init gives each 400 s).
linux_limit=${QEMU_TIMEOUT_LINUX_HOST_GUEST:-900}
logdir=$build/qemu-logs
img=$build/kcore.img
kernel=$build/linux/Image
initrd=$build/linux/host-initramfs.cpio
# Where guest-loader puts them: 2 MiB aligned (the Image's text_offset is 0),
# clear of kcore (2 MiB into RAM), the DTB (128 MiB in) and the carve-out (top).
kernel_addr=0x50000000
initrd_addr=0x58000000
mkdir -p "$logdir"
# kcore's host ABI version, which the module must report: include/kcore/abi.h.
abi=$(sed -n 's/^#define KCORE_ABI_MAJOR \([0-9]*\)$/\1/p' include/kcore/abi.h).$(sed -n 's/^#define KCORE_ABI_MINOR \([0-9]*\)$/\1/p' include/kcore/abi.h)
pass=0
fail=0

for f in "$img" "$kernel" "$initrd"; do
	if [ ! -f "$f" ]; then
		echo "not ok - linux-host: $f missing (make && make linux-assets)"
		exit 1
	fi
done

# overlaps_system_ram LOG START END (hex): whether [START, END) overlaps a System RAM line init printed.
overlaps_system_ram() {
	local log=$1 start=$((16#$2)) end=$((16#$3)) lo hi
	while read -r lo hi; do
		if [ "$start" -le "$((16#$hi))" ] && [ "$((16#$lo))" -lt "$end" ]; then
			return 0
		fi
	done < <(sed -n 's/.*KCORE-HOST: init: iomem: System RAM \([0-9a-f]*\)-\([0-9a-f]*\)$/\1 \2/p' "$log")
	return 1
}

# verdict DESC WHY LOG: the scenario's "ok"/"not ok" line (WHY empty: ok), counted.
verdict() {
	if [ -z "$2" ]; then
		echo "ok - linux-host: $1"
		pass=$((pass + 1))
	else
		echo "not ok - linux-host: $1: $2 (log: $3)"
		fail=$((fail + 1))
	fi
}

scenario() { # CPUS [linux]: with "linux", kcore-vmm also runs the Linux guest (kcore.vmm_linux=1)
	local cpus=$1 with_linux=${2:-} rc why="" log=$logdir/linux-host-$1.log ranges extra="" lim=$limit
	local disk=$logdir/linux-host-disk.img
	local -a devices=()
	if [ -n "$with_linux" ]; then
		extra=" kcore.vmm_linux=1"
		lim=$linux_limit
		# The host's own disk (guests/host-init/virtio.c, check_host_disk): Debian's
		# virtio-pci driver, its DMA through kcore's host mirror.
		rm -f "$disk" && truncate -s 16M "$disk"
		devices=(-drive "file=$disk,if=none,format=raw,id=hostdisk" -device virtio-blk-pci,drive=hostdisk)
	fi
	timeout "$lim" qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,iommu=smmuv3 \
		-cpu max -smp "$cpus" -m 1G -nographic -nic none -kernel "$img" \
		-device edu,dma_mask=0xffffffffffff "${devices[@]}" \
		-device "guest-loader,addr=$kernel_addr,kernel=$kernel,bootargs=console=ttyAMA0 kcore.expect_cpus=$cpus$extra" \
		-device "guest-loader,addr=$initrd_addr,initrd=$initrd" </dev/null 2>&1 | tr -d '\r' >"$log"
	rc=${PIPESTATUS[0]}
	ranges=$(sed -n 's/^kcore: image \([0-9a-f]*\)-\([0-9a-f]*\), carve-out \([0-9a-f]*\)-\([0-9a-f]*\)$/\1 \2 \3 \4/p' "$log")
	if [ "$rc" -eq 124 ]; then
		why="timeout after ${lim}s: $(tail -1 "$log")"
	elif [ "$rc" -ne 0 ]; then
		why="QEMU exit $rc: $(tail -1 "$log")"
	elif grep -qE 'KCORE-HOST: (init|kcore\.ko|vm|vmm|attack): FAIL|Kernel panic|Oops|^kcore: PANIC' "$log"; then
		why="$(grep -m1 -E 'KCORE-HOST: (init|kcore\.ko|vm|vmm|attack): FAIL|Kernel panic|Oops|^kcore: PANIC' "$log")"
	elif ! grep -q "^kcore: host stage-2 on; entering Linux at 50000000$" "$log"; then
		why="kcore did not enter the Linux host"
	elif ! grep -qE "^KCORE-HOST: kcore.ko: kcore ABI $abi$" "$log"; then
		why="no 'KCORE-HOST: kcore.ko: kcore ABI $abi' line (the module loaded and answered through /dev/kcore)"
	elif ! grep -q "^KCORE-HOST: kcore.ko: bad ioctl number: ENOTTY, bad pointers: EFAULT$" "$log"; then
		why="no 'KCORE-HOST: kcore.ko: bad ioctl number: ENOTTY, bad pointers: EFAULT' line"
	elif ! grep -qE "^KCORE-HOST: vm: /hello.signed \([0-9]+ bytes\): created, verified by kcore \(vmid [0-9]+, [0-9]+ pages at IPA 0x[0-9a-f]+\), closed: every page back$" "$log"; then
		why="no 'KCORE-HOST: vm: /hello.signed (...): created, verified by kcore (...), closed: every page back' line"
	elif ! grep -qE "^KCORE-HOST: vm: tampered image \(byte [0-9]+ flipped\): EKEYREJECTED, nothing left$" "$log"; then
		why="no 'KCORE-HOST: vm: tampered image (...): EKEYREJECTED, nothing left' line"
	elif ! grep -q "^KCORE-HOST: vm: bad arguments: EFAULT (pointers), EINVAL (sizes, vCPUs, flags, initrd and DTB placement), E2BIG (too large)$" "$log"; then
		why="no 'KCORE-HOST: vm: bad arguments: EFAULT ..., EINVAL ..., E2BIG ...' line"
	elif ! grep -q "^KCORE-HOST: vm: 8 VMs at once (one with 8 vCPUs), one more: ENOSPC; all closed, nothing left$" "$log"; then
		why="no 'KCORE-HOST: vm: 8 VMs at once (...), one more: ENOSPC; all closed, nothing left' line"
	elif ! grep -qE "^KCORE-HOST: vm: 20 x create \+ close: no VM and no page left with kcore; " "$log"; then
		why="no 'KCORE-HOST: vm: 20 x create + close: no VM and no page left with kcore' line"
	elif ! grep -qE "^KCORE-HOST: vm: raw run: hello and PASS in [0-9]+ exits, [0-9]+ pages with kcore while it ran, every page back$" "$log"; then
		why="no 'KCORE-HOST: vm: raw run: hello and PASS ...' line (KCORE_VM_IOC_RUN)"
	elif ! grep -q "^KCORE-HOST: attack: a module reading and writing the VM's image and RAM pages through the linear map: 5 attackers oopsed away" "$log"; then
		why="no 'KCORE-HOST: attack: ... 5 attackers oopsed away ...' line"
	elif ! grep -qE "^KCORE-HOST: attack: 4 threads racing RUN, IRQ, INFO, SNAPSHOT and CREATE_VM on one VM: .*, nothing else; invariants hold, nothing left, a new VM runs to PASS$" "$log"; then
		why="no 'KCORE-HOST: attack: 4 threads racing ...' line"
	elif ! grep -qE "^KCORE-HOST: attack: edu DMA: host page to host page through kcore's DMA mirror ok; a read and a write of the VM's image page at [0-9a-f]+ refused \(nothing of the page reached the device, the victim ran to PASS\), invariants hold$" "$log"; then
		why="no 'KCORE-HOST: attack: edu DMA: ...' line (a PCI device's DMA through the host's mirror, and at a VM's page)"
	elif ! grep -qE "^KCORE-HOST: attack: /proc/kcore at this process's page: its pattern; at the VM's image page [0-9a-f]+: zeros, no oops$" "$log"; then
		why="no 'KCORE-HOST: attack: /proc/kcore at the VM's image page ...: zeros' line"
	elif [ "$(grep -c 'Internal error: ' "$log")" -ne 5 ] ||
		[ "$(grep -c 'Internal error: synchronous external abort: ' "$log")" -ne 5 ] ||
		[ "$(grep -c '^\[ *[0-9.]*\] pc : attack_ioctl+' "$log")" -ne 5 ]; then
		why="the kernel's oopses are not exactly the 5 attackers' synchronous external aborts in attack_ioctl"
	elif ! grep -q "^KCORE-HOST: vm: ok$" "$log"; then
		why="no 'KCORE-HOST: vm: ok' line"
	elif ! grep -q "^KCORE-HOST: vmm: /hello.signed on 1 vCPU: hello, PASS, powered off, exit status 0$" "$log"; then
		why="no 'KCORE-HOST: vmm: /hello.signed on 1 vCPU: ...' line (kcore-vmm ran hello)"
	elif ! grep -q "^KCORE-HOST: vmm: | \[hello\] GUEST hello: PASS$" "$log"; then
		why="no '[hello] GUEST hello: PASS' line from kcore-vmm"
	elif ! grep -q "^KCORE-HOST: vmm: /hello.signed on 2 vCPUs (vCPU 1 never started): PASS, powered off, exit status 0$" "$log"; then
		why="no 'KCORE-HOST: vmm: /hello.signed on 2 vCPUs ...' line (kcore-vmm stopped a vCPU never started)"
	elif ! grep -q "^KCORE-HOST: vmm: /smp.signed on 4 vCPUs (PSCI CPU_ON): PASS, powered off, exit status 0$" "$log"; then
		why="no 'KCORE-HOST: vmm: /smp.signed on 4 vCPUs ...' line (kcore-vmm ran smp)"
	elif ! grep -q "^KCORE-HOST: vmm: bad runs: a missing file exit status 3, --cpus 0 2, a tampered image 4 (EKEYREJECTED)$" "$log"; then
		why="no 'KCORE-HOST: vmm: bad runs: ...' line (kcore-vmm's exit statuses)"
	elif [ -n "$with_linux" ] && ! grep -q "^KCORE-HOST: vmm: Debian's kernel on 1 vCPU(s), 256 MiB: its init ok cpus=1, powered off, exit status 0$" "$log"; then
		why="no 'KCORE-HOST: vmm: Debian's kernel on 1 vCPU(s) ...' line (kcore-vmm ran the Linux guest)"
	elif [ -n "$with_linux" ] && ! grep -q "^KCORE-HOST: vmm: Debian's kernel on 2 vCPU(s), 256 MiB: its init ok cpus=2, cpu 1 off and on 3 times, powered off, exit status 0$" "$log"; then
		why="no 'KCORE-HOST: vmm: Debian's kernel on 2 vCPU(s) ...' line (kcore-vmm ran the Linux guest on 2 vCPUs, CPU hotplug)"
	elif ! grep -q "^KCORE-HOST: vmm: /pwroff.signed: fair=300 on 2 vCPUs (vCPU 1 spins without exits) PASS; on 4 vCPUs, spinning and WFE siblings stopped at the power-off$" "$log"; then
		why="no 'KCORE-HOST: vmm: /pwroff.signed: fair=300 ...' line (the host's timer while a guest spins, the stop at the power-off)"
	elif ! grep -q "^KCORE-HOST: vm: snapshots: a fresh VM's [0-9]* pages taken, bad requests refused (EINVAL/EFAULT/ERANGE), a buffer unmapped midway EFAULT both ways; restored into a new VM that ran to hello and PASS, a second restore EINVAL, after the power-off ESHUTDOWN; a flipped byte EBADMSG, the VM failed; EBUSY beside a RUN; nothing left$" "$log"; then
		why="no 'KCORE-HOST: vm: snapshots: ...' line (KCORE_VM_IOC_SNAPSHOT and _RESTORE)"
	elif ! grep -q "^KCORE-HOST: vmm: snapguest: --snapshot-to saved [0-9]* bytes, no secret value in clear; --restore-from: the restored copy's PASS; a byte flipped in a data page, a PAGE record and the header, or another image: EBADMSG, exit status 4; not a snapshot file, or of another number of vCPUs: 4; on 2 vCPUs saved and restored to PASS; nothing left, invariants 0$" "$log"; then
		why="no 'KCORE-HOST: vmm: snapguest: --snapshot-to saved ...' line (snapshots through kcore.ko and kcore-vmm)"
	elif ! grep -q "^KCORE-HOST: vmm: | \[snapguest\] GUEST snapguest: PASS secret, registers and computation intact (restored copy)$" "$log"; then
		why="no '[snapguest] ... PASS ... (restored copy)' line from kcore-vmm --restore-from"
	elif [ -n "$with_linux" ] && ! grep -q "^KCORE-HOST: vmm: two Debian guests at once (linux-a, linux-b; 1 vCPU, 256 MiB each): both init ok, powered off, exit status 0, nothing left$" "$log"; then
		why="no 'KCORE-HOST: vmm: two Debian guests at once ...' line"
	elif [ -n "$with_linux" ] && ! grep -q "^KCORE-HOST: vmm: host disk: Debian's virtio-pci and virtio-blk wrote and read back 1048576 bytes of /dev/vda with O_DIRECT (the device's DMA through kcore's mirror)$" "$log"; then
		why="no 'KCORE-HOST: vmm: host disk: ...' line (a Linux driver's DMA through kcore's host mirror)"
	elif [ -n "$with_linux" ] && ! grep -qa "kcore: the Linux host's own disk, written by DMA through kcore's mirror" "$disk"; then
		why="the host's disk image $disk does not hold what the host wrote to /dev/vda"
	elif [ -n "$with_linux" ] && ! grep -q "^KCORE-HOST: vmm: virtio-blk: a protected Debian guest wrote 1048576 bytes and a note to ext4 on /disk.img; the host mounted it and found them as written$" "$log"; then
		why="no 'KCORE-HOST: vmm: virtio-blk: a protected Debian guest wrote ...' line (docs/virtio.md)"
	elif [ -n "$with_linux" ] && ! grep -q "^KCORE-HOST: vmm: virtio-blk: a new VM read them back from the same disk, read-only$" "$log"; then
		why="no 'KCORE-HOST: vmm: virtio-blk: a new VM read them back ...' line"
	elif [ -n "$with_linux" ] && ! grep -qE "^KCORE-HOST: vmm: scan: 1024 of the VM's pages readable from the host \(the pool: 1024\), 0 with the secret, in [0-9]+ ms$" "$log"; then
		why="no 'KCORE-HOST: vmm: scan: 1024 of the VM's pages readable ..., 0 with the secret' line (the host's scan of a virtio guest's RAM)"
	elif [ -n "$with_linux" ] && ! grep -q "^KCORE-HOST: vmm: attack: a VMM rewrote the guest's bounce pool and rings during its disk read: the guest carried on, its kernel did not crash, its secret intact, powered off; invariants hold$" "$log"; then
		why="no 'KCORE-HOST: vmm: attack: a VMM rewrote the guest's bounce pool ...' line"
	elif [ -n "$with_linux" ] && ! grep -qE "^KCORE-HOST: vmm: virtio-net: two protected Debian guests \(net-s on bridge=br0, net-c on tap=kctap0\): 4194304 bytes by TCP, checksum [0-9a-f]{16} on both sides, the pattern checked; kcore-vmm's own tap gone with it$" "$log"; then
		why="no 'KCORE-HOST: vmm: virtio-net: two protected Debian guests ...' line (kcore-vmm --net bridge=br0)"
	elif ! grep -q "^KCORE-HOST: attack: kcore's invariants at the end: 0 violations$" "$log"; then
		why="no 'KCORE-HOST: attack: kcore's invariants at the end: 0 violations' line"
	elif ! grep -q "^KCORE-HOST: vmm: ok$" "$log"; then
		why="no 'KCORE-HOST: vmm: ok' line"
	elif ! grep -qE "^KCORE-HOST: kcore.ko: unload refused while open, ok when closed; loaded again: kcore ABI $abi$" "$log"; then
		why="no 'KCORE-HOST: kcore.ko: unload refused while open, ok when closed; loaded again' line"
	elif ! grep -qE "^KCORE-HOST: init: ok cpus=$cpus kcore-ranges=2$" "$log"; then
		why="no 'KCORE-HOST: init: ok cpus=$cpus kcore-ranges=2' line"
	elif ! grep -q '^kcore: scrub: ' "$log"; then
		why="the power-off did not go through kcore's scrub (PSCI SYSTEM_OFF)"
	elif [ -z "$ranges" ]; then
		why="kcore did not log its image and carve-out"
	else
		set -- $ranges
		if overlaps_system_ram "$log" "$1" "$2"; then
			why="kcore's image $1-$2 is in Linux's System RAM"
		elif overlaps_system_ram "$log" "$3" "$4"; then
			why="kcore's carve-out $3-$4 is in Linux's System RAM"
		fi
	fi
	local linux_desc=""
	[ -n "$with_linux" ] && linux_desc=", and Debian's kernel as its guest on 1 and 2 vCPUs (cpu 1 off and on) to its init's ok, and two such guests at once; the host's own virtio-pci disk through kcore's DMA mirror; a protected Debian guest with kcore-guest.ko writes ext4 files through virtio-blk that the host finds in the image and a new VM reads back, the host reading every page of that VM finds only the 1024 pool pages readable and no secret, a VMM rewriting the pool and rings during I/O leaves the guest running, its secret intact, and two guests exchange data over virtio-net through a host bridge"
	local desc="Debian's kernel as the host on $cpus CPU(s)$linux_desc: init ok (CPUs, kcore's ranges no-map and not System RAM, /dev/mem refused; kcore.ko loaded, /dev/kcore answers kcore ABI $abi, refuses bad ioctls and pointers; a VM created, verified and torn down, a tampered image and bad arguments refused, 8 VMs at once and a 9th ENOSPC, 20 create/close, nothing left; a vCPU run through KCORE_VM_IOC_RUN to hello and PASS; the VM's RAM mmapped: SIGBUS at its private image page and at an unmapped page, EINVAL for MAP_PRIVATE or past the RAM, the VM alive until the munmap; a malicious module's 5 linear-map reads and writes of VM pages stopped by kcore's abort, the victim intact; /proc/kcore reads zeros at a VM page; 4 threads racing ioctls on one VM, defined answers only; KCORE_VM_IOC_SNAPSHOT and _RESTORE: a fresh VM snapshotted and restored into another that runs to PASS, bad requests refused, a flipped byte EBADMSG, EBUSY beside a RUN; a PCI device (edu) DMAs between host pages through kcore's mirror and is refused at a VM's page; kcore-vmm runs hello on 1 and 2 vCPUs, with a virtio disk and rng (present, unused), and smp on 4 to PASS and exit 0, pwroff fair beside a vCPU spinning without exits (the host's timer honoured) and pwroff's stop of spinning siblings, exits 3/2/4 on a missing file, --cpus 0, a tampered image; snapguest saved with --snapshot-to (no secret in the file) and restored with --restore-from to PASS, a byte flipped in a data page, a record or the header refused (EBADMSG, exit 4); unloads and loads again; kcore's invariants at the end), PSCI SYSTEM_OFF through kcore"
	verdict "$desc" "$why" "$log"
}

# The same kernel and initramfs on QEMU alone: Linux owns EL2 (its hyp stub,
# which answers an unknown HVC with an error), so kcore.ko must refuse to load.
# One command for a user (tools/kcore-run --host linux --vm ..., docs/launcher.md): the
# unsigned Debian kernel and the Linux guest's initramfs (kcore-run signs them with the
# development key) with a disk (a copy of the build's empty ext4), which QEMU gives the
# host as virtio-blk-pci and kcore-vmm gives the VM. The guest writes its files; kcore-run
# must exit 0, and the disk file, read here with e2fsprogs' debugfs, must hold the note.
user_vm() {
	local rc why="" log=$logdir/linux-host-user-vm.log disk=$logdir/linux-host-user-disk.img note
	cp "$build/linux/disk.img" "$disk" || exit 1
	tools/kcore-run --build "$build" --host linux --cpus 2 --timeout "$linux_limit" \
		--vm "image=$kernel,initrd=$build/linux/initramfs.cpio,name=user,disk=$disk,rng,net,cmdline=console=ttyAMA0 kcore.virtio=1 kcore.rng=1 kcore.disk=write:77 kcore.net=ping:10.0.18.2:10.0.18.254" \
		</dev/null >"$log" 2>&1
	rc=$?
	note=$(debugfs -R "cat /kcore/note" "$disk" 2>/dev/null)
	if [ "$rc" -ne 0 ]; then
		why="kcore-run exit status $rc: $(grep '^kcore-run: ' "$log" | tail -1)"
	elif ! grep -q "^\[user\] KCORE-LINUX-INIT: disk: wrote 1048576 bytes and the note, seed 77" "$log"; then
		why="the guest did not say it wrote its files"
	elif ! grep -q "^\[user\] KCORE-LINUX-INIT: net: 10.0.18.254 answered a ping" "$log"; then
		why="the guest's virtio-net did not reach the host's bridge (no 'net: 10.0.18.254 answered a ping')"
	elif ! grep -q "^kcore-run: signing $kernel with the development key" "$log"; then
		why="kcore-run did not sign the unsigned kernel"
	elif [ "$note" != "written by a protected VM, seed 77" ]; then
		why="the disk file's /kcore/note holds '$note'"
	fi
	verdict "one command: tools/kcore-run --host linux --vm image=...,disk=FILE,rng,net,cmdline=...: a protected Debian guest writes ext4 files to the user's disk file (the host's virtio-blk-pci, the VM's virtio-blk) and pings the host over its virtio-net on the host's bridge, exit 0, the file holds them" "$why" "$log"
}

no_kcore() {
	local rc why="" log=$logdir/linux-host-no-kcore.log
	timeout "$limit" qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 \
		-cpu cortex-a57 -smp 1 -m 1G -nographic -nic none -kernel "$kernel" -initrd "$initrd" \
		-append console=ttyAMA0 </dev/null 2>&1 | tr -d '\r' >"$log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 124 ]; then
		why="timeout after ${limit}s: $(tail -1 "$log")"
	elif [ "$rc" -ne 0 ]; then
		why="QEMU exit $rc: $(tail -1 "$log")"
	elif grep -qE 'Kernel panic|Oops|Internal error' "$log"; then
		why="$(grep -m1 -E 'Kernel panic|Oops|Internal error' "$log")"
	elif ! grep -q '\] kcore: no answer from kcore to KC_HC_VERSION (x0 = 0x[0-9a-f]*): not running under kcore$' "$log"; then
		why="no 'kcore: no answer from kcore to KC_HC_VERSION' line from the module"
	elif ! grep -q '^KCORE-HOST: kcore.ko: FAIL finit_module(/kcore.ko): No such device$' "$log"; then
		why="finit_module did not fail with ENODEV"
	elif grep -q '^KCORE-HOST: kcore.ko: kcore ABI' "$log"; then
		why="/dev/kcore answered without kcore"
	fi
	local desc="without kcore (Linux's own hyp stub at EL2), kcore.ko refuses to load: kcore did not answer, ENODEV, no oops"
	verdict "$desc" "$why" "$log"
}

# The shell (kcore.shell=1, make linux-host-shell): once init says the shell is
# coming, type as a user would: run the hello guest with kcore-vmm, print its
# exit status, exit. The guest's lines, the status 0 and the power-off must
# come out on the console.
shell() {
	local why="" log=$logdir/linux-host-shell.log rc
	: >"$log"
	(
		for _ in $(seq 1 "$limit"); do
			grep -q 'shell: (kcore-vmm --help for more' "$log" && break
			sleep 1
		done
		sleep 5 # the shell's prompt: busybox asks the terminal for its size first
		printf 'kcore-vmm --image /hello.signed --mem 16M\necho "vmm-exit=$?"\nexit\n'
		# QEMU's stdin stays open until the host is off (QEMU exits by itself then).
		for _ in $(seq 1 "$limit"); do
			grep -q '^kcore: scrub: ' "$log" && break
			sleep 1
		done
	) | timeout "$limit" qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,iommu=smmuv3 \
		-cpu max -smp 2 -m 1G -nographic -nic none -kernel "$img" \
		-device "guest-loader,addr=$kernel_addr,kernel=$kernel,bootargs=console=ttyAMA0 kcore.shell=1" \
		-device "guest-loader,addr=$initrd_addr,initrd=$initrd" 2>&1 | stdbuf -oL tr -d '\r' >>"$log"
	rc=${PIPESTATUS[1]}
	if [ "$rc" -eq 124 ]; then
		why="timeout after ${limit}s: $(tail -1 "$log")"
	elif [ "$rc" -ne 0 ]; then
		why="QEMU exit $rc: $(tail -1 "$log")"
	elif grep -qE 'Kernel panic|Oops|Internal error|FAIL' "$log"; then
		why="$(grep -m1 -E 'Kernel panic|Oops|Internal error|FAIL' "$log")"
	elif ! grep -q '^\[hello\] GUEST hello: PASS$' "$log"; then
		why="no '[hello] GUEST hello: PASS' line from kcore-vmm in the shell"
	elif ! grep -q '^kcore-vmm: VM hello powered off$' "$log"; then
		why="no 'kcore-vmm: VM hello powered off' line"
	elif ! grep -q '^vmm-exit=0$' "$log"; then
		why="kcore-vmm's exit status in the shell was not 0"
	elif ! grep -q '^KCORE-HOST: init: power off$' "$log" || ! grep -q '^kcore: scrub: ' "$log"; then
		why="the shell's exit did not power the host off through kcore's scrub"
	fi
	local desc="the host's shell (kcore.shell=1): kcore-vmm typed at its prompt runs the hello guest to PASS and exit status 0; exit powers off"
	verdict "$desc" "$why" "$log"
}

scenario 1
scenario 4 linux
user_vm
shell
no_kcore

echo "# qemu_linux_host: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
