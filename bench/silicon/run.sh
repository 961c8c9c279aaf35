#!/usr/bin/env bash
# Silicon figures, as Markdown on stdout: both ELFs on modelled silicon
# timing (sim/README.md, "Silicon timing"): the reset edge at the corners of
# the clocks' errors before and after the host's calibration (SPEC 5.15),
# the worst SCL hold with silicon's wake-up time, and the estimated current.
# Usage: bench/silicon/run.sh <builddir>   (needs make firmware and make host)
set -euo pipefail
BUILD=${1:-build}
T="$BUILD/bin/test_silicon"
FW="$BUILD/firmware"
for f in "$T" "$FW/attiny85/extwd.elf" "$FW/atmega328p/extwd.elf"; do
  [ -e "$f" ] || { echo "bench/silicon: $f: missing (run make firmware host)" >&2; exit 1; }
done
out=$(for m in attiny85 atmega328p; do
  for c in calibration_at_the_corners worst_hold_with_wakeup power_profile; do
    "$T" "$FW/$m/extwd.elf" "$c"
  done
done)
if grep -q '^FAIL' <<<"$out"; then
  grep '^FAIL\|FAIL ' <<<"$out" >&2
  exit 1
fi
kv() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

echo "\`$T <elf> <case>\` (tests/firmware/test_silicon.c) on both ELFs. Each corner:"
echo "the watchdog oscillator and the 8 MHz RC off by the given errors, silicon's"
echo "wake-up (60 us + 6 CK) on; fed every 100 ms; the reset edge after the last"
echo "feed's STOP over 8 phases of the feed against the tick, as % of TIMEOUT_MS"
echo "(3000 ms): before (the firmware's RC calibration only) and after the host's"
echo "calibration (two agreeing one-minute spans, as libextwd does). The ATtiny85"
echo "build has no room for the host's calibration (SPEC 3.6)."
echo
echo "| MCU | WDT error | RC error | before | CAL_TICK_US (true) | after |"
echo "|---|---|---|---|---|---|"
while read -r line; do
  m=$(awk '{print $3}' <<<"$line")
  tick=$(kv tick_us "$line")
  if [ "$tick" = none ]; then cal="n/a (no room)"; after="n/a"; else
    cal="$tick ($(kv true_us "$line"))"; after="$(kv after_pct "$line") %"; fi
  printf '| %s | %s %% | %s %% | %s %% | %s | %s |\n' "$m" "$(kv wdt_pct "$line")" "$(kv rc_pct "$line")" \
    "$(kv before_pct "$line")" "$cal" "$after"
done < <(grep '^info: cal ' <<<"$out")
echo
echo "Worst SCL hold with the wake-up included (random one-byte reads 0-600 us apart"
echo "across a timeout reset, its pulse and grace, and a save; target < 200 us,"
echo "ESP8266 limit 230 us):"
echo
while read -r line; do
  echo "- $(awk '{print $3}' <<<"$line"): **$(kv worst_hold_us "$line") us**"
done < <(grep '^info: hold ' <<<"$out")
echo
# The same over every scenario (extwd-sim --wakeup-us 60): the worst hold of
# each ELF, and the runs left aside because the chip holds SCL on purpose
# until it restarts (its main loop hung, or the restart after a factory reset).
SIM="$BUILD/bin/extwd-sim"
if [ -x "$SIM" ]; then
  echo "Worst SCL hold over the scenario suite (extwd-sim --wakeup-us 60, every scenarios/*.scn):"
  echo
  for m in attiny85 atmega328p; do
    worst=$(for scn in scenarios/*.scn; do
      h=$("$SIM" --firmware "$FW/$m/extwd.elf" --wakeup-us 60 --scenario "$scn" --json 2>/dev/null |
          sed -n 's/.*"max_stretch_us": \([0-9]*\).*/\1/p')
      echo "${h:-0} $(basename "$scn" .scn)"
    done | sort -n)
    top=$(grep -v -E ' (sim-chip-hang|factory-reset-pin)$' <<<"$worst" | tail -1)
    aside=$(grep -E ' (sim-chip-hang|factory-reset-pin)$' <<<"$worst" | awk '{printf "%s%s %s us", s, $2, $1; s = ", "}')
    echo "- $m: **${top%% *} us** (${top#* }); left aside: $aside"
  done
  echo
