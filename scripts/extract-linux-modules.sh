#!/usr/bin/env bash
# Takes Debian's own modules for the guest's virtio (docs/virtio.md) out of
# the kernel package scripts/fetch-linux.sh cached: the package of exactly the
# Image's release and version (LINUX_DIR/Image's banner, LINUX_DIR/VERSION),
# so they load into that kernel unmodified.
#
#   scripts/extract-linux-modules.sh LINUX_DIR OUTDIR NAME...
#
# Writes OUTDIR/NAME.ko for each NAME (a module's file name without .ko).
# Offline-safe: it only reads the cached .deb.
set -euo pipefail

prog=extract-linux-modules
die() {
	echo "$prog: error: $*" >&2
	exit 1
}
[ $# -ge 3 ] || die "usage: $0 LINUX_DIR OUTDIR NAME..."
linux_dir=$1
out=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/.deps/linux

[ -f "$linux_dir/Image" ] && [ -f "$linux_dir/VERSION" ] ||
	die "$linux_dir/Image or $linux_dir/VERSION missing (make linux-assets fetches them)"
release=$(grep -a -o -m1 'Linux version [^ ]* ' "$linux_dir/Image" | head -1 | awk '{ print $3 }') || true
[ -n "$release" ] || die "$linux_dir/Image has no 'Linux version RELEASE' banner"
ver=$(head -1 "$linux_dir/VERSION")
deb=$cache/linux-image-${release}_${ver//:/%3a}_arm64.deb
[ -f "$deb" ] || die "$deb not cached (scripts/fetch-linux.sh downloads it)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work" || die "cannot unpack $deb"
moddir=$work/lib/modules/$release/kernel
mkdir -p "$out"
for name in "$@"; do
	found=$(find "$moddir" -name "$name.ko" -print -quit)
	[ -n "$found" ] || die "$name.ko is not in $deb (built in, or renamed?)"
	# The modules must be for this kernel: a vermagic of another release would not load.
	grep -a -q "vermagic=$release " "$found" ||
		die "$name.ko's vermagic is not $release"
	cp "$found" "$out/$name.ko"
done
