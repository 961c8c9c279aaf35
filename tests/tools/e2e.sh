#!/usr/bin/env bash
# End to end: the real extwdctl and Linux port, through an LD_PRELOAD i2c-dev
# shim, against a chip served by an I2C server that keeps the chip's clock in
# step with real time. The server is either the fake bus (the real chip core
# built for the host, or the stock model, or an empty bus) or chipsim (the
# real firmware ELF in simavr).
#
#   tests/tools/e2e.sh extwd|stock|none EXTWDCTL SHIM.so SERVER [SERVER ARGS...]
#
# The server logs feeds and host resets in chip milliseconds; the checks on
# timing use that log (the chip's clock), never the wall clock.
# SPDX-License-Identifier: MIT
set -u
KIND=$1 CTL=$2 SHIM=$3
shift 3
. "$(dirname "$0")/lib.sh"
start_server "$@"

# ok, after up to 3 s of quiet retries: for a command whose chip may still
# be in its reset pulse when a loaded machine runs the test late.
ok_soon() {
  local desc=$1; shift
  for _ in $(seq 15); do
    ctl "$@" >/dev/null 2>&1 && break
    sleep 0.2
  done
  ok "$desc" "$@"
}

# bad DESC CODE REGEX ARGS... : exit CODE and exactly one stderr line matching REGEX.
bad() {
  local desc=$1 want=$2 re=$3; shift 3
  ctl "$@" >"$T/out" 2>"$T/err"
  local rc=$? lines
  lines=$(wc -l <"$T/err")
  if [ $rc -ne "$want" ] || [ "$lines" -ne 1 ] || ! grep -Eq -- "$re" "$T/err"; then
    fail "$desc: extwdctl $* exited $rc (want $want), stderr: $(cat "$T/err")"; return 1
  fi
  echo "ok: $desc: $(cat "$T/err")"
}
# Chip ms from the last feed to the last reset.
last_gap() {
  awk '$2=="feed"{f=$1} $2=="reset"{r=$1; g=r-f} END{print g+0}' "$T/log"
}
gap_in() {
  local g; g=$(last_gap)
  if [ "$g" -lt "$1" ] || [ "$g" -gt "$2" ]; then fail "reset came $g ms after the last feed, want $1-$2"
  else echo "ok: reset $g ms after the last feed"; fi
}
wait_resets() { # N MAX_SECONDS
  for _ in $(seq $(($2 * 20))); do [ "$(resets)" -ge "$1" ] && return 0; sleep 0.05; done
  return 1
}

# run_daemon TIMEOUT_S: the feeding daemon with a health file; checks that it
# keeps the host alive while healthy, stops feeding when not, and the chip
# then resets the host.
run_daemon() {
  local min=$1 max=$2 before
  before=$(resets)
  touch "$T/healthy"
  LD_PRELOAD="$SHIM" "$CTL" --bus $BUS run --interval 500 --health-interval 200 --health-retry 0 \
    --health-cmd "test -e $T/healthy" --verbose >"$T/run.out" 2>"$T/run.err" &
  local pid=$!
  sleep 4.5
  [ "$(resets)" -eq "$before" ] || fail "the host was reset while the daemon fed it"
  kill -0 $pid 2>/dev/null || fail "the daemon died while healthy: $(cat "$T/run.err")"
  rm -f "$T/healthy"
  wait $pid
  local rc=$?
  [ $rc -eq 3 ] || fail "daemon exit status $rc after the health command failed, want 3"
  [ "$(wc -l <"$T/run.err")" -eq 1 ] || fail "daemon stderr is not one line: $(cat "$T/run.err")"
  has "health command 'test -e .*' failed \(exit status 1\); stopped feeding" "$T/run.err"
  echo "ok: daemon: $(cat "$T/run.err")"
  has "health command succeeded" "$T/run.out"
  wait_resets $((before + 1)) 6 || fail "no reset after the daemon stopped feeding"
  gap_in "$min" "$max"
}

case $KIND in
none)
  bad "empty bus" 1 "^extwdctl: no chip answers at 0x26 on $BUS\$" status
  bad "empty bus, run" 1 "^extwdctl: no chip answers at 0x26 on $BUS\$" run --interval 100
  ;;

