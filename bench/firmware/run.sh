#!/usr/bin/env bash
# Firmware figures, as Markdown on stdout: sizes of both ELFs against the
# ATtiny85 budget, and what the simulator measures on them (awake fraction,
# estimated current, reset-edge error, clock stretch, simulation speed).
# Usage: bench/firmware/run.sh <builddir>   (needs make firmware and make host)
set -euo pipefail
BUILD=${1:-build}
BENCH="$BUILD/bin/extwd-fwbench"
FW="$BUILD/firmware"
MCUS=(attiny85 atmega328p)

for f in "$BENCH" "$FW/attiny85/extwd.elf" "$FW/atmega328p/extwd.elf"; do
  if [ ! -e "$f" ]; then
    echo "bench/firmware: $f: missing (run make firmware host)" >&2
    exit 1
  fi
done

# section size from avr-size -A
sec() { avr-size -A "$1" | awk -v s="$2" '$1 == s { print $2; f = 1 } END { if (!f) print 0 }'; }

declare -A V
for m in "${MCUS[@]}"; do
  elf="$FW/$m/extwd.elf"
  V[$m.text]=$(sec "$elf" .text)
  V[$m.data]=$(sec "$elf" .data)
  V[$m.bss]=$(sec "$elf" .bss)
  V[$m.noinit]=$(sec "$elf" .noinit)
  while IFS='=' read -r k v; do V[$m.$k]=$v; done < <("$BENCH" "$elf" 600)
done

row() { printf '| %s | %s | %s |\n' "$1" "${V[attiny85.$2]}" "${V[atmega328p.$2]}"; }
for m in "${MCUS[@]}"; do
  V[$m.flash]=$(( V[$m.text] + V[$m.data] ))
  V[$m.ram]=$(( V[$m.data] + V[$m.bss] + V[$m.noinit] ))
done
t_flash=${V[attiny85.flash]}
t_ram=${V[attiny85.ram]}

echo "Firmware ELFs from \`$FW\`, run in simavr 1.6 by \`$BENCH\` (chipsim;"
echo "ATtiny85 through the USI model and the bit-level master, ATmega328P through"
echo "simavr's TWI). All times are simulated cycles at the ELF's clock."
echo
echo "| | attiny85 | atmega328p |"
echo "|---|---|---|"
row "flash: .text + .data (bytes)" flash
row "RAM: .data + .bss + .noinit (bytes, static)" ram
row "of it .noinit (bytes; the ATtiny85 build keeps everything there, no C runtime)" noinit
row "awake fraction, fed every 100 ms for 60 s (%)" awake_fraction_pct
row "of the sleep, in idle rather than power-down (% of time)" idle_sleep_fraction_pct
row "wake-ups per second" wakeups_per_s
row "reset edge after the last feed's STOP, worst error of 8 phases (ms, limit 30)" reset_edge_error_worst_ms
row "reset edge, mean error (ms)" reset_edge_error_mean_ms
row "longest clock stretch while fed (us, ESP8266 limit 230)" max_stretch_us
row "sleep-mode errors" sleep_mode_errors
row "simulated s per wall s, fed every 100 ms (target >= 500)" speed_x
echo
budget() { if [ "$1" -le "$2" ]; then echo "within"; else echo "OVER by $(( $1 - $2 )) bytes"; fi; }
echo "ATtiny85 budget (ATtiny45-sized, issue 12): flash $t_flash / 4096 bytes, $(budget "$t_flash" 4096);"
echo "static RAM $t_ram / 128 bytes, $(budget "$t_ram" 128) (the stack comes on top: firmware/README.md)."
echo

# Estimated average current of the ATtiny85 at 8 MHz, 5 V:
#   I = awake x (I_active + I_mod) + idle x (I_idle + I_mod) + rest x I_pd
# ATtiny25/45/85 datasheet (Atmel 7598H-AVR-07/09), Table 22-1, typical:
#   active 8 MHz 5 V 5 mA; idle 8 MHz 5 V 1.2 mA; power-down, WDT on, 5 V 9 uA.
# Those are with PRR = 0xFF; the firmware keeps the USI and Timer0 clocked:
#   Atmel 2586Q Table 22-1 (5 V, 8 MHz): USI 100 uA, Timer0 110 uA.
awk -v a="${V[attiny85.awake_fraction_pct]}" -v i="${V[attiny85.idle_sleep_fraction_pct]}" 'BEGIN {
  act = 5.0; idle = 1.2; mod = 0.21; pd = 0.009;
  fa = a / 100; fi = i / 100; fp = 1 - fa - fi;
  ia = fa * (act + mod); ii = fi * (idle + mod); ip = fp * pd;
  tot = ia + ii + ip;
  printf "Estimated ATtiny85 supply current fed every 100 ms (8 MHz, 5 V): **%.1f uA**", tot * 1000;
  printf " = awake %.3f %% x %.2f mA + idle %.3f %% x %.2f mA + power-down %.2f %% x %.0f uA", a, act + mod, i, idle + mod, fp * 100, pd * 1000;
  printf " (%.1f + %.1f + %.1f uA).\n", ia * 1000, ii * 1000, ip * 1000;
  printf "Figures: ATtiny25/45/85 datasheet 7598H Table 22-1 (typ.: active 8 MHz 5 V 5 mA, idle 1.2 mA,\n";
  printf "power-down with WDT 9 uA at 5 V), plus USI and Timer0 from 2586Q Table 22-1 (100 + 110 uA).\n";
  printf "The stock firmware, which never sleeps, draws about %.1f mA by the same table.\n", act + mod;
}'
