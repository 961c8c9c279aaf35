#!/usr/bin/env bash
# The in-kernel test of extwd_wdt (ctest: kernel.watchdog).
#
#   kernel/test/run.sh BUILD_DIR
#
# Builds extwd_wdt.ko and extwd_chipsim.ko (the real chip core in an I2C
# adapter) against the headers of the installed Debian kernel, compiles the
# Raspberry Pi overlay with dtc, builds wdtest statically, packs them with
# busybox into an initramfs and boots that kernel in qemu-system-x86_64.
# Passes when the guest prints "WDTEST PASS". Exits 77 (ctest: skipped) only
# when qemu cannot run at all on this machine.
# SPDX-License-Identifier: MIT
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kdir=$(dirname "$here")
root=$(dirname "$kdir")
out=${1:?usage: run.sh BUILD_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

fail() { echo "kernel test: $*" >&2; exit 1; }

if ! command -v qemu-system-x86_64 >/dev/null || ! qemu-system-x86_64 -version >/dev/null 2>&1; then
  echo "kernel test: SKIPPED: qemu-system-x86_64 cannot run on this machine (scripts/install-deps.sh installs it)"
  exit 77
fi

# The target kernel is the newest installed linux-image whose headers are
# installed too, not the build machine's running kernel.
kver=""
for img in $(ls /boot/vmlinuz-* 2>/dev/null | sort -V -r); do
  v=${img#/boot/vmlinuz-}
  if [ -d "/lib/modules/$v/build" ]; then kver=$v; break; fi
done
[ -n "$kver" ] || fail "no /boot/vmlinuz-* with matching headers in /lib/modules/*/build (install linux-image-amd64 and linux-headers-amd64: scripts/install-deps.sh)"
vmlinuz=/boot/vmlinuz-$kver
[ -r "$vmlinuz" ] || fail "$vmlinuz is not readable (Debian installs it root-only; run as root or chmod a+r it)"
moddir=/lib/modules/$kver/kernel/drivers
for m in watchdog/watchdog.ko i2c/i2c-dev.ko; do
  [ -r "$moddir/$m" ] || fail "$moddir/$m missing (module not in this kernel?)"
done
echo "kernel test: target kernel $kver"

unset CC CFLAGS LDFLAGS
# The driver is built as DKMS would build it: `make dkms-source` makes the
# self-contained source tree, and dkms.conf's MAKE[0] runs in the build
# folder DKMS would use.
# The build folders are kept between runs, so Kbuild rebuilds only what
# changed (the copy keeps the sources' times).
dkms_tree=$out/dkms
eval "$(grep -E '^PACKAGE_(NAME|VERSION)=' "$kdir/dkms.conf")"
drv=$dkms_tree/$PACKAGE_NAME/$PACKAGE_VERSION/build
make -s -C "$kdir" dkms-source DKMS_DIR="$drv" || fail "make dkms-source failed"
dkms_make=$(kernel_source_dir=/lib/modules/$kver/build dkms_tree=$dkms_tree bash -c \
  "source '$kdir/dkms.conf'; echo \"\${MAKE[0]}\"")
# The test adapter: a link farm, so its objects land in the build folder and
# the chip core and the stock model are compiled where they are, never copied.
sim=$out/sim
mkdir -p "$sim"
ln -sf "$here/Kbuild" "$here/chipsim.c" "$here/core_prelude.h" \
      "$root/firmware/core/wd_core.c" "$root/firmware/core/wd_core.h" \
      "$root/firmware/host/wd_chip.c" "$root/firmware/host/wd_chip.h" \
      "$root/ports/fake/fake_stock.c" "$root/ports/fake/fake_stock.h" "$root/ports/fake/fake_bus.h" "$sim/"
ln -sfn "$kdir/include" "$sim/include"
t0=$(date +%s.%N)
# The two builds side by side (each Kbuild run is mostly fixed overhead).
(cd "$drv" && $dkms_make) >"$drv/build.log" 2>&1 &
pids=($!)
make -s -C "/lib/modules/$kver/build" M="$sim" modules >"$sim/build.log" 2>&1 &
pids+=($!)
for i in 0 1; do
  d=$drv; [ "$i" -eq 1 ] && d=$sim
  wait "${pids[$i]}" || { cat "$d/build.log" >&2; fail "module build failed in $d"; }
done
t1=$(date +%s.%N)
echo "kernel test: modules built in $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s"

# The overlay: compiled, and the node the driver matches is in it.
dtc -@ -q -I dts -O dtb -o "$out/extwd.dtbo" "$kdir/extwd-overlay.dts" || fail "dtc failed on extwd-overlay.dts"
compat=$(fdtget -t s "$out/extwd.dtbo" /fragment@0/__overlay__/watchdog@26 compatible) || fail "overlay has no watchdog@26 node"
[ "$compat" = "extwd,extwd" ] || fail "overlay compatible is '$compat', not extwd,extwd"
grep -q '"extwd,extwd"' "$kdir/extwd_wdt.c" || fail "extwd_wdt.c does not match extwd,extwd"
echo "kernel test: overlay compiled, compatible $compat"

# The guest: busybox, the modules, wdtest.
gcc -static -O2 -Wall -Wextra -Werror -I"$root/include" -o "$out/wdtest" "$here/wdtest.c" ||
  fail "wdtest build failed"
ird=$out/initramfs
rm -rf "$ird"
mkdir -p "$ird"/{bin,proc,sys,dev}
cp /bin/busybox "$ird/bin/busybox" || fail "busybox-static not installed"
cp "$here/guest-init.sh" "$ird/init"
cp "$moddir/watchdog/watchdog.ko" "$moddir/i2c/i2c-dev.ko" "$drv/extwd_wdt.ko" "$sim/extwd_chipsim.ko" \
   "$out/wdtest" "$ird/"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initramfs.gz"

accel=tcg
if [ -w /dev/kvm ]; then accel=kvm; fi
log=$out/guest.log
t0=$(date +%s.%N)
rc=0
timeout 150 qemu-system-x86_64 -M pc -accel "$accel" -m 256 -smp 1 -nodefaults -nographic \
  -serial stdio -no-reboot -kernel "$vmlinuz" -initrd "$out/initramfs.gz" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1" </dev/null >"$log" 2>&1 || rc=$?
t1=$(date +%s.%N)
tr -d '\r' <"$log" | grep -E '^(ok|not ok|#|FIGURE|WDTEST|GUEST|dmesg)' || true
echo "kernel test: qemu ($accel) ran $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s wall, exit $rc"
if ! tr -d '\r' <"$log" | grep -q '^WDTEST PASS'; then
  [ "$rc" -eq 124 ] && echo "kernel test: guest timed out" >&2
  tail -n 40 "$log" >&2
  fail "guest did not pass (full console: $log)"
fi
echo "kernel test: PASS"