extwd)
  # The chip identifies as the firmware in this tree (firmware/core/wd_core.h),
  # with every capability but PEC (SPEC 3.2: firmware 2 sets 0xDFFF).
  FW=$(awk '$1=="#define" && $2 ~ /^WD_FW_(MAJOR|MINOR|PATCH)$/ {v[$2]=$3+0}
            END {printf "%d.%d.%d", v["WD_FW_MAJOR"], v["WD_FW_MINOR"], v["WD_FW_PATCH"]}' \
       "$(dirname "$0")/../../firmware/core/wd_core.h")
  ok "status" status
  has "^chip +extwd protocol 1, firmware ${FW//./\\.}, "
  has '^last reset +not by the watchdog$'
  has '^armed +yes$'
  has '^flags .*in_grace'
  ok "status --json" --json status
  has '"chip":"extwd".*"reset_reason":"none".*"armed":true,"timeout_ms":3000'
  has "\"proto\":1,\"firmware\":\"$FW\",\"mcu\":\"[a-z0-9]+\",\"caps\":57343,"
  ok "get caps" get caps; has '^57343$'
  ok "get timeout_ms" get timeout_ms; has '^3000$'
  ok "set timeout_ms 5000" set timeout_ms 5000
  ok "get timeout_ms" get timeout_ms; has '^5000$'
  ok "get timeout_s" get timeout_s; has '^5$'
  ok "set timeout_ms back" set timeout_ms 3000
  bad "timeout below range" 2 "set timeout_ms: 50 is outside the allowed range" set timeout_ms 50
  bad "pretimeout past the timeout" 1 "set pretimeout_ms: the chip refused 4000 as out of range" set pretimeout_ms 4000
  ok "get everything" get; has '^pulse_ms +100$'; has '^grace_s +20$'
  ok "raw read of PROJECT_ID" get 0x00 4; has '^45 58 57 44$'
  ok "disarm" disarm
  ok "get armed" get armed; has '^0$'
  ok "arm" arm
  ok "get armed" get armed; has '^1$'
  ok "breadcrumb" set breadcrumb 0x42
  ok "get breadcrumb" get breadcrumb; has '^66$'

  # The hang: nobody feeds after the arm.
  wait_resets 1 6 || fail "the chip did not reset the silent host"
  gap_in 3000 3040 # SPEC 5.1: never early, 3024 + the shim's ms rounding
  sleep 0.3 # past the 100 ms reset pulse
  ok_soon "status after the reset" status
  has '^last reset +Reset by External WD \(cause timeout, breadcrumb 0x42\)$'
  ok "status again: reading never clears the evidence" status
  has '^last reset +Reset by External WD'
  ok "history" history
  has '^host resets: 1 in total'
  has '^1 +timeout +0x42 '
  ok "history --json" --json history
  has '"history":\[\{"cause":"timeout","breadcrumb":66,'
  ok "feed" feed
  ok "status after a feed" status
  has '^last reset +not by the watchdog$'
  ok "history survives the feed" history; has '^1 +timeout +0x42 '

  run_daemon 3000 3040
  sleep 0.3

  # A health check that hangs fails at --health-timeout; a signal stops the
  # daemon cleanly, and --disarm-on-exit disarms.
  bad "hung health check" 3 "health command 'sleep 30' failed \(ran longer than 400 ms\); stopped feeding: the watchdog resets the host in about [0-9]+ ms" \
    run --interval 200 --health-cmd "sleep 30" --health-timeout 400 --health-retry 0
  LD_PRELOAD="$SHIM" "$CTL" --bus $BUS run --interval 200 --disarm-on-exit --verbose >"$T/run.out" 2>"$T/run.err" &
  pid=$!
  sleep 1
  kill -TERM $pid
  wait $pid; rc=$?
  [ $rc -eq 0 ] || fail "daemon stopped by SIGTERM exited $rc: $(cat "$T/run.err")"
  has "stopping on a signal" "$T/run.out"
  has "disarmed" "$T/run.out"
  ok "disarmed on exit" get armed; has '^0$'
  ok "arm again" arm
  ok "run --duration" run --interval 200 --duration 600 --verbose
  has "stopping: --duration reached"

  ok "keyed mode on" set keyed 1
  ok "get keyed" get keyed; has '^1$'
  ok "disarm in keyed mode (sends the key)" disarm
  ok "get armed" get armed; has '^0$'
  ok "arm" arm
  bad "no chip at 0x27" 1 "^extwdctl: no chip answers at 0x27 on $BUS\$" --addr 0x27 status
  ok "lock" set lock 1
  bad "disarm when locked" 1 "disarm: the chip is locked until it powers down" disarm
  bad "timeout when locked" 1 "set timeout_ms: the chip is locked" set timeout_ms 4000
  ok "still armed" get armed; has '^1$'
  ;;

stock)
  ok "status" status
  has '^chip +stock TinyI2CWatchdog'
  has '^armed +yes$'
  has '^timeout +70000 ms$'
  ok "set timeout_ms 2500 (whole seconds, rounded up)" set timeout_ms 2500
  ok "get timeout_s" get timeout_s; has '^3$'
  ok "get timeout_ms" get timeout_ms; has '^3000$'
  ok "no sleep after a reset" set grace_s 0
  bad "pulse on a stock chip" 1 "set pulse_ms: not supported by this chip \(a stock TinyI2CWatchdog\)" set pulse_ms 100
  bad "beyond the stock map" 2 "outside the stock chip's map" get 0x20 1
  ok "disarm" disarm
  ok "get armed" get armed; has '^0$'
  ok "arm" arm
  wait_resets 1 7 || fail "the stock chip did not reset the silent host"
  gap_in 3000 4000
  sleep 0.6 # past the 500 ms pulse
  ok_soon "status after the reset" status
  has '^last reset +Reset by External WD$'
  ok "history" history
  has '^stock chip: no history; 1 reset\(s\) counted, last reset by the watchdog'
  run_daemon 3000 4000
  sleep 0.6

  # A protected stop on a stock chip: its timeout register counts whole
  # seconds in one byte, so the 10-minute shutdown timeout becomes 255 s.
  LD_PRELOAD="$SHIM" "$CTL" --bus $BUS run --arm --interval 500 --state-file "$T/state" >/dev/null 2>"$T/run.err" &
  pid=$!
  sleep 1
  kill -TERM $pid; wait $pid; rc=$?
  [ $rc -eq 0 ] || fail "stock: stop exited $rc: $(cat "$T/run.err")"
  has "SIGTERM: stopped; chip timeout set to 255000 ms and fed" "$T/run.err"
  ok "stock: the shutdown timeout read back" get timeout_s; has '^255$'
  ok "stock: restart restores the running timeout" run --interval 500 --duration 600 --state-file "$T/state"
  ok "stock: get timeout_s" get timeout_s; has '^3$'
  ok "stock: disarm" disarm
  ;;
*)
  echo "e2e: unknown kind $KIND"; exit 2 ;;
esac

echo "server log:"; sed 's/^/    /' "$T/log" | grep -v ' feed$' | head -20
echo "e2e $KIND: $fails failure(s)"
[ "$fails" -eq 0 ]
