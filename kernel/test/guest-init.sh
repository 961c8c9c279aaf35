#!/bin/busybox sh
# /init of the test guest: mounts what the test needs, loads the watchdog
# core, the chip-core adapter and extwd_wdt, instantiates the chip at 0x26,
# runs wdtest and powers off. The host script reads the serial console.
# SPDX-License-Identifier: MIT
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo; echo "GUEST booted at $(cut -d' ' -f1 /proc/uptime) s"
insmod /watchdog.ko && insmod /i2c-dev.ko && insmod /extwd_chipsim.ko || echo "WDTEST FAIL insmod"
for a in /sys/bus/i2c/devices/i2c-*; do
  [ "$(cat "$a/name")" = "extwd chip core" ] && echo extwd 0x26 > "$a/new_device"
done
insmod /extwd_wdt.ko || echo "WDTEST FAIL insmod extwd_wdt"
/wdtest
echo "GUEST result at $(cut -d' ' -f1 /proc/uptime) s"
dmesg | grep -E 'extwd|watchdog' | sed 's/^/dmesg: /'
poweroff -f
