#!/usr/bin/env bash
# bench/sim/run.sh BUILD: how fast extwd-sim simulates (release build).
#  - simulated seconds per wall second for a fed device (bench/sim/fed.scn,
#    30 simulated minutes; the target is >= 500x), on both MCUs;
#  - the wall time of the full scenario suite, on both MCUs.
# Wall times are measured inside extwd-sim around the simulation (no process
# start-up). Prints Markdown.
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
case "$BUILD" in /*) ;; *) BUILD="$PWD/$BUILD" ;; esac
SIM="$BUILD/bin/extwd-sim"
[ -x "$SIM" ] || { echo "bench/sim: $SIM not built (make host)" >&2; exit 1; }

field() { sed -n "s/^  \"$1\": \([^,]*\),\{0,1\}$/\1/p"; }

echo "extwd-sim, release build, $(nproc) CPU(s) shared; $(uname -m)"
echo
echo "| MCU | fed device: simulated | wall | speed | chip awake | feeds |"
echo "|---|---|---|---|---|---|"
status=0
for mcu in attiny85 atmega328p; do
  elf="$BUILD/firmware/$mcu/extwd.elf"
  if ! out=$("$SIM" --json --firmware "$elf" --scenario bench/sim/fed.scn 2>&1); then
    echo "| $mcu | failed: $(echo "$out" | tail -1) | | | | |"
    status=1
    continue
  fi
  sim_ms=$(echo "$out" | field sim_ms)
  wall_ms=$(echo "$out" | field wall_ms)
  awake=$(echo "$out" | field chip_awake_fraction)
  feeds=$(echo "$out" | field feeds)
  awk -v m="$mcu" -v s="$sim_ms" -v w="$wall_ms" -v a="$awake" -v f="$feeds" 'BEGIN {
    printf "| %s | %.0f s | %.2f s | **%.0fx** | %.3f %% | %d |\n", m, s / 1000, w / 1000, s / w, a * 100, f }'
done
echo
echo "| MCU | full suite (scenarios/) | wall | simulated | result |"
echo "|---|---|---|---|---|"
for mcu in attiny85 atmega328p; do
  elf="$BUILD/firmware/$mcu/extwd.elf"
  t0=$(date +%s.%N)
  out=$("$SIM" --firmware "$elf" --suite scenarios 2>&1) || true
  t1=$(date +%s.%N)
  last=$(echo "$out" | tail -1)
  n=$(ls scenarios/*.scn | wc -l)
  awk -v m="$mcu" -v n="$n" -v t0="$t0" -v t1="$t1" -v l="$last" 'BEGIN {
    sim = "?"; if (match(l, /[0-9.]+ s simulated/)) sim = substr(l, RSTART, RLENGTH - 10);
    res = l; sub(/;.*/, "", res);
    printf "| %s | %d scenarios | %.2f s | %s | %s |\n", m, n, t1 - t0, sim, res }'
done
exit $status
