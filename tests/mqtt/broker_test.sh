#!/usr/bin/env bash
# Broker tests for extwd_mqtt: each starts its own mosquitto on 127.0.0.1, on
# a free port, with its config, data and logs in a temp folder, and stops it
# on exit. Usage: broker_test.sh TEST HELPER SRCDIR
#   topics     exact topics, payloads, QoS and retained flags (one-shot publish)
#   will       last will on an unclean death; "offline" on a clean stop
#   outage     broker stopped while the daemon feeds: no feed missed, events
#              delivered in order after the restart, drop counter right
#   blackhole  a broker that accepts and never answers, and a closed port
#   auth       credentials from a file and the environment, refusals, errors
#   tls        TLS with a CA file and a client certificate, refusals
#   chip       libextwd + the real chip core on the fake bus: a watchdog reset,
#              then the daemon turn publishes it (4th argument: mqtt_chip_test)
#   sim        the firmware ELF in simavr: the watchdog fires, the next boot
#              publishes (4th argument: mqtt_sim_test, 5th: the ELF)
#   extwdctl   extwdctl through the i2c-dev shim (4th argument: extwdctl,
#              5th: the shim, then the I2C server command): the watchdog
#              fires, `publish` and `run --mqtt-*` publish it
# SPDX-License-Identifier: MIT
set -euo pipefail

