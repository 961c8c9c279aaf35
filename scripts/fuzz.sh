#!/usr/bin/env bash
# make fuzz: a longer libFuzzer campaign for every fuzz target of the asan
# build (<builddir>/asan/bin/fuzz_*), FUZZ_SECONDS each (default 60), with
# a corpus kept in <builddir>/fuzz-corpus/<target> between campaigns.
# Prints, per target, the executions, the rate and the coverage.
set -euo pipefail
BUILD=${1:-build}
SECONDS_EACH=${FUZZ_SECONDS:-60}
shopt -s nullglob
targets=("$BUILD"/asan/bin/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets in $BUILD/asan/bin (run make host-asan first)" >&2
  exit 1
fi
status=0
for t in "${targets[@]}"; do
  name=$(basename "$t")
  corpus="$BUILD/fuzz-corpus/$name"
  seeds="fuzz/${name#fuzz_}/seeds"
  mkdir -p "$corpus"
  log="$BUILD/fuzz-corpus/$name.log"
  dirs=("$corpus")
  [ -d "$seeds" ] && dirs+=("$seeds")
  opts=()
  for dict in "fuzz/${name#fuzz_}"/*.dict; do opts+=(-dict="$dict"); done
  if "$t" -max_total_time="$SECONDS_EACH" -max_len=2048 -print_final_stats=1 "${opts[@]}" \
       -artifact_prefix="$BUILD/fuzz-corpus/$name-" "${dirs[@]}" >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (see $log)"
    status=1
  fi
  runs=$(awk '/^stat::number_of_executed_units:/ {print $2}' "$log")
  secs=$(awk '/^Done [0-9]+ runs in/ {print $5}' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  rate=$(awk -v r="${runs:-0}" -v s="${secs:-0}" 'BEGIN { if (s > 0) printf "%d", r / s; else print "?" }')
  echo "$name: ${runs:-?} executions in ${secs:-?} s (${rate} exec/s), coverage ${cov:-?} edges: $result"
done
exit $status
