#!/usr/bin/env bash
# The feeding daemon at boot, at shutdown and under systemd, end to end: the
# real extwdctl through the i2c-dev shim against a chip served by an I2C
# server (the fake bus with the real core, or the firmware ELF in simavr).
#
#   tests/tools/daemon.sh EXTWDCTL SHIM.so NOTIFY_LISTEN SERVER [SERVER ARGS...]
#
# Timing is checked in chip milliseconds from the server's log, never on the
# wall clock (SPEC 5.1: a reset comes in [T, ceil16(T) + 16 ms] after the
# last feed, plus the shim's ms rounding); the figures are printed as
# "measured:" lines.
# SPDX-License-Identifier: MIT
set -u
CTL=$1 SHIM=$2 LISTEN=$3
shift 3
. "$(dirname "$0")/lib.sh"
start_server "$@"

# bg ARGS...: the daemon in the background, its pid in $pid (no subshell
# between: the signals must reach extwdctl itself).
daemon() { LD_PRELOAD="$SHIM" "$CTL" --bus $BUS "$@" & pid=$!; }
hasnt() { ! grep -Eq -- "$1" "$2" || fail "a line matching '$1' in $2: $(grep -E -- "$1" "$2")"; }
mark() { wc -l <"$T/log"; }
# Chip ms of the first/last feed and the first reset logged after line $1.
first_feed() { tail -n +"$(($1 + 1))" "$T/log" | awk '$2=="feed"{print $1; exit}'; }
last_feed() { tail -n +"$(($1 + 1))" "$T/log" | awk '$2=="feed"{f=$1} END{print f+0}'; }
first_reset() { tail -n +"$(($1 + 1))" "$T/log" | awk '$2=="reset"{print $1; exit}'; }
# The longest chip-ms gap between two feeds after line $1.
max_feed_gap() {
  tail -n +"$(($1 + 1))" "$T/log" | awk '$2=="feed"{if (p != "" && $1-p > g) g=$1-p; p=$1} END{print g+0}'
}
wait_resets() { # N MAX_SECONDS
  for _ in $(seq $(($2 * 20))); do [ "$(resets)" -ge "$1" ] && return 0; sleep 0.05; done
  return 1
}
in_range() { # WHAT VALUE MIN MAX
  if [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then fail "$1: $2 ms, want $3-$4"; else echo "measured: $1: $2 ms"; fi
}
quiet() { # after a case: nobody feeds, so leave the chip disarmed at its 3 s timeout
  ok "disarm" disarm && ok "timeout back to 3000" set timeout_ms 3000
}

# ---- 1. A check that fails for the first 30 s of the boot, then succeeds,
# with the default --health-retry (60 s): no reset.
before=$(resets) m=$(mark)
rm -f "$T/up"
daemon run --arm --interval 500 --health-interval 1000 --health-cmd "test -e $T/up" \
  --verbose >"$T/run.out" 2>"$T/run.err"
sleep 30
touch "$T/up"
sleep 3
kill -0 $pid 2>/dev/null || fail "boot: the daemon stopped although the check recovered: $(cat "$T/run.err")"
[ "$(resets)" -eq "$before" ] || fail "boot: the host was reset although the check recovered within the window"
kill -TERM $pid; wait $pid
has "health command 'test -e .*' failed \(exit status 1\); retrying: feeding stops if it still fails in 60 s" "$T/run.err"
has "health command 'test -e .*' succeeded again after [0-9]+ ms of failures; feeding goes on" "$T/run.err"
echo "ok: boot: $(grep 'succeeded again' "$T/run.err")"
in_range "boot: longest gap between feeds while the check failed" "$(max_feed_gap "$m")" 400 700
quiet

# ---- 2. A check that keeps failing: one log line, then exactly one reset.
before=$(resets) m=$(mark)
rm -f "$T/up"
ctl run --arm --interval 500 --health-interval 200 --health-retry 2 --health-cmd "test -e $T/up" \
  >"$T/run.out" 2>"$T/run.err"
rc=$?
after_exit=$(resets)
[ $rc -eq 3 ] || fail "retry: exit status $rc, want 3: $(cat "$T/run.err")"
[ "$after_exit" -eq "$before" ] || fail "retry: the host was reset before the daemon said it stopped feeding"
has "failed \(exit status 1\); retrying: feeding stops if it still fails in 2 s" "$T/run.err"
has "failed \(exit status 1\), failing for [0-9]+ ms \(--health-retry 2 s\); stopped feeding: the watchdog resets the host in about [0-9]+ ms" "$T/run.err"
[ "$(wc -l <"$T/run.err")" -eq 2 ] || fail "retry: want 2 log lines: $(cat "$T/run.err")"
echo "ok: retry: $(tail -1 "$T/run.err")"
wait_resets $((before + 1)) 6 || fail "retry: no reset after the daemon stopped feeding"
sleep 2
[ "$(resets)" -eq $((before + 1)) ] || fail "retry: $(( $(resets) - before )) resets, want exactly 1"
f0=$(first_feed "$m") f1=$(last_feed "$m") r0=$(first_reset "$m")
# The lower bound only tells "it went on feeding while it retried" from "it
# stopped at the first failure" (0-500 ms): the daemon's first feed comes
# late when the machine is loaded (1521 ms was measured at a load of 6 on 2
# cores), which shortens this window but not the retry.
in_range "retry: first feed to last feed (the retry window)" $((f1 - f0)) 1000 2700
in_range "retry: last feed to the reset (the running timeout)" $((r0 - f1)) 3000 3040
sleep 0.3

# ---- 3. SIGTERM: the chip guards the shutdown with the shutdown timeout.
before=$(resets) m=$(mark)
rm -f "$T/state"
daemon run --arm --interval 500 --shutdown-timeout 5000 --state-file "$T/state" >"$T/run.out" 2>"$T/run.err"
sleep 1.5
kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 0 ] || fail "stop: exit status $rc: $(cat "$T/run.err")"
has "run: SIGTERM: stopped; chip timeout set to 5000 ms and fed: a shutdown that hangs is reset then; the next start restores 3000 ms" "$T/run.err"
echo "ok: stop: $(cat "$T/run.err")"
ok "read back the timeout" get timeout_ms; has '^5000$'
has '^3000$' "$T/state"
# The shutdown hangs: nobody feeds; the reset comes at the shutdown timeout.
wait_resets $((before + 1)) 8 || fail "stop: a hung shutdown was never reset"
f1=$(last_feed "$m") r0=$(first_reset "$m")
in_range "stop: last feed to the reset of the hung shutdown" $((r0 - f1)) 5000 5040
sleep 0.3
# The next start puts the running timeout back.
ctl run --interval 500 --state-file "$T/state" --duration 1000 >"$T/run.out" 2>"$T/run.err" ||
  fail "restart: $(cat "$T/run.err")"