TEST=$1
H=$2
SRC=$3
EXTRA=${4:-}
EXTRA2=${5:-}
shift $(( $# < 5 ? $# : 5 ))
SERVER=("$@")
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
MOSQUITTO_PASSWD=$(command -v mosquitto_passwd || echo /usr/bin/mosquitto_passwd)
[ -x "$MOSQUITTO" ] || { echo "FAIL: no mosquitto broker (scripts/install-deps.sh installs it)" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/extwd-mqtt-$TEST.XXXXXX")
PIDS=()
BROKER=""
cleanup() {
  local p
  for p in "${PIDS[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
  echo "FAIL ($TEST): $*" >&2
  if [ -f "$TMP/broker.log" ]; then
    echo "--- broker log (tail)" >&2
    tail -n 15 "$TMP/broker.log" >&2
  fi
  exit 1
}

# Run as root, mosquitto would switch to user "mosquitto" and lose our 0700 temp folder.
ME=$(id -un)
PORT=$("$H" freeport)
PORT2=$("$H" freeport)
[ "$PORT" != "$PORT2" ] || PORT2=$("$H" freeport)

# start_broker: runs mosquitto on $TMP/mosquitto.conf, waits until $PORT answers.
start_broker() {
  "$MOSQUITTO" -c "$TMP/mosquitto.conf" >>"$TMP/broker.log" 2>&1 &
  BROKER=$!
  PIDS+=("$BROKER")
  local i
  for i in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
    kill -0 "$BROKER" 2>/dev/null || fail "broker did not start"
    sleep 0.05
  done
  fail "broker did not open port $PORT"
}

stop_broker() {
  kill -TERM "$BROKER"
  wait "$BROKER" 2>/dev/null || true
}

plain_conf() {
  cat >"$TMP/mosquitto.conf" <<EOF
user $ME
listener $PORT 127.0.0.1
allow_anonymous true
persistence false
EOF
}

# wait_for FILE PATTERN [SECONDS]: until grep -E finds PATTERN in FILE.
wait_for() {
  local i n=$(( ${3:-5} * 20 ))
  for i in $(seq "$n"); do
    grep -Eq -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# sub_bg OUT ARGS...: a subscriber in the background; waits for its SUBACK.
sub_bg() {
  local out=$1
  shift
  rm -f "$TMP/ready"
  "$H" sub --port "$PORT" --ready "$TMP/ready" "$@" >"$out" &
  SUB=$!
  PIDS+=("$SUB")
  local i
  for i in $(seq 100); do
    [ -e "$TMP/ready" ] && return 0
    sleep 0.05
  done
  fail "subscriber did not subscribe"
}

# kv FILE KEY: the value of KEY=... in the daemon's stats line.
kv() { grep -o "\b$2=[^ ]*" "$1" | head -n1 | cut -d= -f2; }

# ---------------------------------------------------------------------------------
test_topics() {
  plain_conf
  start_broker
  sub_bg "$TMP/live.txt" --topic 'extwd/#' --topic 'site/#' --topic 'homeassistant/#' --count 19 --timeout-ms 8000
  "$H" publish --mqtt-host 127.0.0.1 --mqtt-port "$PORT" --mqtt-client-id testdev --mqtt-test-button \
    --bus /dev/i2c-1 --addr 0x26 --reason watchdog --breadcrumb 66 --now 1234 ||
    fail "publish (extwd chip) failed"
  "$H" publish --mqtt-host 127.0.0.1 --mqtt-port="$PORT" --mqtt-client-id stockdev --mqtt-prefix site/wd \
    --mqtt-no-discovery --bus /dev/i2c-3 --addr 0x27 --stock --now 99 ||
    fail "publish (stock chip) failed"
  wait "$SUB" || fail "live subscriber got $(wc -l <"$TMP/live.txt") of 19 messages"
  # A late subscriber sees exactly the retained messages, with the retained flag.
  "$H" sub --port "$PORT" --topic 'extwd/#' --topic 'site/#' --topic 'homeassistant/#' --count 17 \
    --timeout-ms 5000 >"$TMP/retained.txt" || fail "retained: got $(wc -l <"$TMP/retained.txt") of 17"
  # Nothing more is retained (no event): a second wait times out with 17 lines.
  "$H" sub --port "$PORT" --topic 'extwd/#' --topic 'site/#' --topic 'homeassistant/#' \
    --timeout-ms 600 >"$TMP/retained2.txt" || true
  [ "$(wc -l <"$TMP/retained2.txt")" = 17 ] || fail "retained set is not exactly 17 messages"
  sort "$TMP/live.txt" >"$TMP/live.sorted"
  sort "$TMP/retained.txt" >"$TMP/retained.sorted"
  if [ -n "${EXTWD_MQTT_BLESS:-}" ]; then  # write the golden files (review them before committing)
    cp "$TMP/live.sorted" "$SRC/expected/live.txt"
    cp "$TMP/retained.sorted" "$SRC/expected/retained.txt"
  fi
  diff -u "$SRC/expected/live.txt" "$TMP/live.sorted" || fail "live messages differ from expected/live.txt"
  diff -u "$SRC/expected/retained.txt" "$TMP/retained.sorted" || fail "retained messages differ from expected/retained.txt"
  echo "topics: 19 live and 17 retained messages exactly as expected"
}

# ---------------------------------------------------------------------------------
test_will() {
  plain_conf
  start_broker
  local base=extwd/willdev/i2c-1_26
  "$H" daemon --mqtt-host 127.0.0.1 --mqtt-port "$PORT" --mqtt-client-id willdev --mqtt-keepalive 5 \
    >"$TMP/d1.txt" 2>&1 &
  local d1=$!
  PIDS+=("$d1")
  "$H" sub --port "$PORT" --topic "$base/status" --count 1 --timeout-ms 5000 >"$TMP/s0.txt" ||
    fail "daemon never published its status"
  grep -qx "[01] 1 $base/status online" "$TMP/s0.txt" || fail "status is not online: $(cat "$TMP/s0.txt")"
  sub_bg "$TMP/s1.txt" --topic "$base/status" --count 2 --timeout-ms 5000
  wait_for "$TMP/s1.txt" "online" || fail "subscriber did not get the retained online"
  kill -KILL "$d1"                       # no DISCONNECT: the broker must send the will
  { wait "$d1"; } 2>/dev/null || true
  wait "$SUB" || fail "no will after kill -9: $(cat "$TMP/s1.txt")"
  printf '1 1 %s/status online\n0 1 %s/status offline\n' "$base" "$base" >"$TMP/s1.want"
  diff -u "$TMP/s1.want" "$TMP/s1.txt" || fail "will: wrong messages"
  "$H" sub --port "$PORT" --topic "$base/status" --count 1 --timeout-ms 3000 >"$TMP/s2.txt" || true
  grep -qx "1 1 $base/status offline" "$TMP/s2.txt" || fail "the will is not retained: $(cat "$TMP/s2.txt")"

  # A clean stop (SIGTERM) publishes "offline" itself, after a "stopping" event.
  base=extwd/termdev/i2c-1_26
  "$H" daemon --mqtt-host 127.0.0.1 --mqtt-port "$PORT" --mqtt-client-id termdev >"$TMP/d2.txt" 2>&1 &
  local d2=$!
  PIDS+=("$d2")
  "$H" sub --port "$PORT" --topic "$base/status" --count 1 --timeout-ms 5000 >/dev/null ||
    fail "second daemon never published its status"
  sub_bg "$TMP/s3.txt" --topic "$base/status" --topic "$base/event" --count 3 --timeout-ms 8000
  kill -TERM "$d2"
  wait "$d2" || fail "daemon exit status on SIGTERM"
  wait "$SUB" || fail "clean stop: got $(cat "$TMP/s3.txt")"
  grep -q "^0 1 $base/event {\"seq\":2,\"event\":\"stopping\"" "$TMP/s3.txt" || fail "no stopping event"
  tail -n1 "$TMP/s3.txt" | grep -qx "0 1 $base/status offline" || fail "clean stop: offline not last"
  [ "$(kv "$TMP/d2.txt" flush)" = 0 ] || fail "clean stop: flush failed: $(cat "$TMP/d2.txt")"
  echo "will: kill -9 -> retained offline by the will; SIGTERM -> stopping event, then offline"
}

# ---------------------------------------------------------------------------------
test_outage() {
  cat >"$TMP/mosquitto.conf" <<EOF
user $ME
listener $PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $TMP/
EOF
  start_broker
  local base=extwd/outdev/i2c-1_26 down_s=2
  # A persistent session: the broker keeps the subscription and the QoS 1
  # messages for it across its own restart (in $TMP/mosquitto.db).
  sub_bg "$TMP/events.txt" --topic "$base/event" --session extwd-outage-sub --timeout-ms 60000
  "$H" daemon --mqtt-host 127.0.0.1 --mqtt-port "$PORT" --mqtt-client-id outdev \
    --feed-ms 20 --chip-timeout-ms 500 --event-ms 100 --queue 8 \
    --backoff-min-ms 100 --backoff-max-ms 800 --connect-timeout-ms 1000 >"$TMP/daemon.txt" 2>&1 &
  local d=$!
  PIDS+=("$d")
  wait_for "$TMP/events.txt" '"seq":5,' 5 || fail "no events before the outage"
  stop_broker
  local before
  before=$(wc -l <"$TMP/events.txt")
  sleep "$down_s"                         # 20 events posted into a queue of 8
  start_broker
  wait_for "$TMP/events.txt" '"dropped":[1-9]' 10 || fail "no events after the restart"
  sleep 0.5
  kill -TERM "$d"
  wait "$d" || fail "daemon failed: $(cat "$TMP/daemon.txt")"
  wait_for "$TMP/events.txt" '"event":"stopping"' 5 || fail "stopping event not delivered"
  kill -TERM "$SUB"
  wait "$SUB" || true

  local feeds missed posted delivered dropped queued flush
  feeds=$(kv "$TMP/daemon.txt" feeds)
  missed=$(kv "$TMP/daemon.txt" missed)
  posted=$(kv "$TMP/daemon.txt" events_posted)
  delivered=$(kv "$TMP/daemon.txt" delivered)
  dropped=$(kv "$TMP/daemon.txt" dropped)
  queued=$(kv "$TMP/daemon.txt" queued)
  flush=$(kv "$TMP/daemon.txt" flush)
  [ -n "$feeds" ] || fail "no stats from the daemon: $(cat "$TMP/daemon.txt")"
  [ "$missed" = 0 ] || fail "$missed feeds missed (max gap $(kv "$TMP/daemon.txt" max_gap_ms) ms)"
  [ "$flush" = 0 ] || fail "daemon could not flush its events"
  [ "$queued" = 0 ] || fail "$queued events still queued"
  [ "$dropped" -gt 0 ] || fail "the queue never overflowed: the outage tested nothing"
  [ $((delivered + dropped)) = "$posted" ] || fail "delivered $delivered + dropped $dropped != posted $posted"

  # What the subscriber saw: seq strictly rising once QoS 1 redeliveries of the
  # same message are folded; every seq either arrived or was counted dropped.
  awk -v posted="$posted" -v dropped="$dropped" '
    { if (!match($0, /"seq":[0-9]+/)) { print "no seq: " $0; bad = 1; next }
      seq = substr($0, RSTART + 6, RLENGTH - 6) + 0
      match($0, /"dropped":[0-9]+/); d = substr($0, RSTART + 10, RLENGTH - 10) + 0
      if (d > maxd) maxd = d
      if (seq == last) { dup++; next }
      if (seq < last) { print "out of order: " seq " after " last; bad = 1 }
      if (seq > last + 1) gaps += seq - last - 1
      last = seq; n++ }
    END {
      if (last != posted) { print "last seq " last " != posted " posted; bad = 1 }
      if (n != posted - dropped) { print "received " n " != posted - dropped " posted - dropped; bad = 1 }
      if (gaps != dropped) { print "missing " gaps " != dropped " dropped; bad = 1 }
      if (maxd != dropped) { print "dropped field " maxd " != " dropped; bad = 1 }
      printf "received=%d duplicates=%d missing=%d\n", n, dup, gaps
      exit bad }' "$TMP/events.txt" >"$TMP/check.txt" || fail "$(cat "$TMP/check.txt")"
  echo "outage: broker down ${down_s} s; $(cat "$TMP/daemon.txt" | cut -d' ' -f1-10); subscriber: $(cat "$TMP/check.txt")"
}

# ---------------------------------------------------------------------------------
test_blackhole() {
  "$H" blackhole "$PORT" >"$TMP/bh.txt" &
  PIDS+=("$!")
  wait_for "$TMP/bh.txt" listening 5 || fail "blackhole did not listen"
  local target
  for target in "$PORT:blackhole" "$PORT2:closed"; do
    local port=${target%%:*} what=${target#*:}
    "$H" daemon --mqtt-host 127.0.0.1 --mqtt-port "$port" --mqtt-client-id bhdev \
      --feed-ms 20 --chip-timeout-ms 500 --event-ms 100 --queue 8 --run-ms 2500 --flush 0 \
      --backoff-min-ms 100 --backoff-max-ms 400 --connect-timeout-ms 300 >"$TMP/d.txt" 2>&1 ||
      fail "$what: daemon failed: $(cat "$TMP/d.txt")"
    local posted dropped queued
    posted=$(kv "$TMP/d.txt" events_posted)
    dropped=$(kv "$TMP/d.txt" dropped)
    queued=$(kv "$TMP/d.txt" queued)
    [ "$(kv "$TMP/d.txt" missed)" = 0 ] || fail "$what: feeds missed: $(cat "$TMP/d.txt")"
    [ "$(kv "$TMP/d.txt" connects)" = 0 ] || fail "$what: connected to nothing?"
    [ "$(kv "$TMP/d.txt" connect_failures)" -ge 2 ] || fail "$what: did not retry: $(cat "$TMP/d.txt")"
    [ "$queued" = 8 ] || fail "$what: queue holds $queued, not 8"
    [ "$dropped" = $((posted - 8)) ] || fail "$what: dropped $dropped != posted $posted - 8"
    echo "$what: $(cut -d' ' -f1-3,5-10,13- "$TMP/d.txt")"
  done
}

# ---------------------------------------------------------------------------------
test_auth() {
  "$MOSQUITTO_PASSWD" -c -b "$TMP/passwd" extwd 's3cret pass' >/dev/null 2>&1 || fail "mosquitto_passwd failed"
  cat >"$TMP/mosquitto.conf" <<EOF
user $ME
per_listener_settings true
listener $PORT 127.0.0.1
allow_anonymous false
password_file $TMP/passwd
listener $PORT2 127.0.0.1
allow_anonymous true
persistence false
EOF
  start_broker
  local common=(--mqtt-host 127.0.0.1 --mqtt-port "$PORT" --mqtt-timeout 3)
  printf '# broker login\nusername=extwd\npassword=s3cret pass\n' >"$TMP/good"
  printf 'username=extwd\r\npassword=wrong\r\n' >"$TMP/bad"
  printf 'username=extwd\npasswd=s3cret\n' >"$TMP/typo"
  chmod 600 "$TMP/good" "$TMP/bad" "$TMP/typo"

  "$H" publish "${common[@]}" --mqtt-client-id filedev --mqtt-credentials "$TMP/good" 2>"$TMP/e" ||
    fail "credentials file: $(cat "$TMP/e")"
  EXTWD_MQTT_USERNAME=extwd EXTWD_MQTT_PASSWORD='s3cret pass' \
    "$H" publish "${common[@]}" --mqtt-client-id envdev 2>"$TMP/e" || fail "environment: $(cat "$TMP/e")"
  EXTWD_MQTT_CREDENTIALS="$TMP/good" \
    "$H" publish "${common[@]}" --mqtt-client-id envfiledev 2>"$TMP/e" || fail "EXTWD_MQTT_CREDENTIALS: $(cat "$TMP/e")"
  local dev
  for dev in filedev envdev envfiledev; do
    "$H" sub --port "$PORT2" --topic "extwd/$dev/i2c-1_26/boot" --count 1 --timeout-ms 3000 >"$TMP/b" ||
      fail "$dev: boot record not on the broker"
    grep -q '"reason":"watchdog"' "$TMP/b" || fail "$dev: wrong boot record"
  done

  # expect_error RC MESSAGE ARGS...: the helper exits RC with exactly one line MESSAGE.
  expect_error() {
    local want_rc=$1 want=$2 rc=0
    shift 2
    "$@" 2>"$TMP/e" >/dev/null || rc=$?
    [ "$rc" = "$want_rc" ] || fail "exit $rc (want $want_rc) for: $* -- $(cat "$TMP/e")"
    [ "$(wc -l <"$TMP/e")" = 1 ] || fail "not one line: $(cat "$TMP/e")"
    grep -qF -- "$want" "$TMP/e" || fail "message '$(cat "$TMP/e")' lacks '$want'"
  }
  expect_error 1 "127.0.0.1:$PORT: broker refused: Connection Refused: not authorised." \
    "$H" publish "${common[@]}" --mqtt-credentials "$TMP/bad"
  expect_error 1 "broker refused: Connection Refused: not authorised." "$H" publish "${common[@]}"
  expect_error 2 "$TMP/typo:2: unknown key (expected username or password)" \
    "$H" publish "${common[@]}" --mqtt-credentials "$TMP/typo"
  expect_error 2 "cannot read credentials $TMP/none: No such file or directory" \
    "$H" publish "${common[@]}" --mqtt-credentials "$TMP/none"
  expect_error 2 "unknown option --mqtt-password" "$H" publish "${common[@]}" --mqtt-password x
  expect_error 2 "EXTWD_MQTT_PASSWORD is set but EXTWD_MQTT_USERNAME is not" \
    env EXTWD_MQTT_PASSWORD=x "$H" publish "${common[@]}"
  expect_error 2 "--mqtt-port: '0' is not a number from 1 to 65535" \
    "$H" publish --mqtt-host 127.0.0.1 --mqtt-port 0
  echo "auth: file, environment and EXTWD_MQTT_CREDENTIALS accepted; 7 refusals and errors as expected"
}

# ---------------------------------------------------------------------------------
test_tls() {
  command -v openssl >/dev/null || fail "no openssl (scripts/install-deps.sh installs it)"
  local d=$TMP/pki
  mkdir "$d"
  (
    cd "$d"
    local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -days 2 -subj /CN=extwd-test-ca
    openssl req "${ec[@]}" -keyout server.key -out server.csr -subj /CN=localhost
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext
    openssl req "${ec[@]}" -keyout client.key -out client.csr -subj /CN=extwd-client
    openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2
  ) >"$TMP/openssl.log" 2>&1 || { cat "$TMP/openssl.log" >&2; fail "openssl failed"; }
  cat >"$TMP/mosquitto.conf" <<EOF
user $ME
per_listener_settings true
listener $PORT 127.0.0.1
allow_anonymous true
cafile $d/ca.crt
certfile $d/server.crt
keyfile $d/server.key
require_certificate true
listener $PORT2 127.0.0.1
allow_anonymous true
persistence false
EOF
  start_broker
  local common=(--mqtt-host 127.0.0.1 --mqtt-port "$PORT" --mqtt-timeout 2)
  "$H" publish "${common[@]}" --mqtt-client-id tlsdev --mqtt-cafile "$d/ca.crt" \
    --mqtt-cert "$d/client.crt" --mqtt-key "$d/client.key" 2>"$TMP/e" || fail "TLS publish: $(cat "$TMP/e")"
  "$H" sub --port "$PORT2" --topic "extwd/tlsdev/i2c-1_26/boot" --count 1 --timeout-ms 3000 >"$TMP/b" ||
    fail "TLS: boot record not on the broker"
  grep -q '"breadcrumb":66' "$TMP/b" || fail "TLS: wrong boot record"

  local rc=0
  "$H" publish "${common[@]}" --mqtt-cafile "$d/ca.crt" 2>"$TMP/e" || rc=$?
  [ "$rc" = 1 ] || fail "TLS without a client certificate was not refused (exit $rc)"
  rc=0
  "$H" publish "${common[@]}" --mqtt-tls --mqtt-cert "$d/client.crt" --mqtt-key "$d/client.key" 2>"$TMP/e" || rc=$?
  [ "$rc" = 1 ] || fail "a server the system CAs do not know was accepted (exit $rc)"
  grep -q "TLS: certificate verify failed" "$TMP/e" || fail "unknown CA: unclear message: $(cat "$TMP/e")"
  rc=0
  "$H" publish "${common[@]}" --mqtt-cafile "$d/ca.crt" --mqtt-key "$d/client.key" 2>"$TMP/e" || rc=$?
  [ "$rc" = 2 ] && grep -q -- "--mqtt-key needs --mqtt-cert" "$TMP/e" || fail "key without cert: $(cat "$TMP/e")"
  rc=0
  "$H" publish "${common[@]}" --mqtt-cafile "$d/none.crt" 2>"$TMP/e" || rc=$?
  [ "$rc" = 2 ] && grep -q -- "--mqtt-cafile: cannot read $d/none.crt: No such file or directory" "$TMP/e" ||
    fail "missing CA file: $(cat "$TMP/e")"
  echo "tls: CA file + client certificate accepted; no client cert, unknown CA, key alone, missing file refused"
}

# ---------------------------------------------------------------------------------
test_chip() {
  plain_conf
  start_broker
  local base=extwd/chipdev/fake_26
  sub_bg "$TMP/live.txt" --topic "$base/#" --timeout-ms 20000
  "$EXTRA" "$PORT" >"$TMP/out.txt" 2>&1 || fail "mqtt_chip_test: $(cat "$TMP/out.txt")"
  wait_for "$TMP/live.txt" "$base/status offline" 5 || fail "no clean offline at the end"
  kill -TERM "$SUB"
  wait "$SUB" || true
  # The dead "wifi" channel (id 66) is the breadcrumb, and named.
  grep -q "^reason=watchdog breadcrumb=66 missed=wifi .* test_reset=1$" "$TMP/out.txt" ||
    fail "libextwd read: $(cat "$TMP/out.txt")"
  grep -qx "third_boot_reason=test" "$TMP/out.txt" || fail "the button's reset: $(cat "$TMP/out.txt")"
  [ "$(grep -c . "$TMP/out.txt")" = 4 ] || fail "unexpected output: $(cat "$TMP/out.txt")"
  grep -q "^0 1 $base/boot {\"reason\":\"watchdog\",\"breadcrumb\":66,\"cause\":1,.*\"missed_channel\":\"wifi\",\"chip\":\"extwd\"" \
    "$TMP/live.txt" || fail "boot record: $(grep /boot "$TMP/live.txt")"
  grep -q "^0 1 $base/event {\"seq\":1,\"event\":\"reset\",.*\"reason\":\"watchdog\",\"breadcrumb\":66,.*\"missed_channel\":\"wifi\"}" \
    "$TMP/live.txt" || fail "reset event: $(grep /event "$TMP/live.txt")"
  # Two resets in a row, two reset events (what the HA event entity shows).
  [ "$(grep -c "$base/event {\"seq\":1,\"event\":\"reset\"" "$TMP/live.txt")" = 2 ] ||
    fail "not two reset events: $(grep /event "$TMP/live.txt")"
  grep -q "$base/event {\"seq\":1,\"event\":\"reset\",.*\"reason\":\"test\"" "$TMP/live.txt" ||
    fail "no reset event for the test reset"
  # The button pressed through the broker reached the daemon.
  grep -q "^0 1 $base/command test_reset$" "$TMP/live.txt" || fail "no button press seen: $(grep /command "$TMP/live.txt")"
  # The bus errors the daemon met reach the broker as events adding up to the count.
  local want got
  want=$(kv "$TMP/out.txt" bus_errors)
  got=$(grep "$base/event" "$TMP/live.txt" | grep -o '"event":"bus_error",[^}]*"code":[0-9]*' |
        grep -o '[0-9]*$' | awk '{ s += $1 } END { print s + 0 }')
  [ "$want" -gt 0 ] && [ "$got" = "$want" ] || fail "bus_error events add up to $got, want $want"
  grep -q "$base/event {\"seq\":[0-9]*,\"event\":\"health_fail\",.*\"code\":3}" "$TMP/live.txt" || fail "no health_fail event"
  grep -q "$base/event {\"seq\":[0-9]*,\"event\":\"stopping\",.*\"code\":15}" "$TMP/live.txt" || fail "no stopping event"
  grep -qx "extwdctl: mqtt: connected to 127.0.0.1:$PORT" "$TMP/out.txt" || fail "no connection line: $(cat "$TMP/out.txt")"
  grep -q "^0 1 $base/state {.*\"chip_ok\":true,\"armed\":true," "$TMP/live.txt" || fail "no state from the chip"
  # With no broker the daemon goes on, says so once, and still reads the chip.
  "$EXTRA" "$PORT2" >"$TMP/out2.txt" 2>&1 || fail "mqtt_chip_test without a broker: $(cat "$TMP/out2.txt")"
  grep -qx "extwdctl: mqtt: 127.0.0.1:$PORT2: Connection refused (retrying, events are queued)" "$TMP/out2.txt" ||
    fail "no broker: $(cat "$TMP/out2.txt")"
  [ "$(grep -c . "$TMP/out2.txt")" = 2 ] || fail "no broker: more than one line: $(cat "$TMP/out2.txt")"
  echo "chip: $(grep reason= "$TMP/out.txt")"
}

# ---------------------------------------------------------------------------------
test_sim() {
  [ -f "$EXTRA2" ] || fail "no firmware $EXTRA2 (make firmware)"
  plain_conf
  start_broker
  local base=extwd/simdev/sim_26
  "$EXTRA" "$EXTRA2" "$PORT" >"$TMP/out.txt" 2>&1 || fail "mqtt_sim_test: $(cat "$TMP/out.txt")"
  "$H" sub --port "$PORT" --topic "$base/#" --count 3 --timeout-ms 5000 >"$TMP/retained.txt" ||
    fail "retained: $(cat "$TMP/retained.txt")"
  grep -q "reason=watchdog breadcrumb=66 " "$TMP/out.txt" || fail "libextwd read: $(cat "$TMP/out.txt")"
  grep -q "^1 1 $base/boot {\"reason\":\"watchdog\",\"breadcrumb\":66,\"cause\":1,.*\"chip\":\"extwd\"" \
    "$TMP/retained.txt" || fail "boot record: $(cat "$TMP/retained.txt")"
  grep -qx "1 1 $base/status online" "$TMP/retained.txt" || fail "status: $(cat "$TMP/retained.txt")"
  grep -q "^1 1 $base/state {.*\"chip_ok\":true," "$TMP/retained.txt" || fail "state: $(cat "$TMP/retained.txt")"
  # The identity the firmware gave libextwd, as published: firmware 2 has no PEC (CAPS 0xDFFF).
  local fw caps
  fw=$(grep -o ' fw=[0-9.]*' "$TMP/out.txt" | cut -d= -f2)
  caps=$(grep -o ' caps=[0-9]*' "$TMP/out.txt" | cut -d= -f2)
  [ "$caps" = 57343 ] || fail "CAPS read from the firmware: '$caps', want 57343: $(cat "$TMP/out.txt")"
  grep -q "^1 1 $base/boot {.*\"chip\":\"extwd\",\"fw\":\"$fw\",\"proto\":1,\"caps\":$caps," "$TMP/retained.txt" ||
    fail "boot record: fw $fw, caps $caps: $(grep /boot "$TMP/retained.txt")"
  echo "sim: $(cat "$TMP/out.txt")"
}

# ---------------------------------------------------------------------------------
test_extwdctl() {
  local ctl=$EXTRA shim=$EXTRA2
  [ "${#SERVER[@]}" -gt 0 ] || fail "no I2C server command"
  plain_conf
  start_broker
  "${SERVER[@]}" --socket "$TMP/sock" --log "$TMP/chip.log" >"$TMP/server.out" 2>&1 &
  PIDS+=("$!")
  local i
  for i in $(seq 100); do [ -S "$TMP/sock" ] && break; sleep 0.05; done
  [ -S "$TMP/sock" ] || fail "the I2C server did not start: $(cat "$TMP/server.out")"
  export EXTWD_SHIM_DEV=/dev/i2c-77 EXTWD_SHIM_SOCK="$TMP/sock"
  ctl() { LD_PRELOAD="$shim" "$ctl" --bus /dev/i2c-77 "$@"; }
  local mq=(--mqtt-host 127.0.0.1 --mqtt-port "$PORT" --mqtt-client-id e2e) base=extwd/e2e/i2c-77_26

  # The boot before: armed, a breadcrumb, then the host hangs.
  ctl arm 2>"$TMP/e" || fail "arm: $(cat "$TMP/e")"
  ctl set breadcrumb 0x42 2>"$TMP/e" || fail "breadcrumb: $(cat "$TMP/e")"
  for i in $(seq 160); do grep -q ' reset$' "$TMP/chip.log" 2>/dev/null && break; sleep 0.05; done
  grep -q ' reset$' "$TMP/chip.log" || fail "the watchdog did not fire"
  sleep 0.3                               # past the reset pulse

  # This boot: the one-shot publish.
  sub_bg "$TMP/live.txt" --topic "$base/#" --topic "homeassistant/+/e2e_i2c-77_26/+/config" --timeout-ms 30000
  ctl "${mq[@]}" publish 2>"$TMP/e" || fail "publish: $(cat "$TMP/e")"
  [ ! -s "$TMP/e" ] || fail "publish wrote to stderr: $(cat "$TMP/e")"
  # publish returns once the broker has the messages; the subscriber gets them a little later.
  wait_for "$TMP/live.txt" "^0 1 $base/boot \\{\"reason\":\"watchdog\",\"breadcrumb\":66,\"cause\":1,.*\"chip\":\"extwd\"" 10 ||
    fail "publish: boot record: $(grep /boot "$TMP/live.txt")"
  wait_for "$TMP/live.txt" "^0 1 $base/event \\{\"seq\":1,\"event\":\"reset\",.*\"reason\":\"watchdog\",\"breadcrumb\":66," 10 ||
    fail "publish: reset event: $(grep /event "$TMP/live.txt")"
  for i in $(seq 200); do [ "$(grep -c '/config ' "$TMP/live.txt")" -ge 8 ] && break; sleep 0.05; done
  [ "$(grep -c '/config ' "$TMP/live.txt")" = 10 ] || fail "publish: not 10 discovery configs"

  # The daemon: the same evidence (publish reads, never clears), events, state, offline at the end.
  kill -TERM "$SUB"
  wait "$SUB" || true
  sub_bg "$TMP/live.txt" --topic "$base/event" --topic "$base/state" --topic "$base/status" --timeout-ms 30000
  touch "$TMP/healthy"
  ctl "${mq[@]}" --mqtt-interval 1 run --interval 500 --health-cmd "test -e $TMP/healthy" --duration 3000 \
    >"$TMP/run.out" 2>"$TMP/run.err" || fail "run: $(cat "$TMP/run.err")"
  wait_for "$TMP/live.txt" "^0 1 $base/status offline" 5 || fail "run: no offline: $(cat "$TMP/live.txt")"
  grep -qx "extwdctl: mqtt: connected to 127.0.0.1:$PORT" "$TMP/run.err" || fail "run: stderr: $(cat "$TMP/run.err")"
  local events
  events=$(grep "$base/event" "$TMP/live.txt" | grep -o '"seq":[0-9]*,"event":"[a-z_]*"' | tr '\n' ' ')
  [ "$events" = '"seq":1,"event":"reset" "seq":2,"event":"health_ok" "seq":3,"event":"stopping" ' ] ||
    fail "run: events: $events"
  grep -q "$base/event {\"seq\":1,\"event\":\"reset\",.*\"reason\":\"watchdog\",\"breadcrumb\":66," \
    "$TMP/live.txt" || fail "run: reset event"
  [ "$(grep -c "^0 1 $base/state {.*\"chip_ok\":true," "$TMP/live.txt")" -ge 2 ] || fail "run: fewer than 2 states"
  grep "$base/state" "$TMP/live.txt" | tail -n1 | grep -q '"feeds":[1-9]' || fail "run: no feeds in the state"
  [ "$(grep -c ' reset$' "$TMP/chip.log")" = 1 ] || fail "run: the host was reset while fed"

  # Bad command lines: one line, exit 2; an unreachable broker: one line, exit 1.
  local rc
  rc=0; ctl publish 2>"$TMP/e" || rc=$?
  [ "$rc" = 2 ] && grep -qx "extwdctl: publish needs --mqtt-host HOST (try --help)" "$TMP/e" || fail "publish alone: $rc $(cat "$TMP/e")"
  rc=0; ctl --mqtt-port 1884 status >/dev/null 2>"$TMP/e" || rc=$?
  [ "$rc" = 2 ] && grep -qx "extwdctl: MQTT needs --mqtt-host" "$TMP/e" || fail "port alone: $rc $(cat "$TMP/e")"
  rc=0; ctl --mqtt-password x status >/dev/null 2>"$TMP/e" || rc=$?
  [ "$rc" = 2 ] && grep -qx "extwdctl: unknown option --mqtt-password" "$TMP/e" || fail "password on argv: $rc $(cat "$TMP/e")"
  rc=0; ctl --mqtt-host 127.0.0.1 --mqtt-port "$PORT2" --mqtt-timeout 1 publish 2>"$TMP/e" || rc=$?
  [ "$rc" = 1 ] && [ "$(wc -l <"$TMP/e")" = 1 ] &&
    grep -qx "extwdctl: publish: mqtt: 127.0.0.1:$PORT2: Connection refused" "$TMP/e" || fail "no broker: $rc $(cat "$TMP/e")"
  EXTWD_MQTT_PASSWORD=x ctl status >/dev/null 2>"$TMP/e" || fail "a stray MQTT variable broke a command without MQTT"
  echo "extwdctl: publish and run --mqtt-* published the watchdog reset (breadcrumb 0x42); events: $events"
}

case "$TEST" in
  topics|will|outage|blackhole|auth|tls|chip|sim|extwdctl) "test_$TEST" ;;
  *) echo "usage: $0 topics|will|outage|blackhole|auth|tls|chip|sim|extwdctl HELPER SRCDIR [EXTRA [EXTRA2 [SERVER...]]]" >&2; exit 2 ;;
esac
