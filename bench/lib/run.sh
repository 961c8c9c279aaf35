#!/usr/bin/env bash
# libextwd figures, as Markdown: instructions per feed call (callgrind),
# bytes on the bus per hour at the default rate (from the fake bus, which
# counts what the library really sends), code size per target (cross.sh).
#   bench/lib/run.sh <builddir>    (make bench: after `make host`)
# SPDX-License-Identifier: MIT
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN="$BUILD/host/bench/lib/bench_lib"
[ -x "$BIN" ] || { echo "bench/lib: $BIN not built (make host)" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# Instructions of the loop function alone, for n calls.
ir() { # mode fn n
  valgrind --tool=callgrind --callgrind-out-file="$T/cg" --toggle-collect="$2" \
    "$BIN" "$1" "$3" >/dev/null 2>"$T/vg" || { cat "$T/vg" >&2; exit 1; }
  awk '/^(summary|totals):/ {print $2; exit}' "$T/cg"
}
per_call() { # mode fn
  local a b
  a=$(ir "$1" "$2" 10000); b=$(ir "$1" "$2" 20000)
  awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", (b - a) / 10000 }'
}

echo "### Instructions per extwd_feed call (x86-64, $(cc --version | head -1 | awk '{print $1, $NF}'), release build, callgrind)"
echo
echo "| call | instructions |"
echo "|---|---:|"
echo "| not due (the main-loop case) | $(per_call notdue bench_notdue) |"
echo "| not due, 8 health channels registered | $(per_call notdue8 bench_notdue) |"
echo "| due, port that does nothing (library only) | $(per_call due bench_due) |"
echo "| due, 8 health channels all within their deadlines, port that does nothing | $(per_call due8 bench_due) |"
echo "| due, fake bus with the real chip core behind it | $(per_call duechip bench_duechip) |"
echo
echo "Loop overhead included (a counter and a compare); the port's clock read is"
echo "part of every call. Measured as (Ir(20000 calls) - Ir(10000 calls)) / 10000."
echo
echo "### Bus traffic in one hour of a main loop calling extwd_feed (default 100 ms)"
echo
echo "| loop period | feed calls | feeds | transactions | bytes on the bus | bytes/s |"
echo "|---|---:|---:|---:|---:|---:|"
for loop in 1 10 37 250; do
  out=$("$BIN" hour "$loop")
  read -r _ _ _ calls _ feeds _ xfers _ bytes _ _ <<<"$out"
  echo "| $loop ms | $calls | $feeds | $xfers | $bytes | $(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/3600}') |"
done
echo
echo "A feed is one write transaction of 2 bytes (address + 0xA5); no host resets in any run."
echo
echo "### Code size of lib/*.c per target (-Os, freestanding)"
echo
"$ROOT/scripts/cross.sh" "$BUILD"
