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

# expect EXIT_CODE STDERR_REGEX -- [timeout_guard] ARGS...
# (timeout_guard: give up after 10 s, for what used to hang)
expect() {
  local want=$1 re=$2; shift 3
  local guard=()
  if [ "${1:-}" = timeout_guard ]; then guard=(timeout 10); shift; fi
  "${guard[@]}" "$CTL" "$@" >"$T/out" 2>"$T/err"
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
expect 2 "--bus needs a bus number or a device path" -- --bus= status
expect 2 "status: unexpected argument 'now'" -- --bus /dev/null status now
expect 2 "run: --interval needs a number of ms in 1-65535, not '0'" -- --bus /dev/null run --interval 0
expect 2 "run: --interval needs a number" -- --bus /dev/null run --interval 70000
expect 2 "run: --health-cmd needs a command" -- --bus /dev/null run --health-cmd
expect 2 "unknown option '--fast'" -- --bus /dev/null run --fast
expect 2 "get: unknown setting 'frob'" -- --bus /dev/null get frob
expect 2 "get: byte count '2' must be 1-32" -- --bus /dev/null get 0xff 2
expect 2 "get: a count goes only with a register number" -- --bus /dev/null get timeout_ms 2
expect 2 "set: uptime_s is read-only" -- --bus /dev/null set uptime_s 4
expect 2 "set timeout_ms: '700000' is not a number in 0-600000" -- --bus /dev/null set timeout_ms 700000
expect 2 "set armed: 'maybe' is not" -- --bus /dev/null set armed maybe
expect 2 "set: needs a setting and a value" -- --bus /dev/null set timeout_ms
expect 2 "clear: 'x' is neither" -- --bus /dev/null clear x


# Installed like i2c-tools: --version, options anywhere, --opt=value, --bus N.
"$CTL" --version | grep -Eq '^extwdctl [0-9]+\.[0-9]+\.[0-9]+' || { echo "FAIL: --version"; fails=$((fails + 1)); }
expect 1 '^extwdctl: /dev/i2c-99: No such file or directory$' -- --bus 99 status
expect 1 '^extwdctl: /dev/i2c-99: No such file or directory$' -- status --bus=99
expect 1 '^extwdctl: /dev/i2c-99: ' -- run --interval=100 --bus /dev/i2c-99
"$CTL" status --help | grep -q '^usage: extwdctl \[OPTIONS\] status' || { echo "FAIL: status --help"; fails=$((fails + 1)); }
expect 2 "status: --health-cmd is an option of run" -- status --health-cmd true
expect 2 "run: --health-retry needs a number of seconds in 0-86400, not 'soon'" -- --bus /dev/null run --health-retry soon
expect 2 "run: --shutdown-timeout needs a number of ms \(or 0\) in 100-600000, not '50'" -- --bus /dev/null run --shutdown-timeout 50
expect 2 "run: --repair-cmd needs a command" -- --bus /dev/null run --repair-cmd=

# Numbers: decimal or 0x-hex only; a leading 0 is decimal, spaces are refused.
expect 1 '^extwdctl: /dev/null: not an I2C bus' -- --bus /dev/null --addr 038 status
expect 2 "--addr: '0o38' is not" -- --addr 0o38 status
expect 2 "set grace_s: ' 5' is not a number" -- --bus /dev/null set grace_s ' 5'
expect 2 "set grace_s: '\\+5' is not a number" -- --bus /dev/null set grace_s +5
expect 2 "set grace_s: '0x' is not a number" -- --bus /dev/null set grace_s 0x

# The configuration file: one option a line; the command line wins.
printf '# extwd\nbus = /dev/i2c-97\n\ninterval 250\n' >"$T/conf"
expect 1 '^extwdctl: /dev/i2c-97: ' -- --config "$T/conf" status
expect 1 '^extwdctl: /dev/i2c-96: ' -- --config="$T/conf" --bus 96 status
printf 'interval = 0\n' >"$T/bad.conf"
expect 2 "run: --interval needs a number of ms in 1-65535, not '0'" -- --config "$T/bad.conf" run
printf -- '--bus 1\n' >"$T/dash.conf"
expect 2 "dash.conf:1: expected NAME \[= VALUE\]" -- --config "$T/dash.conf" status
expect 2 "nothere.conf: No such file" -- --config "$T/nothere.conf" status
printf 'mqtt-host = localhost\nmqtt-port = 99999\n' >"$T/mqtt.conf"
expect 2 "mqtt-port" -- --config "$T/mqtt.conf" --bus /dev/null status

# A FIFO is refused at once, never waited on (a hang here resets the host).
mkfifo "$T/fifo"
expect 2 "$T/fifo: not a regular file" -- timeout_guard --config "$T/fifo" status
EXTWD_MQTT_CREDENTIALS="$T/fifo" timeout 10 "$CTL" --help >/dev/null 2>&1 ||
  { echo "FAIL: --help with EXTWD_MQTT_CREDENTIALS on a FIFO: exit $?"; fails=$((fails + 1)); }
EXTWD_MQTT_CREDENTIALS="$T/fifo" expect 2 "credentials $T/fifo: not a regular file" -- timeout_guard --bus /dev/null --mqtt-host localhost status
expect 2 "credentials $T/fifo: not a regular file" -- timeout_guard --bus /dev/null --mqtt-host localhost --mqtt-credentials "$T/fifo" status
expect 2 "--mqtt-cafile: $T/fifo is not a regular file" -- timeout_guard --bus /dev/null --mqtt-host localhost --mqtt-cafile "$T/fifo" status
# The credentials file: 0600, as ssh wants a private key.
printf 'username=u\npassword=p\n' >"$T/creds"; chmod 644 "$T/creds"
expect 2 "credentials $T/creds: readable by others \(mode 0644\); chmod 600 it" -- --bus /dev/null --mqtt-host localhost --mqtt-credentials "$T/creds" status
chmod 600 "$T/creds"
expect 1 '^extwdctl: /dev/null: not an I2C bus' -- --bus /dev/null --mqtt-host localhost --mqtt-credentials "$T/creds" status

echo "cli: $fails failure(s)"
[ "$fails" -eq 0 ]
