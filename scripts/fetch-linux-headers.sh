#!/usr/bin/env bash
# Fetches the Kbuild headers of exactly the Debian kernel scripts/fetch-linux.sh
# made the Image of, so an out-of-tree module (kmod/, docs/linux-host.md "The
# module") can be built for it:
#
#   scripts/fetch-linux-headers.sh LINUX_DIR      (default: build/linux)
#
# The kernel release is read from the Image itself (its "Linux version
# RELEASE " banner: the release the booted kernel checks a module's vermagic
# against), the package version from LINUX_DIR/VERSION. For release
# 6.1.0-57-cloud-arm64 and version 6.1.192-3 it downloads, with
# `apt-get download`, pinned to that version:
#
#   linux-headers-6.1.0-57-cloud-arm64:arm64   the configured tree (.config, generated headers)
#   linux-headers-6.1.0-57-common              the kernel's headers and Makefiles (all)
#   linux-kbuild-6.1:amd64                     Kbuild's host programs (fixdep, modpost)
#
# into .deps/linux/ (ignored by git; a .deb already there is not downloaded
# again), unpacks them into .deps/linux-headers/RELEASE_VERSION/ and points
# the arm64 tree's Makefile at the unpacked common tree (Debian's says
# /usr/src/...). It checks what it got (release, compiler, Kbuild's programs)
# and writes LINUX_DIR/headers, a symbolic link to the tree to give
# `make -C`, and LINUX_DIR/headers.release, the release (one line).
#
# Needs the network once; offline, the cached .debs are used, and without
# them it stops with one line saying what is missing.
set -euo pipefail

prog=fetch-linux-headers
top=$(cd "$(dirname "$0")/.." && pwd)
linux_dir=${1:-$top/build/linux}
cache=$top/.deps/linux

say() { echo "$prog: $*" >&2; }
die() {
	echo "$prog: error: $*" >&2
	exit 1
}

for tool in apt-get apt-cache dpkg-deb sha256sum grep; do
	command -v "$tool" >/dev/null || die "'$tool' not found (this script needs Debian's apt and dpkg)"
done
[ -f "$linux_dir/Image" ] && [ -f "$linux_dir/VERSION" ] ||
	die "$linux_dir/Image or $linux_dir/VERSION missing (run scripts/fetch-linux.sh first: make linux-assets)"

# "Linux version 6.1.0-57-cloud-arm64 (debian-kernel@lists.debian.org) ..."
release=$(grep -a -o -m1 'Linux version [^ ]* ' "$linux_dir/Image" | head -1 | awk '{ print $3 }') || true
[ -n "$release" ] || die "$linux_dir/Image has no 'Linux version RELEASE' banner: cannot tell which headers it needs"
ver=$(head -1 "$linux_dir/VERSION")
# 6.1.0-57-cloud-arm64 -> abi 6.1.0-57, flavour cloud-arm64, Kbuild series 6.1.
case "$release" in
*-cloud-arm64) abi=${release%-cloud-arm64} ;;
*) die "kernel release '$release' is not a Debian cloud-arm64 kernel" ;;
esac
series=$(echo "$release" | cut -d. -f1-2)

arch_pkg=linux-headers-$release
common_pkg=linux-headers-$abi-common
kbuild_pkg=linux-kbuild-$series
say "kernel $release ($ver): $arch_pkg:arm64, $common_pkg, $kbuild_pkg:amd64"

mkdir -p "$cache" || die "cannot create $cache"
work=$(mktemp -d "$cache/.work.XXXXXX") || die "cannot create a temporary directory in $cache"
trap 'rm -rf "$work"' EXIT
export DEBIAN_FRONTEND=noninteractive

updated=0
# A failed download may only mean stale package lists: refresh them once (root only).
apt_update() {
	[ "$updated" -eq 0 ] && [ "$(id -u)" -eq 0 ] || return 1
	updated=1
	say "apt-get update"
	apt-get update -qq >"$work/update.log" 2>&1 || {
		say "'apt-get update' failed (offline?)"
		return 1
	}
}

