#!/usr/bin/env bash
# Fetches Debian's arm64 cloud kernel from Debian's package archive and makes
# an uncompressed arm64 Image of it (docs/guests.md, "Linux").
#
#   scripts/fetch-linux.sh [OUTDIR]      (default: build/linux)
#
# Resolves the meta package linux-image-cloud-arm64:arm64 to the real
# linux-image-<abi>-cloud-arm64 package it depends on, downloads that .deb with
# `apt-get download` into .deps/linux/ (ignored by git), takes boot/vmlinuz-*
# out of it with dpkg-deb, decompresses it and checks the arm64 Image magic.
# Writes OUTDIR/Image and OUTDIR/VERSION (the package's version, one line).
#
# Idempotent and offline-friendly: a .deb already in .deps/linux/ is not
# downloaded again (its SHA-256 is checked against the archive's index when
# apt knows the package); with no network, the newest cached .deb is used.
# Needs root only to add the arm64 architecture or to run `apt-get update`.
#
# KCORE_LINUX_DEB=path/to/linux-image-*.deb uses that package instead (a pinned
# or locally built kernel); apt is not consulted.
set -euo pipefail

prog=fetch-linux
meta=linux-image-cloud-arm64:arm64
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/linux}
cache=$top/.deps/linux

say() { echo "$prog: $*" >&2; }
die() {
	echo "$prog: error: $*" >&2
	exit 1
}

for tool in apt-get apt-cache dpkg dpkg-deb tar gzip od sha256sum; do
	command -v "$tool" >/dev/null || die "'$tool' not found (this script needs Debian's apt and dpkg)"
done

mkdir -p "$cache" "$out" || die "cannot create $cache or $out"
work=$(mktemp -d "$cache/.work.XXXXXX") || die "cannot create a temporary directory in $cache"
trap 'rm -rf "$work"' EXIT

export DEBIAN_FRONTEND=noninteractive
updated=0
apt_update() {
	[ "$updated" -eq 0 ] || return 1
	updated=1
	if [ "$(id -u)" -ne 0 ]; then
		say "apt's package lists need refreshing, but 'apt-get update' needs root: skipped"
		return 1
	fi
	say "apt-get update"
	apt-get update -qq >"$work/update.log" 2>&1 || {
		say "'apt-get update' failed (offline?):"
		sed 's/^/    /' "$work/update.log" >&2
		return 1
	}
}

