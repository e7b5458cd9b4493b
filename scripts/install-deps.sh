#!/usr/bin/env bash
# Installs, from Debian's package archive only, everything kcore's build and tests
# need that a fresh machine lacks. Idempotent: does nothing when all is present.
set -euo pipefail

need_arm64=0
dpkg --print-foreign-architectures | grep -qx arm64 || need_arm64=1

pkgs=(
  make gcc gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
  qemu-system-arm
  libbearssl-dev libbearssl-dev:arm64
  libfdt-dev device-tree-compiler
  libcmocka-dev
  clang libclang-rt-14-dev
  gcovr cppcheck clang-tidy clang-format
  openssl
  e2fsprogs # mke2fs: the virtio disk test's ext4 image (docs/virtio.md)
  gnuplot-nox # make bench: the chart (docs/bench)
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# libfdt-dev is not Multi-Arch: same, so the arm64 copy cannot be installed beside the
# amd64 one. Its static library and headers are unpacked from Debian's own package into
# .deps/arm64 (ignored by git) instead; nothing is vendored into the tree.
top=$(cd "$(dirname "$0")/.." && pwd)
arm64_fdt="$top/.deps/arm64/usr/lib/aarch64-linux-gnu/libfdt.a"

if [ "${#missing[@]}" -eq 0 ] && [ -f "$arm64_fdt" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or with sudo) to install them" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ "$need_arm64" -eq 1 ]; then
  dpkg --add-architecture arm64
fi
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "install-deps: installed ${missing[*]}"
fi

if [ ! -f "$arm64_fdt" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq libfdt-dev:arm64 >/dev/null 2>&1) || {
    apt-get update -qq
    (cd "$tmp" && apt-get download -qq libfdt-dev:arm64)
  }
  mkdir -p "$top/.deps/arm64"
  dpkg -x "$tmp"/libfdt-dev_*_arm64.deb "$top/.deps/arm64"
  rm -rf "$tmp"
  echo "install-deps: unpacked libfdt-dev:arm64 into .deps/arm64"
fi
