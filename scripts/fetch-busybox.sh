#!/usr/bin/env bash
# scripts/fetch-busybox.sh OUT: Debian's statically linked arm64 busybox
# (package busybox-static:arm64) as OUT, for the Linux host's shell
# (docs/linux-host.md, "A shell in the host"). The .deb is cached in
# .deps/linux/ beside the kernel's and checked against the archive's SHA-256
# when apt knows it; offline, the newest cached one is used. One line on
# stderr says why when neither works.
set -euo pipefail

prog=fetch-busybox
pkg=busybox-static
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: scripts/fetch-busybox.sh OUT}
cache=$top/.deps/linux

die() {
	echo "$prog: error: $*" >&2
	exit 1
}

for tool in apt-get apt-cache dpkg-deb sha256sum; do
	command -v "$tool" >/dev/null || die "'$tool' not found (this script needs Debian's apt and dpkg)"
done
mkdir -p "$cache" "$(dirname "$out")"
work=$(mktemp -d "$cache/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

candidate() { apt-cache policy "$pkg:arm64" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }'; }
ver=$(candidate || true)
if { [ -z "$ver" ] || [ "$ver" = "(none)" ]; } && [ "$(id -u)" -eq 0 ]; then
	apt-get update -qq >/dev/null 2>&1 || true
	ver=$(candidate || true)
fi
deb=""
if [ -n "$ver" ] && [ "$ver" != "(none)" ]; then
	sha=$(apt-cache show "$pkg:arm64=$ver" 2>/dev/null | awk '/^SHA256:/ && !s { print $2; s = 1 }' || true)
	deb=$cache/${pkg}_${ver//:/%3a}_arm64.deb
	if [ -f "$deb" ] && [ -n "$sha" ] && [ "$(sha256sum "$deb" | cut -d' ' -f1)" != "$sha" ]; then
		rm -f "$deb" # not the archive's: fetched again
	fi
	if [ ! -f "$deb" ]; then
		if (cd "$work" && apt-get download -qq "$pkg:arm64=$ver") >"$work/log" 2>&1; then
			mv "$work"/${pkg}_*_arm64.deb "$deb"
		else
			deb=""
		fi
	fi
fi
if [ -z "$deb" ]; then
	deb=$(ls -t "$cache"/${pkg}_*_arm64.deb 2>/dev/null | head -1 || true)
	[ -n "$deb" ] || die "cannot get $pkg:arm64 (apt cannot resolve or download it, and $cache holds none; network? try: apt-get update)"
fi
dpkg-deb -x "$deb" "$work/x"
[ -f "$work/x/bin/busybox" ] || die "$deb holds no bin/busybox"
cp "$work/x/bin/busybox" "$out.tmp"
mv "$out.tmp" "$out"
