#!/usr/bin/env bash
# The main job (make demo): the extwd-sim scenario suite on the ATtiny85
# firmware, its result table, and the hang-and-recover scenario drawn as a
# timeline picture (plus its JSON summary and GTKWave trace).
#
#   scripts/demo.sh BUILD      (BUILD defaults to build)
set -uo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
case "$BUILD" in /*) ;; *) BUILD="$PWD/$BUILD" ;; esac
SIM="$BUILD/bin/extwd-sim"
ELF="$BUILD/firmware/attiny85/extwd.elf"
OUT="$BUILD/demo"
for f in "$SIM" "$ELF"; do
  [ -e "$f" ] || { echo "demo: $f is missing (run: make firmware host)" >&2; exit 2; }
done
mkdir -p "$OUT"

echo "== extwd-sim: every scenario in scenarios/ on the real ATtiny85 firmware ($ELF)"
echo
"$SIM" --firmware "$ELF" --suite scenarios
suite=$?
echo
echo "== hang-and-recover: the host hangs at 25 s; the chip resets it; it is back in its loop"
echo
"$SIM" --firmware "$ELF" --scenario scenarios/hang-and-recover.scn \
       --plot "$OUT/hang.svg" --vcd "$OUT/hang.vcd"
hang=$?
"$SIM" --firmware "$ELF" --scenario scenarios/hang-and-recover.scn --json > "$OUT/hang.json"
if command -v rsvg-convert >/dev/null 2>&1; then
  rsvg-convert "$OUT/hang.svg" -o "$OUT/hang.png" 2>/dev/null || true
fi
echo
echo "== outputs"
echo "  timeline picture: $OUT/hang.svg$( [ -f "$OUT/hang.png" ] && echo " (and hang.png)")"
echo "  JSON summary:     $OUT/hang.json"
echo "  GTKWave trace:    $OUT/hang.vcd   (gtkwave $OUT/hang.vcd)"
if [ $suite -ne 0 ] || [ $hang -ne 0 ]; then
  echo "demo: some expectations failed (suite exit $suite, hang exit $hang)" >&2
  exit 1
fi
