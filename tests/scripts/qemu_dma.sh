#!/usr/bin/env bash
# DMA isolation on QEMU (issue 8): kcore drives the SMMUv3 of QEMU's virt
# machine, and QEMU's edu device DMAs for kserv (docs/kserv.md, "dma"). Each
# scenario is a fresh boot through tests/qemu/run-scenario.sh, decided from
# the serial output: every line below must be there, none of the forbidden
# ones may be, and kserv's own count of checks must come out exactly. The
# refused writes at kcore's memory are checked through QEMU's monitor once
# kserv is done (-p). DMA against a running VM (the secret guest) is in
# qemu_guests.sh, "secret-attacks". Prints one "ok - ..." or "not ok - ..."
# line per scenario; exits 0 only if all passed. Logs: BUILD/qemu-logs/.
#
# usage: tests/scripts/qemu_dma.sh [BUILD_DIR]   (default: build)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
build=${1:-build}
img="$build/kcore.img"

pass=0
fail=0

# shellcheck source=tests/qemu/scenario-lib.sh
. tests/qemu/scenario-lib.sh

sid='stream 0x8'
faults='[1-9][0-9]* faults, the first'
forbid=(-f ': FAILED$' -f 'NOT REFUSED' -f 'CHANGED' -f 'SUCCEEDED')

scenario "kcore takes the SMMU at boot: every stream blocked before the host runs" \
	smmu-boot -s 1 -a "check" \
	-e '^kcore: SMMUv3 at [0-9a-f]+: 256 streams blocked, stage-1 IO tables, 128-entry event queue$' \
	-e '^INVARIANTS: OK$' -e '^KSERV: DONE$'

scenario "edu DMAs through the host's domain (data checked); into an unmapped page, kcore's memory (poison-checked), through a detached stream or a VM's domain it is refused, targets intact, faults reported; a VM that shares nothing gets nothing into its domain (the consentless IO domain: its page at its IPA refused, edu reads and writes nothing of it)" \
	dma-edu -d -p -s 2 -a "dma;check" "${forbid[@]}" \
	-e '^DMA: edu at 00:01\.0, stream 0x8, BAR0 at 0x[0-9a-f]+$' \
	-e "^DMA: the host's own pages through its domain, byte for byte \\(2048 bytes, .*\\): ok\$" \
	-e "^DMA: the invariant checker with edu attached \\(the SMMU's entries read back\\) \\(KCORE_OK, 0 violations\\): ok\$" \
	-e "^DMA-ATTACK: edu writes a host page after its unmap \\($faults F_TRANSLATION, $sid, address 0x101000, write\\): refused, target intact\$" \
	-e "^DMA: map kcore's page 0x[0-9a-f]+ into the host's domain \\(KCORE_E_PERM, documented KCORE_E_PERM\\): ok\$" \
	-e "^attack: cpu 0: write 0x[0-9a-f]+ \\(kcore's memory, by DMA at IOVA = PA\\)\$" \
	-e "^DMA-ATTACK: edu writes kcore's page (0x[0-9a-f]+) \\(IOVA = its PA\\) \\($faults F_TRANSLATION, $sid, address \\1, write\\): refused\$" \
	-e "^DMA-ATTACK: edu reads kcore's page (0x[0-9a-f]+) \\(IOVA = its PA\\) \\($faults F_TRANSLATION, $sid, address \\1, read\\): refused, nothing read\$" \
	-e "^DMA-ATTACK: edu writes a mapped host page after its stream was detached \\($faults C_BAD_STE, $sid, address 0x0, no address\\): refused, target intact\$" \
	-e "^DMA: map the VM's page into the host's domain \\(KCORE_E_PERM, documented KCORE_E_PERM\\): ok\$" \
	-e "^DMA: map a host page into the VM's domain \\(KCORE_E_PERM, documented KCORE_E_PERM\\): ok\$" \
	-e "^DMA: map the VM's page into its domain at another IPA \\(KCORE_E_PERM, documented KCORE_E_PERM\\): ok\$" \
	-e "^DMA: map the VM's page, never shared, into its domain at its IPA \\(KCORE_E_PERM, documented KCORE_E_PERM\\): ok\$" \
	-e "^DMA-ATTACK: edu in the VM's domain writes the VM's page at its IPA \\(never shared\\) \\($faults F_TRANSLATION, $sid, address 0x80000000, write\\): refused\$" \
	-e "^DMA-ATTACK: edu in the VM's domain writes a host page \\(IOVA = its PA\\) \\($faults F_TRANSLATION, $sid, address 0x[0-9a-f]+, write\\): refused, target intact\$" \
	-e "^DMA-ATTACK: edu in the VM's domain reads the VM's page at its IPA \\(never shared\\) \\($faults F_TRANSLATION, $sid, address 0x80000000, read\\): refused, nothing read\$" \
	-e "^DMA: detach edu after its VM powered off \\(kcore did already\\) \\(KCORE_E_NOENT, documented KCORE_E_NOENT\\): ok\$" \
	-e "^DMA-ATTACK: edu writes the powered-off VM's page \\($faults C_BAD_STE, $sid, address 0x0, no address\\): refused\$" \
	-e '^DMA: 19 checks, 0 failed, 0 setup calls failed$' -e '^DMA: OK$' \
	-e '^INVARIANTS: OK$' -e '^KSERV: DONE$'

# The same command without the device must fail, and say why: the scenario above can fail.
scenario "without edu the dma command finds no device and fails" \
	dma-no-edu -s 1 -a "dma" -e '^DMA: no edu device on PCI bus 0 \(QEMU: -device edu\)$' \
	-e '^DMA: FAILED$' -e '^kserv: 1 commands run, 1 reported a failure$' -e '^KSERV: DONE$'

echo "# qemu_dma: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
