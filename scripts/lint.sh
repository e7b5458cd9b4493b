#!/usr/bin/env bash
# make lint: clang-format, cppcheck, clang-tidy and gcc -fanalyzer over all of
# kcore's C, and the layer check of its includes (scripts/layers.py). Host
# code (core on the simulated machine, tools, tests) is checked
# with the host compiler; arch/aarch64, kserv with the EL1 library (el1/) and the guests (guests/, and the
# launcher's stand-in kcore in tests/launcher/, the benchmark guest bench/*.c) with the aarch64 flags they
# are built with (kernel modules, kmod/, tests/kmod-attack/ and guests/kcore-guest/, are Kbuild's:
# -Werror there); the Linux guest's init (guests/linux-init/) and the KVM
# benchmark's VMM and init (bench/vmm/), hosted aarch64 programs, with the
# cross glibc. Exits non-zero on the first tool that finds anything.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t all < <({ git ls-files '*.c' '*.h'; git ls-files --others --exclude-standard '*.c' '*.h'; } | sort -u)
mapfile -t host_c < <(printf '%s\n' "${all[@]}" | grep '\.c$' |
	grep -v -e '^arch/aarch64/' -e '^kmod/' -e '^tests/kmod-attack/' -e '^kserv/' -e '^el1/' -e '^tests/kserv/' -e '^guests/' -e '^tests/launcher/' -e '^bench/')
mapfile -t arch_c < <(printf '%s\n' "${all[@]}" | grep -e '^arch/aarch64/.*\.c$')
# kserv's test and attack drivers (tests/kserv/) are kserv code; vmm/ is host code (hosted C11).
mapfile -t kserv_c < <(printf '%s\n' "${all[@]}" | grep -e '^kserv/.*\.c$' -e '^el1/.*\.c$' -e '^tests/kserv/.*\.c$')
mapfile -t guest_c < <(printf '%s\n' "${all[@]}" | grep -e '^guests/.*\.c$' -e '^tests/launcher/.*\.c$' -e '^bench/[^/]*\.c$' |
	grep -v -e '^guests/linux-init/' -e '^guests/host-init/' -e '^guests/kcore-guest/')
# The inits of Debian's kernel, as a guest and as kcore's host: hosted, against glibc.
mapfile -t linux_init_c < <(printf '%s\n' "${all[@]}" | grep -e '^guests/linux-init/.*\.c$' -e '^guests/host-init/.*\.c$')
mapfile -t vmm_c < <(printf '%s\n' "${all[@]}" | grep -e '^bench/vmm/.*\.c$')

host_flags=(-std=c11 -DKCORE_DEBUG -D_DEFAULT_SOURCE -DKCORE_SCHED_POINTS -DKCORE_LOCK_CHECK -Iinclude -I. -Iarch/sim/include)
read -r -a arch_flags <<<"$(make -s --no-print-directory print-ARCH_CFLAGS)"
read -r -a kserv_flags <<<"$(make -s --no-print-directory print-KSERV_CFLAGS)"
guest_cflags=$(make -s --no-print-directory print-GUEST_CFLAGS)
# Until the top Makefile includes guests/guests.mk, read the flags from it directly.
[ -n "$guest_cflags" ] ||
	guest_cflags=$(make -s --no-print-directory -f Makefile -f guests/guests.mk print-GUEST_CFLAGS)
read -r -a guest_flags <<<"$guest_cflags -I. -Iguests"
# Without -MMD -MP: with -o /dev/null they would write /dev/null.d.
read -r -a linux_init_flags <<<"$(make -s --no-print-directory print-LINUX_INIT_CFLAGS | sed 's/ -MMD -MP//')"
read -r -a vmm_flags <<<"$(make -s --no-print-directory print-BENCH_VMM_CFLAGS | sed 's/ -MMD -MP//') -isystem $(make -s --no-print-directory print-BENCH_FDT_INC)"
# clang-tidy parses the aarch64 code as clang would; only the include paths
# and defines of the gcc flags matter to it.
# -isystem takes a separate argument: keep pairs together.
cross_tidy_args() {
	local out=() prev=""
	for a in "$@"; do
		if [ "$prev" = "-isystem" ]; then
			# gcc's own headers (stdatomic.h) are not clang's: let clang use its own.
			case "$a" in */gcc*) ;; *) out+=(-isystem "$a") ;; esac
			prev=""
			continue
		fi
		case "$a" in -isystem) prev=$a ;; -I* | -D* | -std=*) out+=("$a") ;; esac
	done
	printf '%s\n' "${out[@]}"
}
mapfile -t arch_tidy < <(cross_tidy_args "${arch_flags[@]}")
mapfile -t kserv_tidy < <(cross_tidy_args "${kserv_flags[@]}")
mapfile -t guest_tidy < <(cross_tidy_args "${guest_flags[@]}")
mapfile -t vmm_tidy < <(cross_tidy_args "${vmm_flags[@]}")

