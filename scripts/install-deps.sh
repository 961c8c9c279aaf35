#!/usr/bin/env bash
# Installs what extwd needs from Debian, and nothing when it is all there.
# Safe to run any number of times. Uses sudo when not root.
set -euo pipefail

# Everything the build, the tests and the benchmarks use.
PACKAGES=(
  make cmake pkg-config gcc g++ clang libclang-rt-14-dev llvm
  gcc-avr avr-libc binutils-avr
  simavr libsimavr-dev libelf-dev
  libcmocka-dev valgrind
  gcc-xtensa-lx106
  libmosquitto-dev mosquitto mosquitto-clients openssl
  i2c-tools
)
# Large toolchains whose recommends pull in gigabytes; and the kernel test's
# Debian kernel, its headers, qemu (whose recommends are a desktop's worth),
# busybox for the guest, dtc for the overlay, cpio for the initramfs.
PACKAGES_NO_RECOMMENDS=(gcc-arm-none-eabi libnewlib-arm-none-eabi
  linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static
  device-tree-compiler cpio)

missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Debian installs the kernel image readable by root only; the kernel test
# boots it in qemu, so make it readable (when not root, with sudo).
readable_kernels() {
  local img
  for img in /boot/vmlinuz-*; do
    if [ -e "$img" ] && [ ! -r "$img" ]; then $SUDO chmod a+r "$img"; fi
  done
}

need=$(missing "${PACKAGES[@]}")
need_nr=$(missing "${PACKAGES_NO_RECOMMENDS[@]}")
if [ -z "$need" ] && [ -z "$need_nr" ]; then
  readable_kernels
  exit 0
fi

echo "install-deps: installing:" $need $need_nr
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if [ -n "$need" ]; then
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq $need >/dev/null
fi
if [ -n "$need_nr" ]; then
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $need_nr >/dev/null
fi
readable_kernels
# The broker is started by the tests themselves, on loopback, never as a service.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
  $SUDO systemctl stop mosquitto || true
fi
echo "install-deps: done"
