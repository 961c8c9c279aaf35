#!/usr/bin/env bash
# extwd_mqtt figures, as Markdown: instructions per caller-side call
# (callgrind), time inside the API per feeding-loop turn with a live, a dead
# and a blackholed broker (wall clock, this machine), message sizes.
# Usage: bench/mqtt/run.sh BUILD   (needs BUILD/host from make host)
# SPDX-License-Identifier: MIT
set -euo pipefail
BUILD=${1:-build}
B="$BUILD/host/bench/mqtt/bench_mqtt"
H="$BUILD/host/tests/mqtt/mqtt_helper"
for f in "$B" "$H"; do
  [ -x "$f" ] || { echo "bench/mqtt: $f missing (make host)" >&2; exit 1; }
done
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/extwd-mqtt-bench.XXXXXX")
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

echo "### Instructions per call (callgrind, release build, network thread not started)"
echo
echo "| call | instructions per call |"
echo "|---|---|"
N=10000
for fn in service post_event post_state post_boot; do
  valgrind --tool=callgrind --toggle-collect="extwd_mqtt_$fn" --callgrind-out-file="$TMP/cg.$fn" \
    "$B" calls "$fn" "$N" >/dev/null 2>&1
  ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$TMP/cg.$fn")
  echo "| extwd_mqtt_$fn | $(awk -v ir="$ir" -v n="$N" 'BEGIN { printf "%.1f", ir / n }') |"
done
echo
echo "service is the not-due path (30 s interval). The post_* calls copy into a slot under"
echo "the mutex; none of them makes a system call when the lock is free."
echo

echo "### Time inside the API per feeding-loop turn (wall clock, this machine, 3 s each)"
echo
PORT=$("$H" freeport)
DEAD=$("$H" freeport)
BH=$("$H" freeport)
printf 'user %s\nlistener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$(id -un)" "$PORT" >"$TMP/m.conf"
"$MOSQUITTO" -c "$TMP/m.conf" >"$TMP/broker.log" 2>&1 &
PIDS+=("$!")
"$H" blackhole "$BH" >/dev/null &
PIDS+=("$!")
sleep 0.3
echo "| broker | turns | mean µs | max µs | max / 100 ms feed period | feeds missed | longest gap between 20 ms feeds |"
echo "|---|---|---|---|---|---|---|"
for case in "live (event every 10 ms):$PORT:10" "dead (port closed):$DEAD:100" "blackholed (accepts, never answers):$BH:100"; do
  name=${case%%:*}
  rest=${case#*:}
  port=${rest%%:*}
  ev=${rest#*:}
  out=$("$H" daemon --mqtt-host 127.0.0.1 --mqtt-port "$port" --mqtt-client-id bench --run-ms 3000 \
    --feed-ms 20 --event-ms "$ev" --queue 64 --flush 0 --interval-ms 100 \
    --backoff-min-ms 100 --backoff-max-ms 1000 --connect-timeout-ms 500)
  kv() { echo "$out" | grep -o "\b$1=[^ ]*" | cut -d= -f2; }
  max=$(kv api_max_us)
  echo "| $name | $(kv api_calls) | $(kv api_mean_us) | $max | $(awk -v m="$max" 'BEGIN { printf "%.4f %%", m / 1000 }') | $(kv missed) | $(kv max_gap_ms) ms |"
done
echo
echo "A turn is everything the loop asks of extwd_mqtt: post_event when one is due,"
echo "service, and post_state every 100 ms. The network thread does all I/O."
echo

t0=$(date +%s%N)
for i in 1 2 3 4 5; do
  "$H" publish --mqtt-host 127.0.0.1 --mqtt-port "$PORT" --mqtt-client-id bench$i >/dev/null
done
t1=$(date +%s%N)
echo "One-shot publish (connect, 12 QoS 1 messages acknowledged, disconnect) to a local broker:"
echo "$(( (t1 - t0) / 5000000 )) ms per run, mean of 5."
echo

echo "### Message sizes (bytes)"
echo
echo "| message | topic | payload |"
echo "|---|---|---|"
"$B" sizes