echo "lint: core/mem rules (page_info written only in core/mem, mem_lock tokens only from mem_lock, VM locks only through vm_lock)"
bash scripts/check_mem_rules.sh

echo "lint: clang-format"
clang-format --dry-run -Werror "${all[@]}"

# Includes go only down the layers (docs/design.md, "Layers"; rules in scripts/layers.conf).
echo "lint: layers"
python3 scripts/layers.py

echo "lint: cppcheck"
cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	--std=c11 --inline-suppr --suppress=missingIncludeSystem \
	--library=scripts/cppcheck-kcore.cfg -D__CPPCHECK__ -DKCORE_DEBUG -D_DEFAULT_SOURCE -DKCORE_SCHED_POINTS -DKCORE_LOCK_CHECK \
	-Iinclude -I. -Iarch/sim/include -Itests/kmod-attack -Iguests/linux-init -Ibench/vmm "${host_c[@]}" "${arch_c[@]}" "${kserv_c[@]}" "${guest_c[@]}" "${linux_init_c[@]}" \
	"${vmm_c[@]}"

echo "lint: clang-tidy"
# One file per run: clang-tidy 14 reports false "uninitialized va_list" errors
# when it analyses several translation units in one process.
tidy() { # file, then compiler arguments
	local f=$1 out
	shift
	out=$(clang-tidy --quiet "$f" -- "$@" 2>/dev/null | grep -E '(warning|error):' || true)
	if [ -n "$out" ]; then
		echo "$out"
		return 1
	fi
}
status=0
for f in "${host_c[@]}"; do tidy "$f" "${host_flags[@]}" || status=1; done
for f in "${arch_c[@]}"; do tidy "$f" --target=aarch64-linux-gnu -ffreestanding "${arch_tidy[@]}" || status=1; done
for f in "${kserv_c[@]}"; do tidy "$f" --target=aarch64-linux-gnu -ffreestanding "${kserv_tidy[@]}" || status=1; done
for f in "${guest_c[@]}"; do tidy "$f" --target=aarch64-linux-gnu -ffreestanding "${guest_tidy[@]}" || status=1; done
for f in "${linux_init_c[@]}"; do tidy "$f" --target=aarch64-linux-gnu -std=gnu11 -Iinclude -Itests/kmod-attack -Iguests/linux-init -Ibench/vmm || status=1; done
for f in "${vmm_c[@]}"; do tidy "$f" --target=aarch64-linux-gnu "${vmm_tidy[@]}" || status=1; done
[ "$status" -eq 0 ] || { echo "lint: clang-tidy found problems"; exit 1; }

echo "lint: gcc -fanalyzer"
# The analyzer runs when code is generated, so compile (to nowhere), not just parse.
for f in "${host_c[@]}"; do
	gcc -fanalyzer -Werror -Wall -Wextra "${host_flags[@]}" -c "$f" -o /dev/null
done
for f in "${arch_c[@]}"; do
	aarch64-linux-gnu-gcc -fanalyzer "${arch_flags[@]}" -c "$f" -o /dev/null
done
for f in "${kserv_c[@]}"; do
	aarch64-linux-gnu-gcc -fanalyzer "${kserv_flags[@]}" -c "$f" -o /dev/null
done
for f in "${guest_c[@]}"; do
	aarch64-linux-gnu-gcc -fanalyzer "${guest_flags[@]}" -c "$f" -o /dev/null
done
for f in "${linux_init_c[@]}"; do
	aarch64-linux-gnu-gcc -fanalyzer "${linux_init_flags[@]}" -Itests/kmod-attack -Iguests/linux-init -Ibench/vmm -c "$f" -o /dev/null
done
for f in "${vmm_c[@]}"; do
	aarch64-linux-gnu-gcc -fanalyzer "${vmm_flags[@]}" -c "$f" -o /dev/null
done
echo "lint: clean"
