#!/usr/bin/env bash
# make cross: compiles libextwd (lib/*.c) for the targets a host of the chip
# runs on, with every warning an error, and prints a size table (Markdown).
#   scripts/cross.sh <builddir>    objects go to <builddir>/cross/<target>/
# Also registered as the ctest lib.cross, so a warning on any target fails CI.
# SPDX-License-Identifier: MIT
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRCS=("$ROOT"/lib/*.c)
# Freestanding: the library needs no libc (xtensa-lx106-elf ships none).
FLAGS=(-ffreestanding -Os -Wall -Wextra -Werror -Wshadow -Wconversion
       -Wstrict-prototypes -Wmissing-prototypes -ffunction-sections -fdata-sections
       -I"$ROOT/include")

# name | compiler, machine flags and C dialect | size tool. ISO C11, but GNU
# C11 on AVR as the Arduino AVR core builds it: there the library's const
# tables go to flash (__flash), not to RAM (lib/chips.h).
TARGETS=(
  "esp8266|xtensa-lx106-elf-gcc -mlongcalls -std=c11|xtensa-lx106-elf-size"
  "cortex-m0|arm-none-eabi-gcc -mcpu=cortex-m0 -mthumb -std=c11|arm-none-eabi-size"
  "atmega328p|avr-gcc -mmcu=atmega328p -std=gnu11|avr-size"
)

status=0
echo "| target | compiler | text | data | bss | per file (text) |"
echo "|---|---|---:|---:|---:|---|"
for t in "${TARGETS[@]}"; do
  IFS='|' read -r name cc size <<<"$t"
  out="$BUILD/cross/$name"
  mkdir -p "$out"
  read -r -a ccv <<<"$cc"
  if ! command -v "${ccv[0]}" >/dev/null; then
    echo "cross: ${ccv[0]} not found (run scripts/install-deps.sh)" >&2
    status=1
    continue
  fi
  objs=()
  for src in "${SRCS[@]}"; do
    obj="$out/$(basename "${src%.c}").o"
    if ! "${ccv[@]}" "${FLAGS[@]}" -c "$src" -o "$obj" 2>"$obj.log"; then
      cat "$obj.log" >&2
      echo "cross: $name: $(basename "$src") failed" >&2
      status=1
      continue
    fi
    # -Werror already fails on a warning; this catches notes that are not.
    if [ -s "$obj.log" ]; then cat "$obj.log" >&2; echo "cross: $name: output from the compiler" >&2; status=1; fi
    objs+=("$obj")
  done
  [ ${#objs[@]} -eq ${#SRCS[@]} ] || continue
  per=$("$size" "${objs[@]}" | awk 'NR>1 {n=$6; sub(".*/","",n); printf "%s%s %s", sep, n, $1; sep=", "}')
  read -r text data bss < <("$size" -t "${objs[@]}" | tail -1 | awk '{print $1, $2, $3}')
  ver=$("${ccv[0]}" -dumpversion)
  echo "| $name | ${ccv[0]} $ver | $text | $data | $bss | $per |"
done
exit $status
