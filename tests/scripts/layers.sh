#!/usr/bin/env bash
# The layer check (scripts/layers.py, scripts/layers.conf): the tree passes,
# and small trees that break each rule fail with the violation named.
set -u
cd "$(dirname "$0")/../.."

out=$(python3 scripts/layers.py 2>&1)
if [ $? -eq 0 ]; then
	echo "ok - layers: the tree's includes go only down"
else
	echo "not ok - layers: the tree breaks the layer rules"
	sed 's/^/    /' <<<"$out"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A minimal tree: lib (0) < vm (3) < two services (4) < trap (6), an arch.
mktree() {
	rm -rf "$tmp/t" && mkdir -p "$tmp/t"/core/{lib,vm,boot,run,trap} "$tmp/t/arch/x"
	cat >"$tmp/t/layers.conf" <<-'CONF'
		layer   core/lib/   0
		layer   core/vm/    3
		service core/boot/  4
		service core/run/   4
		layer   core/trap/  6
		shared  core/kcore.h
		restrict arch/x/    core/kcore.h core/lib/
		cycles  core/
	CONF
	touch "$tmp/t"/core/{kcore.h,lib/lib.h,vm/vm.h,boot/boot.h,run/run.h,trap/trap.c}
	printf '#include "core/lib/lib.h"\n#include "core/kcore.h"\n' >"$tmp/t/core/vm/vm.c"
	printf '#include "core/vm/vm.h"\n#include "boot.h"\n' >"$tmp/t/core/boot/boot.c"
	printf '#include "core/boot/boot.h"\n#include "core/run/run.h"\n' >"$tmp/t/core/trap/trap.c"
	printf '#include "core/kcore.h"\n#include "core/lib/lib.h"\n' >"$tmp/t/arch/x/a.c"
}

# $1 = what, $2 = the file to append to, $3 = its line, $4 = what the report must say
expect_fail() {
	local got
	mktree
	printf '%s\n' "$3" >>"$tmp/t/$2"
	got=$(python3 scripts/layers.py --root "$tmp/t" --config "$tmp/t/layers.conf" 2>&1)
	if [ $? -ne 0 ] && grep -q -- "$4" <<<"$got"; then
		echo "ok - layers: catches $1"
	else
		echo "not ok - layers: does not catch $1"
		sed 's/^/    /' <<<"$got"
	fi
}

mktree
if python3 scripts/layers.py --root "$tmp/t" --config "$tmp/t/layers.conf" >/dev/null 2>&1; then
	echo "ok - layers: a tree that keeps the rules passes"
else
	echo "not ok - layers: a tree that keeps the rules fails"
fi
expect_fail "an upward include" core/lib/lib.h '#include "core/vm/vm.h"' 'upward: core/lib/ (layer 0)'
expect_fail "a service including another" core/run/run.h '#include "core/boot/boot.h"' \
	'across: services core/run/ and core/boot/'
expect_fail "an arch reaching into the core" arch/x/a.c '#include "core/vm/vm.h"' \
	'arch/x/ may include only'
# Both a -> b and b -> a, let through by exceptions: still a cycle.
mktree
printf '#include "core/run/run.h"\n' >>"$tmp/t/core/boot/boot.h"
printf '#include "core/boot/boot.h"\n' >>"$tmp/t/core/run/run.h"
printf 'allow core/boot/ core/run/ test\nallow core/run/ core/boot/ test\n' >>"$tmp/t/layers.conf"
got=$(python3 scripts/layers.py --root "$tmp/t" --config "$tmp/t/layers.conf" 2>&1)
if [ $? -ne 0 ] && grep -q 'include cycle among files: core/boot/boot.h -> core/run/run.h' <<<"$got"; then
	echo "ok - layers: catches an include cycle"
else
	echo "not ok - layers: does not catch an include cycle"
	sed 's/^/    /' <<<"$got"
fi
expect_fail "an exception no longer needed" layers.conf 'allow core/trap/ core/lib/ gone' \
	'is no longer needed'
