#!/usr/bin/env bash
# Checks that a kernel module was built for the kernel that will load it:
#
#   scripts/check-vermagic.sh MODULE.ko RELEASE
#
# reads the module's .modinfo section (NUL-separated key=value strings, as
# modinfo(8) does) and fails unless its vermagic's first word is RELEASE and it
# has a license. Prints the vermagic on success.
set -euo pipefail

prog=check-vermagic
die() {
	echo "$prog: error: $*" >&2
	exit 1
}
[ $# -eq 2 ] || die "usage: $prog MODULE.ko RELEASE"
ko=$1 release=$2
objcopy=${CROSS:-aarch64-linux-gnu-}objcopy
command -v "$objcopy" >/dev/null || die "'$objcopy' not found (binutils-aarch64-linux-gnu)"
[ -f "$ko" ] || die "$ko: no such file"

info=$("$objcopy" -O binary --only-section=.modinfo "$ko" /dev/stdout | tr '\0' '\n') ||
	die "$ko: cannot read its .modinfo section"
vermagic=$(printf '%s\n' "$info" | sed -n 's/^vermagic=//p' | head -1)
[ -n "$vermagic" ] || die "$ko has no vermagic in .modinfo"
[ "${vermagic%% *}" = "$release" ] ||
	die "$ko was built for '${vermagic%% *}' (vermagic '$vermagic'), but the kernel is $release"
printf '%s\n' "$info" | grep -q '^license=' || die "$ko has no MODULE_LICENSE"
echo "$ko: vermagic $vermagic"