# ---- which package: the meta package's candidate names the real one ----------
# Prints "PACKAGE VERSION SHA256", or nothing if apt does not know the meta package.
resolve() {
	local meta_ver pkg ver sha
	meta_ver=$(apt-cache policy "$meta" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }') || true
	[ -n "$meta_ver" ] && [ "$meta_ver" != "(none)" ] || return 0
	# "Depends: linux-image-6.1.0-56-cloud-arm64 (= 6.1.192-2)"
	pkg=$(apt-cache show "$meta=$meta_ver" 2>/dev/null | awk '
		/^Depends:/ && !done {
			sub(/^Depends:/, ""); n = split($0, d, ",")
			for (i = 1; i <= n; i++) {
				split(d[i], w, " ")
				if (w[1] ~ /^linux-image-.*-cloud-arm64$/) { print w[1]; break }
			}
			done = 1
		}') || true
	[ -n "$pkg" ] || return 0
	ver=$(apt-cache policy "$pkg:arm64" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }') || true
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || return 0
	sha=$(apt-cache show "$pkg:arm64=$ver" 2>/dev/null | awk '/^SHA256:/ && !s { print $2; s = 1 }') || true
	echo "$pkg $ver ${sha:-unknown}"
}

# The .deb file name apt-get download gives PACKAGE VERSION (an epoch's ':' as %3a).
deb_name() { echo "${1}_${2//:/%3a}_arm64.deb"; }

# The newest cached linux-image-*-cloud-arm64 .deb, or nothing.
newest_cached() {
	local f best="" best_ver="" v
	for f in "$cache"/linux-image-*-cloud-arm64_*_arm64.deb; do
		[ -f "$f" ] || continue
		v=$(dpkg-deb -f "$f" Version 2>/dev/null) || continue
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best_ver"; then
			best=$f best_ver=$v
		fi
	done
	[ -z "$best" ] || echo "$best"
}

# Sets deb: the .deb of the real package the meta package names, downloaded
# into the cache unless it is there already.
fetch_deb() {
	# The arm64 architecture, as scripts/install-deps.sh adds it.
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		[ "$(id -u)" -eq 0 ] ||
			die "dpkg does not know the arm64 architecture; run as root (or: sudo dpkg --add-architecture arm64 && sudo apt-get update)"
		say "dpkg --add-architecture arm64"
		dpkg --add-architecture arm64
		apt_update || true
	fi

	read -r pkg ver sha < <(resolve; echo) || true
	if [ -z "${pkg:-}" ]; then
		say "apt does not know $meta yet"
		if apt_update; then
			read -r pkg ver sha < <(resolve; echo) || true
		fi
	fi

	if [ -n "${pkg:-}" ]; then
		say "$meta is $pkg $ver"
		deb=$cache/$(deb_name "$pkg" "$ver")
		if [ -f "$deb" ] && [ "$sha" != unknown ] &&
			[ "$(sha256sum "$deb" | cut -d' ' -f1)" != "$sha" ]; then
			say "cached $(basename "$deb") does not match the archive's SHA-256: downloading it again"
			rm -f "$deb"
		fi
		if [ -f "$deb" ]; then
			say "using the cached $deb"
		else
			say "downloading $pkg:arm64=$ver into $cache"
			get() { (cd "$work" && apt-get download -qq "$pkg:arm64=$ver") >"$work/download.log" 2>&1; }
			# A failed download may only mean stale lists (the archive moved on): update once.
			if get || { apt_update && get; }; then
				[ -f "$work/$(deb_name "$pkg" "$ver")" ] ||
					die "apt-get download reported success but left no $(deb_name "$pkg" "$ver")"
				mv "$work/$(deb_name "$pkg" "$ver")" "$deb"
			else
				say "'apt-get download $pkg:arm64=$ver' failed:"
				sed 's/^/    /' "$work/download.log" >&2
				deb=""
			fi
		fi
	fi
	if [ -z "$deb" ]; then
		deb=$(newest_cached)
		[ -n "$deb" ] ||
			die "cannot get Debian's arm64 cloud kernel: apt cannot resolve or download $meta, and $cache holds no linux-image-*-cloud-arm64 .deb (network? try: apt-get update)"
		say "WARNING: using the newest cached kernel instead: $deb"
	fi
}

deb=""
if [ -n "${KCORE_LINUX_DEB:-}" ]; then
	[ -f "$KCORE_LINUX_DEB" ] || die "KCORE_LINUX_DEB=$KCORE_LINUX_DEB: no such file"
	deb=$KCORE_LINUX_DEB
	say "using KCORE_LINUX_DEB=$deb (not asking apt)"
else
	fetch_deb
fi

# ---- the kernel out of the package ------------------------------------------
if ! pkg=$(dpkg-deb -f "$deb" Package) || ! ver=$(dpkg-deb -f "$deb" Version); then
	die "$deb is not a readable .deb (delete it and run again)"
fi
# One pass over the package's data (about 100 MB of modules, xz-compressed).
mkdir "$work/deb"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/deb" --wildcards --no-anchored 'boot/vmlinuz-*' ||
	die "$deb: cannot extract boot/vmlinuz-* from it (not a kernel package, or damaged: delete it and run again)"
vmlinuz=""
for f in "$work"/deb/boot/vmlinuz-*; do
	[ -f "$f" ] && vmlinuz=boot/${f##*/boot/} && break
done
[ -n "$vmlinuz" ] || die "$deb has no boot/vmlinuz-* file"
src=$work/deb/$vmlinuz

# Four bytes at an offset, as hex: "41524d64".
hex4() { od -An -tx1 -j "$2" -N 4 "$1" | tr -d ' \n'; }
is_image() { [ "$(hex4 "$1" 56)" = 41524d64 ]; } # "ARM\x64"

img=$work/Image
magic=$(od -An -tx1 -N 2 "$src" | tr -d ' \n')
if is_image "$src"; then
	if [ "$magic" = 4d5a ]; then
		say "$vmlinuz is an uncompressed arm64 Image (with an EFI stub: an 'MZ' PE/COFF header, as Debian signs it)"
	else
		say "$vmlinuz is an uncompressed arm64 Image"
	fi
	cp "$src" "$img"
elif [ "$magic" = 1f8b ]; then
	say "$vmlinuz is gzip-compressed: decompressing"
	# Status 2 is a warning (trailing garbage, such as padding): the magic check decides.
	gzip -dc <"$src" >"$img" 2>"$work/zlog" || [ $? -eq 2 ] ||
		die "$vmlinuz: gzip cannot decompress it: $(cat "$work/zlog")"
elif [ "$magic" = 4d5a ] && [ "$(hex4 "$src" 4)" = 7a696d67 ]; then
	# EFI zboot ("MZ", "zimg"): a small EFI decompressor with the compressed
	# Image inside. Header: payload offset (le32 at 8), size (le32 at 12),
	# compression type (a string at 24).
	comp=$(dd if="$src" bs=1 skip=24 count=32 status=none | tr -d '\0')
	off=$(od -An -tu4 -j 8 -N 4 --endian=little "$src" | tr -d ' ')
	size=$(od -An -tu4 -j 12 -N 4 --endian=little "$src" | tr -d ' ')
	say "$vmlinuz is an EFI zboot image (an EFI application holding a $comp-compressed Image at $off, $size bytes), not an Image: extracting the Image from it"
	dd if="$src" of="$work/payload" bs=64K skip="$off" count="$size" iflag=skip_bytes,count_bytes \
		status=none || die "$vmlinuz: cannot read its zboot payload"
	[ "$(stat -c %s "$work/payload")" = "$size" ] ||
		die "$vmlinuz: its zboot header says the payload is $size bytes at $off, past the end of the file"
	case "$comp" in
	gzip) gzip -dc <"$work/payload" >"$img" 2>"$work/zlog" || [ $? -eq 2 ] ||
		die "$vmlinuz: gzip cannot decompress its zboot payload: $(cat "$work/zlog")" ;;
	zstd) command -v zstd >/dev/null || die "$vmlinuz: EFI zboot with zstd compression: install zstd"
		zstd -dqc <"$work/payload" >"$img" || die "$vmlinuz: zstd cannot decompress its zboot payload" ;;
	xz | lzma) xz -dc <"$work/payload" >"$img" || die "$vmlinuz: xz cannot decompress its zboot payload" ;;
	*) die "$vmlinuz: EFI zboot with compression '$comp', which this script does not handle" ;;
	esac
else
	die "$vmlinuz is neither an arm64 Image, gzip-compressed, nor EFI zboot (first bytes:$(od -An -tx1 -N 8 "$src"))"
fi
is_image "$img" ||
	die "the kernel from $vmlinuz has no arm64 Image magic \"ARM\\x64\" at offset 56 (got $(hex4 "$img" 56)): not an arm64 Image"

# Write both only when complete: make sees the Image only once it is whole.
printf '%s\n' "$ver" >"$work/VERSION"
mv "$work/VERSION" "$out/VERSION"
mv "$img" "$out/Image"
say "$pkg $ver: $out/Image ($(stat -c %s "$out/Image") bytes, from $(basename "$vmlinuz"))"
