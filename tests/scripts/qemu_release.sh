#!/usr/bin/env bash
# The release image (BUILD/release/kcore.img: the Makefile builds it without
# KCORE_DEBUG) has no debug door: on QEMU, kserv's end-of-run invariant check
# gets KCORE_E_NOT_SUPPORTED for KC_HC_CHECK_INVARIANTS, and a normal guest
# still verifies, runs and powers off. The same run on the debug image
# (BUILD/kcore.img, which every other test uses) must get the checker's
# verdict, so the difference comes from the image. A static check first: no
# symbol of the checker is linked into the release ELF. Prints one
# "ok - ..." or "not ok - ..." line per check; exits 0 only if all passed.
# Logs: BUILD/qemu-logs/release-*.log.
#
# usage: tests/scripts/qemu_release.sh [BUILD_DIR]   (default: build)
set -u

# shellcheck source=tests/qemu/preamble.sh
. "$(dirname "$0")/../qemu/preamble.sh" release 60 "$@"

forbid_always=('^kcore: PANIC' '^kserv: abort: unexpected' '^\[[^]]*\] .*FAIL')
# shellcheck source=tests/qemu/kcore-run-scenario.sh
. tests/qemu/kcore-run-scenario.sh

rel_elf=$build/release/kcore.elf
why=""
if [ ! -f "$rel_elf" ]; then
	why="$rel_elf missing (make)"
elif ! syms=$(aarch64-linux-gnu-nm "$rel_elf" 2>&1); then
	why="nm failed: $syms"
elif grep -qE ' (kcore_check_invariants|check_smmu_hw|check_violation)$' <<<"$syms"; then
	why="the release ELF links the checker: $(grep -E ' (kcore_check_invariants|check_smmu_hw|check_violation)$' <<<"$syms" | head -1)"
elif ! grep -q ' host_hvc_dispatch$' <<<"$syms"; then
	why="no host_hvc_dispatch in $rel_elf: not a kcore ELF?"
fi
result "the release ELF links no invariant checker" "$why"

hello=(--cpus 1 --vm "image=$g/hello.signed")
no_call='^INVARIANTS: not checked: KC_HC_CHECK_INVARIANTS returned KCORE_E_NOT_SUPPORTED \(-[0-9]+\)$'

run_scenario release-hello 0 -e "$no_call" -e '^\[hello\] .*PASS' -f '^INVARIANTS: OK$' \
	-s '^kcore-run: every VM ended as expected: hello powered off$' \
	-- --kcore "$build/release/kcore.img" "${hello[@]}"
result "release image: KC_HC_CHECK_INVARIANTS is NOT_SUPPORTED, the hello guest verifies, runs and powers off" \
	"${scenario_why:+$scenario_why (log: $scenario_log)}"

run_scenario release-debug-hello 0 -e '^INVARIANTS: OK$' -e '^\[hello\] .*PASS' -f 'NOT_SUPPORTED' \
	-- --kcore "$build/kcore.img" "${hello[@]}"
result "debug image, same run: the invariant checker answers (INVARIANTS: OK)" \
	"${scenario_why:+$scenario_why (log: $scenario_log)}"

echo "# qemu_release: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
