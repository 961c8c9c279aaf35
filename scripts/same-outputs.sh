#!/usr/bin/env bash
# Every simulator output, recorded so two trees or commits can be compared
# byte for byte (the gate of a behaviour-preserving change, issue 10).
#
#   scripts/same-outputs.sh OUTDIR [BUILD]      record this tree's outputs
#   scripts/same-outputs.sh --compare DIR_A DIR_B
#   scripts/same-outputs.sh --ref REF OUTDIR    build commit REF in a temporary
#                                               worktree and record its outputs
#
# Record: every scenario in scenarios/ on both firmware ELFs
# (BUILD/firmware/{attiny85,atmega328p}/extwd.elf, BUILD defaults to build,
# made by `make firmware host`), once with --json --vcd --plot and once as a
# timeline, into OUTDIR/MCU/NAME.{json,vcd,svg,txt}; each run's exit status
# goes to OUTDIR/MCU/NAME.rc. The JSON's wall_ms (host time, never equal) is
# dropped and the firmware path is written as FIRMWARE, so a tree built
# elsewhere compares equal. Compare: exit 0 when both directories hold the
# same files with the same bytes, 1 (naming each difference) otherwise.
set -uo pipefail

usage() {
  sed -n '4,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

compare() {
  local a=$1 b=$2
  [ -d "$a" ] && [ -d "$b" ] || { echo "same-outputs: $a or $b is not a directory" >&2; exit 2; }
  local n
  n=$(find "$a" -type f | wc -l)
  if diff -rq "$a" "$b"; then
    echo "same-outputs: identical ($n files: $a = $b)"
    exit 0
  fi
  echo "same-outputs: DIFFERENT ($a vs $b)" >&2
  exit 1
}

record() {
  local out=$1 build=$2
  local sim="$build/bin/extwd-sim"
  [ -x "$sim" ] || { echo "same-outputs: $sim is missing (run: make firmware host)" >&2; exit 2; }
  # A binary older than its sources records the old code: a gate that
  # compares it passes because nothing was rebuilt (a failed build).
  local newer
  newer=$(find sim lib include ports/fake -newer "$sim" -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | head -1)
  [ -z "$newer" ] || { echo "same-outputs: $sim is older than $newer (rebuild: make firmware host)" >&2; exit 2; }
  for elf in "$build"/firmware/*/extwd.elf; do
    # (firmware/host is the core's host port: in no ELF)
    newer=$(find firmware include -path firmware/host -prune -o -newer "$elf" -type f \( -name '*.c' -o -name '*.h' -o -name '*.mk' \) -print 2>/dev/null | head -1)
    [ -z "$newer" ] || { echo "same-outputs: $elf is older than $newer (rebuild: make firmware)" >&2; exit 2; }
  done
  mkdir -p "$out" || exit 2
  local mcu scn name elf dir runs=0
  for mcu in attiny85 atmega328p; do
    elf="$build/firmware/$mcu/extwd.elf"
    [ -f "$elf" ] || { echo "same-outputs: $elf is missing (run: make firmware)" >&2; exit 2; }
    dir="$out/$mcu"
    mkdir -p "$dir"
    for scn in scenarios/*.scn; do
      name=$(basename "$scn" .scn)
      "$sim" --firmware "$elf" --scenario "$scn" --json \
             --vcd "$dir/$name.vcd" --plot "$dir/$name.svg" >"$dir/$name.json" 2>"$dir/$name.err"
      echo "json $?" >"$dir/$name.rc"
      "$sim" --firmware "$elf" --scenario "$scn" >"$dir/$name.txt" 2>>"$dir/$name.err"
      echo "timeline $?" >>"$dir/$name.rc"
      sed -i '/"wall_ms":/d' "$dir/$name.json"
      # a run that stopped early (bad input: exit 2) writes no trace or picture
      for f in "$dir/$name".{json,vcd,svg,txt,err}; do
        [ -f "$f" ] && sed -i "s|$elf|FIRMWARE|g" "$f"
      done
      runs=$((runs + 1))
    done
  done
  echo "same-outputs: $runs scenario runs recorded in $out"
}

# Builds REF in a temporary worktree (its own build dir) and records there.
record_ref() {
  local ref=$1 out=$2
  local root tmp
  root=$(git rev-parse --show-toplevel) || exit 2
  case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/same-outputs.XXXXXX") || exit 2
  git -C "$root" worktree add --detach "$tmp/tree" "$ref" >/dev/null || exit 2
  local rc=0
  (cd "$tmp/tree" && make firmware host JOBS="${JOBS:-2}" >"$tmp/build.log" 2>&1) ||
    { echo "same-outputs: building $ref failed (log: $tmp/build.log)" >&2; rc=2; }
  if [ $rc -eq 0 ]; then
    (cd "$tmp/tree" && record "$out" build) || rc=$?
  fi
  git -C "$root" worktree remove --force "$tmp/tree"
  [ $rc -eq 0 ] && rm -rf "$tmp"
  exit $rc
}

case "${1:-}" in
  --compare) [ $# -eq 3 ] || usage; compare "$2" "$3" ;;
  --ref)     [ $# -eq 3 ] || usage; record_ref "$2" "$3" ;;
  ""|-h|--help|-*) usage ;;
  *)
    [ $# -le 2 ] || usage
    out=$1
    case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
    cd "$(dirname "$0")/.." || exit 2
    record "$out" "${2:-build}"
    ;;
esac