# (an extwd chip restored its saved timeout itself at the reset, SPEC 5.3)
has "running timeout 3000 ms" "$T/run.err"
ok "running timeout back" get timeout_ms; has '^3000$'
[ ! -e "$T/state" ] || fail "restart: the state file was not removed"
quiet

# ---- 4. A clean stop-start cycle (systemctl restart) loses no feed.
before=$(resets) m=$(mark)
daemon run --arm --interval 500 --shutdown-timeout 5000 --state-file "$T/state" >/dev/null 2>"$T/run.err"
sleep 1.5
kill -TERM $pid; wait $pid
daemon run --interval 500 --shutdown-timeout 5000 --state-file "$T/state" >/dev/null 2>"$T/run2.err"
sleep 1.5
kill -INT $pid; wait $pid; rc=$?
[ $rc -eq 0 ] || fail "cycle: exit status $rc: $(cat "$T/run2.err")"
has "restored the running timeout 3000 ms" "$T/run2.err"
has "run: SIGINT: stopped; chip timeout set to 5000 ms" "$T/run2.err"
[ "$(resets)" -eq "$before" ] || fail "cycle: the host was reset during a clean restart"
in_range "cycle: longest gap between feeds across the restart" "$(max_feed_gap "$m")" 0 2000
ctl run --interval 500 --state-file "$T/state" --duration 300 >/dev/null 2>&1
quiet

# ---- 5. systemd: READY, WATCHDOG and STOPPING on a socket of our own; SIGHUP
# re-reads the configuration; the children see no secrets, no descriptor
# above 2 and no ignored signal; SIGPIPE does not kill the daemon.
"$LISTEN" "$T/notify" "$T/notes" &
LISTEN_PID=$!
for _ in $(seq 100); do [ -S "$T/notify" ] && break; sleep 0.05; done
# The check writes to the daemon's stdout; ls lists its own descriptors, the
# inherited ones and 3, the directory it reads.
printf 'interval 500\nhealth-interval = 200\nhealth-cmd = env; grep ^SigIgn /proc/self/status; exec ls /proc/self/fd\n' \
  >"$T/extwd.conf"
