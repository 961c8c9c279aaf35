#!/usr/bin/env bash
# extwdctl's command line without a chip: --help, bad arguments, a missing
# bus, a path that is no I2C bus. Every error is one line on stderr and a
# non-zero exit (2 for usage, 1 for the bus), never a crash.
#   tests/tools/cli.sh path/to/extwdctl
# SPDX-License-Identifier: MIT
set -u
CTL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

# expect EXIT_CODE STDERR_REGEX -- ARGS...
expect() {
  local want=$1 re=$2; shift 3
  "$CTL" "$@" >"$T/out" 2>"$T/err"
  local rc=$? lines
  lines=$(wc -l <"$T/err")
  if [ "$rc" -ne "$want" ] || { [ "$want" -ne 0 ] && [ "$lines" -ne 1 ]; } ||
     ! grep -Eq -- "$re" "$T/err"; then
    echo "FAIL: extwdctl $* -> exit $rc (want $want), $lines stderr line(s):"
    sed 's/^/    /' "$T/err"
    fails=$((fails + 1))
  else
    echo "ok: extwdctl $* -> $rc: $(head -c 100 "$T/err")"
  fi
}

"$CTL" --help >"$T/help" 2>&1 || { echo "FAIL: --help exits $?"; fails=$((fails + 1)); }
for word in status feed arm disarm get set history run --bus --addr; do
  grep -q -- "$word" "$T/help" || { echo "FAIL: --help does not mention $word"; fails=$((fails + 1)); }
done
"$CTL" run --help | grep -q -- "--health-cmd" || { echo "FAIL: run --help"; fails=$((fails + 1)); }

unset EXTWD_BUS
expect 1 '^extwdctl: /dev/i2c-99: No such file or directory$' -- --bus /dev/i2c-99 status
expect 1 '^extwdctl: /dev/i2c-99: ' -- --bus /dev/i2c-99 run --interval 100
expect 1 '^extwdctl: /dev/null: not an I2C bus' -- --bus /dev/null feed
expect 1 "^extwdctl: $T/nothere: No such file" -- --bus "$T/nothere" history
EXTWD_BUS=/dev/i2c-98 expect 1 '^extwdctl: /dev/i2c-98: ' -- status
expect 2 'no command given' --
expect 2 "unknown command 'frobnicate'" -- frobnicate
expect 2 "unknown option '--frob'" -- --frob status
expect 2 "--addr: '0x99' is not a 7-bit address" -- --addr 0x99 status
expect 2 "--addr: '' is not" -- --addr
expect 2 "--addr: 'twenty' is not" -- --addr twenty status
expect 2 "--retries: '9' is not" -- --retries 9 status
expect 2 "--bus needs a device path" -- --bus= status
expect 2 "status: unexpected argument 'now'" -- --bus /dev/null status now
expect 2 "run: --interval needs a number of ms in 1-65535, not '0'" -- --bus /dev/null run --interval 0
expect 2 "run: --interval needs a number" -- --bus /dev/null run --interval 70000
expect 2 "run: --health-cmd needs a command" -- --bus /dev/null run --health-cmd
expect 2 "run: unknown option '--fast'" -- --bus /dev/null run --fast
expect 2 "get: unknown setting 'frob'" -- --bus /dev/null get frob
expect 2 "get: byte count '2' must be 1-32" -- --bus /dev/null get 0xff 2
expect 2 "get: a count goes only with a register number" -- --bus /dev/null get timeout_ms 2
expect 2 "set: uptime_s is read-only" -- --bus /dev/null set uptime_s 4
expect 2 "set timeout_ms: '700000' is not a number in 0-600000" -- --bus /dev/null set timeout_ms 700000
expect 2 "set armed: 'maybe' is not" -- --bus /dev/null set armed maybe
expect 2 "set: needs a setting and a value" -- --bus /dev/null set timeout_ms
expect 2 "clear: 'x' is neither" -- --bus /dev/null clear x

echo "cli: $fails failure(s)"
[ "$fails" -eq 0 ]
