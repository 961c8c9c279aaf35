#!/usr/bin/env bash
# make bench: runs every bench/<part>/run.sh and prints its figures as one
# Markdown document. BENCHMARKS.md is this output:
#   make firmware host && scripts/bench.sh build > BENCHMARKS.md
# Each run.sh gets the build folder as $1 and prints Markdown to stdout.
set -euo pipefail
BUILD=${1:-build}
echo "# Benchmarks"
echo
echo "Made by \`scripts/bench.sh $BUILD\` (also \`make bench\`) on $(date -u +%Y-%m-%d),"
echo "$(nproc) CPU(s), $(uname -m), $(. /etc/os-release && echo "$PRETTY_NAME")."
echo "Sizes, cycles and instruction counts repeat exactly; wall-clock speeds vary"
echo "with the machine's load. Regenerate: \`make firmware host && scripts/bench.sh build > BENCHMARKS.md\`."
echo
status=0
for run in bench/*/run.sh; do
  [ -x "$run" ] || continue
  echo "## $(basename "$(dirname "$run")")"
  echo
  "$run" "$BUILD" || { echo "bench: $run failed" >&2; status=1; }
  echo
done
exit $status