# fetch PACKAGE ARCH: prints the cached .deb of PACKAGE=ver for ARCH, downloading it if absent.
fetch() {
	local pkg=$1 arch=$2 deb sha
	deb=$cache/${pkg}_${ver//:/%3a}_$arch.deb
	sha=$(apt-cache show "$pkg:$arch=$ver" 2>/dev/null | awk '/^SHA256:/ && !s { print $2; s = 1 }') || true
	if [ -f "$deb" ] && [ -n "$sha" ] && [ "$(sha256sum "$deb" | cut -d' ' -f1)" != "$sha" ]; then
		say "cached $(basename "$deb") does not match the archive's SHA-256: downloading it again"
		rm -f "$deb"
	fi
	if [ ! -f "$deb" ]; then
		say "downloading $pkg:$arch=$ver into $cache"
		get() { (cd "$work" && apt-get download -qq "$pkg:$arch=$ver") >"$work/download.log" 2>&1; }
		if ! get && ! { apt_update && get; }; then
			sed 's/^/    /' "$work/download.log" >&2
			die "cannot download $pkg:$arch=$ver and $cache has no copy (network? The headers must be the kernel's own version, $ver: if Debian's archive has moved on to a newer kernel, delete $linux_dir/Image and run make linux-assets again)"
		fi
		[ -f "$work/$(basename "$deb")" ] || die "apt-get download left no $(basename "$deb")"
		mv "$work/$(basename "$deb")" "$deb"
	fi
	[ "$(dpkg-deb -f "$deb" Package)" = "$pkg" ] && [ "$(dpkg-deb -f "$deb" Version)" = "$ver" ] ||
		die "$deb is not $pkg $ver (delete it and run again)"
	echo "$deb"
}

arch_deb=$(fetch "$arch_pkg" arm64)
common_deb=$(fetch "$common_pkg" all)
kbuild_deb=$(fetch "$kbuild_pkg" amd64)

mkdir -p "$top/.deps/linux-headers" || die "cannot create $top/.deps/linux-headers"
# The physical path: .deps may be a symbolic link shared by several checkouts,
# and the Makefile below names the common tree by an absolute path.
root=$(cd "$top/.deps/linux-headers" && pwd -P)/${release}_$ver
tree=$root/usr/src/linux-headers-$release
common_mk=$root/usr/src/linux-headers-$abi-common/Makefile
if [ -f "$root/.complete" ] && grep -qx "include $common_mk" "$tree/Makefile" 2>/dev/null; then
	say "using the unpacked $root"
else
	rm -rf "$root"
	mkdir -p "$work/root"
	for deb in "$arch_deb" "$common_deb" "$kbuild_deb"; do
		dpkg-deb -x "$deb" "$work/root" || die "cannot unpack $deb (delete it and run again)"
	done
	# Debian's arm64 Makefile includes the common tree by its installed path.
	mk=$work/root/usr/src/linux-headers-$release/Makefile
	grep -q "^include /usr/src/linux-headers-$abi-common/Makefile$" "$mk" ||
		die "$arch_pkg's Makefile does not include /usr/src/linux-headers-$abi-common/Makefile as expected"
	sed -i "s|^include /usr/src/linux-headers-$abi-common/Makefile$|include $common_mk|" "$mk"
	mv "$work/root" "$root"
	touch "$root/.complete"
fi

# ---- what we got ---------------------------------------------------------------
[ -f "$tree/.config" ] || die "$tree has no .config"
grep -q "^#define UTS_RELEASE \"$release\"$" "$tree/include/generated/utsrelease.h" 2>/dev/null ||
	die "$tree/include/generated/utsrelease.h does not say release $release"
for bin in scripts/basic/fixdep scripts/mod/modpost; do
	[ -x "$tree/$bin" ] || die "$tree/$bin missing (from $kbuild_pkg)"
done
"$tree/scripts/basic/fixdep" >/dev/null 2>&1 ||
	[ $? -eq 1 ] || die "$tree/scripts/basic/fixdep does not run on this machine (not an amd64 $kbuild_pkg?)"
# Debian's kernel was built with gcc-12; its Makefile calls $(CROSS_COMPILE)gcc-12.
cc_text=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$tree/.config")
case "$cc_text" in
"gcc-12 "*) command -v aarch64-linux-gnu-gcc-12 >/dev/null ||
	die "the kernel was built with '$cc_text'; install gcc-aarch64-linux-gnu (Debian's aarch64-linux-gnu-gcc-12)" ;;
*) die "the kernel was built with '$cc_text', not gcc-12: this script and kmod/ expect gcc-12" ;;
esac
grep -q '^CONFIG_MODULE_SIG_FORCE=y' "$tree/.config" &&
	die "$release forces module signatures: an unsigned kcore.ko cannot load"
say "$tree: $release, built with $cc_text"

ln -sfn "$tree" "$work/headers"
mv -T "$work/headers" "$linux_dir/headers"
printf '%s\n' "$release" >"$work/release"
mv "$work/release" "$linux_dir/headers.release"
