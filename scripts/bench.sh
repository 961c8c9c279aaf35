#!/usr/bin/env bash
# make bench: runs every bench/<part>/run.sh and prints its figures.
# Each run.sh gets the build folder as $1 and prints Markdown to stdout.
set -euo pipefail
BUILD=${1:-build}
status=0
for run in bench/*/run.sh; do
  [ -x "$run" ] || continue
  echo "## $(basename "$(dirname "$run")")"
  echo
  "$run" "$BUILD" || { echo "bench: $run failed" >&2; status=1; }
  echo
done
exit $status
