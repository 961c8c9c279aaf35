#!/usr/bin/env bash
# extwd-sim refuses a FIFO or a device as its firmware or scenario with one
# line, at once (it used to block on the open forever).
#   tests/tools/sim_fifo.sh EXTWD-SIM FIRMWARE.elf SCENARIO.scn
# SPDX-License-Identifier: MIT
set -u
SIM=$1 ELF=$2 SCN=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkfifo "$T/fifo"
fails=0
expect() { # REGEX ARGS...
  local re=$1; shift
  timeout 10 "$SIM" "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  if [ $rc -eq 0 ] || [ $rc -eq 124 ] || [ "$(wc -l <"$T/err")" -ne 1 ] || ! grep -Eq -- "$re" "$T/err"; then
    echo "FAIL: extwd-sim $* -> exit $rc: $(cat "$T/err")"; fails=$((fails + 1))
  else
    echo "ok: extwd-sim $* -> $rc: $(cat "$T/err")"
  fi
}
expect "^extwd-sim: $T/fifo: not a regular file\$" --firmware "$T/fifo" --scenario "$SCN" --quiet
expect "$T/fifo: not a regular file" --firmware "$ELF" --scenario "$T/fifo" --quiet
expect "/dev/zero: not a regular file" --firmware /dev/zero --scenario "$SCN" --quiet
echo "sim_fifo: $fails failure(s)"
[ "$fails" -eq 0 ]
