#!/usr/bin/env bash
# Runs every test kcore has and ends with one line: "N passed, M failed".
#   - each cmocka binary under BUILD/host/tests/unit (and its ASan/UBSan twin
#     under BUILD/asan), counting the tests cmocka reports;
#   - each script under tests/scripts, counting its "ok"/"not ok" lines.
set -u
build=${1:-build}
passed=0
failed=0
failures=()

count_cmocka() { # $1 = label, $2 = binary
	local out rc p f
	out=$("$2" 2>&1)
	rc=$?
	p=$(grep -c '^\[       OK \]' <<<"$out")
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below.*/\1/p' <<<"$out" | head -1)
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed or exited early without cmocka's report: count it as one failure
		f=1
		failures+=("$1: exited with status $rc")
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	printf '%-40s %4d passed, %d failed\n' "$1" "$p" "$f"
	if [ "$f" -gt 0 ]; then
		grep -E '^\[  FAILED  \] [^0-9]|^\[  ERROR   \]|[Ff]ail|error' <<<"$out" | head -20 | sed 's/^/    /'
	fi
}

for variant in host asan; do
	for bin in "$build/$variant"/tests/unit/test_*; do
		[ -x "$bin" ] || continue
		case "$bin" in *.o | *.d) continue ;; esac
		count_cmocka "$variant/$(basename "$bin")" "$bin"
	done
done

for script in tests/scripts/*.sh; do
	[ -f "$script" ] || continue
	out=$(bash "$script" "$build" 2>&1)
	rc=$?
	p=$(grep -c '^ok ' <<<"$out")
	f=$(grep -c '^not ok ' <<<"$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	printf '%-40s %4d passed, %d failed\n' "scripts/$(basename "$script")" "$p" "$f"
	case "$script" in
	*/qemu_* | */fuzz.sh | */model.sh) grep -E '^(not )?ok ' <<<"$out" | sed 's/^/    /' ;; # one line per QEMU scenario
	*) [ "$f" -gt 0 ] && grep '^not ok ' <<<"$out" | head -20 | sed 's/^/    /' ;;
	esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
