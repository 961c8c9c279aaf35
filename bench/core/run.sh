#!/usr/bin/env bash
# Flash and RAM of the chip core on the ATtiny85, with the flags of
# firmware/firmware.mk (avr-gcc -Os -flto). The core is linked into a
# minimal driver (bench/core/size_main.c) that calls every entry point;
# the same driver linked against stubs is the baseline, so
#   core flash = text(driver + core) - text(driver + stubs).
# RAM is the size of the core's two instances, g_wd and g_wd_persist.
# Usage: bench/core/run.sh [builddir]   (prints Markdown)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
OUT="$BUILD/bench/core"
mkdir -p "$OUT"
FLAGS=(-mmcu=attiny85 -DF_CPU=8000000UL -DWD_MCU_ID=1 -mstrict-X -fno-move-loop-invariants
       -std=gnu11 -Os -g -Wall -Wextra -Werror
       -Wshadow -Wstrict-prototypes -Wmissing-prototypes -ffunction-sections -fdata-sections
       -fshort-enums -fno-common -flto -Iinclude -Ifirmware/core -Ifirmware/common)
LD=(-flto -Wl,--gc-sections)
avr-gcc "${FLAGS[@]}" -o "$OUT/core.elf" firmware/core/wd_core.c bench/core/size_main.c "${LD[@]}"
avr-gcc "${FLAGS[@]}" -DSIZE_BASELINE -o "$OUT/baseline.elf" bench/core/size_main.c "${LD[@]}"
text() { avr-size -A "$1" | awk '/^\.text/ {t = $2} /^\.data/ {d = $2} END {print t + d}'; }
sym() { printf "%d" "0x$(avr-nm -S "$1" | awk -v s="$2" '$4 == s {print $2}')"; }
full=$(text "$OUT/core.elf")
base=$(text "$OUT/baseline.elf")
core_ram=$(sym "$OUT/core.elf" g_wd)
persist_ram=$(sym "$OUT/core.elf" g_wd_persist)
echo "| ATtiny85, avr-gcc $(avr-gcc -dumpversion) -Os -flto | bytes |"
echo "|---|---|"
echo "| core flash (driver+core $full - driver+stubs $base) | $((full - base)) |"
echo "| core RAM: struct wd_core (g_wd, .bss) | $core_ram |"
echo "| core RAM: struct wd_persist (g_wd_persist, .noinit) | $persist_ram |"
echo "| core RAM total | $((core_ram + persist_ram)) |"