fi
# Current: I = awake x I_active + (idle + wake-up) x I_idle + rest x I_pd.
# 5 V: ATtiny25/45/85 datasheet 7598H Table 22-1 (typ.): active 8 MHz 5 mA,
# idle 1.2 mA, power-down with the WDT 9 uA; + USI and Timer0 (2586Q Table
# 22-1: 100 + 110 uA) awake and in idle. 3.3 V: read off the typical-
# characteristics figures (active vs. frequency ~3.0 mA, idle ~0.7 mA at
# 8 MHz; power-down with the WDT ~4.5 uA); modules ~0.12 mA. The wake-up is
# priced as idle (the oscillator runs, the CPU waits for the BOD).
echo "Estimated average supply current (typical datasheet figures; the wake-up"
echo "priced as idle; awake, idle and wake-up fractions from simulated cycles):"
echo
echo "| MCU | fed every | awake % | idle % | wake-up % | wake-ups/s | 5 V (uA) | 3.3 V (uA) |"
echo "|---|---|---|---|---|---|---|---|"
while read -r line; do
  m=$(awk '{print $3}' <<<"$line")
  awk -v m="$m" -v f="$(kv feed_ms "$line")" -v a="$(kv awake_pct "$line")" -v i="$(kv idle_pct "$line")" \
      -v w="$(kv wakeup_pct "$line")" -v n="$(kv wakeups_per_s "$line")" 'BEGIN {
    fa = a / 100; fi = (i + w) / 100; fp = 1 - fa - fi;
    i5 = fa * 5.21 + fi * 1.41 + fp * 0.009;
    i3 = fa * 3.12 + fi * 0.82 + fp * 0.0045;
    printf "| %s | %s | %.3f | %.3f | %.3f | %.1f | %.1f | %.1f |\n", m,
      f == 0 ? "never (quiet bus)" : f " ms", a, i, w, n, i5 * 1000, i3 * 1000 }'
done < <(grep '^info: power ' <<<"$out")
echo
echo "The ATmega328P row uses the ATtiny85's figures (same core and clock); its own"
echo "datasheet's are of the same order. The RC measurement (one watchdog period in"
echo "idle) runs every 2048 ticks; each window is one such cycle (32.8 s) long."
echo
q=$(grep '^info: power attiny85 feed_ms=0 ' <<<"$out")
awk -v a="$(kv awake_pct "$q")" -v w="$(kv wakeup_pct "$q")" -v n="$(kv wakeups_per_s "$q")" 'BEGIN {
  printf "Targets of issue 11 (<= 15 uA at 5 V, <= 8 uA at 3.3 V, fed every 100 ms) are **not met**.\n";
  printf "The 16 ms tick alone (quiet bus, ATtiny85: %.1f wake-ups/s) costs %.1f uA at 5 V and\n", n,
    (a / 100 * 5.21 + w / 100 * 1.41) * 1000;
  printf "%.1f uA at 3.3 V on top of power-down: %.0f us of BOD start-up per wake-up and ~%.0f us awake\n",
    (a / 100 * 3.12 + w / 100 * 0.82) * 1000, w / 100 / n * 1e6, a / 100 / n * 1e6;
  printf "in the core and the loop. With power-down itself at 9 uA (5 V) and 4.5 uA (3.3 V), the\n";
  printf "targets leave about 6 uA and 3.5 uA for the ticks and the feeds together. A tick coarser\n";
  printf "than 16 ms is not a way out on this chip: its only time base in power-down is the\n";
  printf "watchdog, whose phase can be restarted (WDR) but not read, so a feed that lands inside a\n";
  printf "coarse period leaves either the reset edge uncertain by that period (+-1 %% of 3 s is\n";
  printf "30 ms) or, with a WDR at the feed, the uptime short by the unknown part (all of it when\n";
  printf "the feeds come faster than the period). firmware/README.md, \"Power\".\n";
}'