exec 7>"$T/leak"
NOTIFY_SOCKET="$T/notify" WATCHDOG_USEC=600000 EXTWD_MQTT_PASSWORD=secret EXTWD_MQTT_USERNAME=u \
  LD_PRELOAD="$SHIM" "$CTL" --bus $BUS run --config "$T/extwd.conf" --arm --state-file "$T/state" \
  >"$T/child.out" 2>"$T/run.err" &
pid=$!
exec 7>&-
sleep 1.5
printf 'interval 500\nhealth-cmd touch %s\n' "$T/reloaded" >"$T/extwd.conf"
kill -HUP $pid
sleep 1
kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 0 ] || fail "notify: exit status $rc: $(cat "$T/run.err")"
sleep 0.2
kill "$LISTEN_PID"; wait "$LISTEN_PID"; LISTEN_PID=
has "run: SIGHUP: re-read $T/extwd.conf; feeding goes on" "$T/run.err"
[ -e "$T/reloaded" ] || fail "SIGHUP: the new health command never ran"
seq_=$(grep -v '^--$' "$T/notes" | grep -v '^STATUS=' | uniq | tr '\n' ' ')
case $seq_ in
  "READY=1 WATCHDOG=1 RELOADING=1 READY=1 WATCHDOG=1 STOPPING=1 ") echo "ok: notify: $seq_" ;;
  *) fail "notify: messages were: $seq_" ;;
esac
# (how many pings is a matter of the wall clock: only reported)
echo "ok: notify: $(grep -c '^WATCHDOG=1$' "$T/notes") WATCHDOG=1 pings in about 2.5 s at WatchdogSec=0.6 s"
has '^PATH=' "$T/child.out"
hasnt '^(EXTWD_MQTT_|NOTIFY_SOCKET|WATCHDOG_)' "$T/child.out"
fds=$(grep -E '^[0-9]+$' "$T/child.out" | sort -un | tr '\n' ' ')
[ "$fds" = "0 1 2 3 " ] || fail "children: descriptors '$fds', want '0 1 2 3 ' (3: ls's own)"
has '^SigIgn:[[:space:]]+0+$' "$T/child.out"
hasnt '^SigIgn:[[:space:]]+0*[1-9a-f]' "$T/child.out"
echo "ok: children: $fds, $(grep ^SigIgn "$T/child.out" | sort -u), no EXTWD_MQTT_ or NOTIFY_SOCKET"
ctl run --interval 500 --state-file "$T/state" --duration 300 >/dev/null 2>&1

# SIGPIPE: the log reader is gone; the daemon runs on to its --duration.
{ ctl run --interval 500 --health-cmd "sleep 0.3; false" --health-interval 200 --duration 2000 \
    2>&1 >/dev/null; echo $? >"$T/rc"; } | true
[ "$(cat "$T/rc")" = 0 ] || fail "SIGPIPE: the daemon exited $(cat "$T/rc") when its log reader was gone"
echo "ok: a dead log reader: exit $(cat "$T/rc")"

# SIGHUP without --config is one line; the daemon goes on.
daemon run --interval 500 --shutdown-timeout 0 >/dev/null 2>"$T/run.err"
sleep 1
kill -HUP $pid; sleep 0.5
kill -0 $pid 2>/dev/null || fail "SIGHUP killed the daemon"
kill -TERM $pid; wait $pid
has "run: SIGHUP: no --config to re-read; feeding goes on unchanged" "$T/run.err"
has "run: SIGTERM: stopped; fed once: the host is reset in 3000 ms unless something feeds it" "$T/run.err"

# ---- 6. --interval leaves a margin for the chip's clock.
ctl run --interval 1600 >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] || fail "--interval 1600 against a 3000 ms timeout: exit $rc, want 2"
has "run: --interval 1600 ms is more than half the chip's timeout \(3000 ms\); at most 1500 ms" "$T/err"
# Numbers: a leading 0 is decimal.
ok "set grace_s 020" set grace_s 020
ok "get grace_s" get grace_s; has '^20$'
ok "set timeout_ms 010000" set timeout_ms 010000
ok "get timeout_ms" get timeout_ms; has '^10000$'
ok "grace back" set grace_s 20
quiet

echo "server log:"; grep -v ' feed$' "$T/log" | sed 's/^/    /' | head -30
echo "daemon: $fails failure(s)"
[ "$fails" -eq 0 ]
