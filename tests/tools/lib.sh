# The shell helpers e2e.sh and daemon.sh share (sourced, after they set CTL
# and SHIM): a work directory removed at exit, the I2C server started on a
# socket in it, the shim pointed at it, and the check helpers.
#
#   . lib.sh; start_server SERVER [SERVER ARGS...]
#
# The server logs feeds and host resets in chip milliseconds to $T/log.
# SPDX-License-Identifier: MIT
T=$(mktemp -d "${TMPDIR:-/tmp}/extwd-tools.XXXXXX")
SERVER_PID= LISTEN_PID=
cleanup() {
  [ -n "$LISTEN_PID" ] && kill "$LISTEN_PID" 2>/dev/null
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# start_server SERVER [ARGS...]: runs it on $T/sock (its output in
# $T/server.out) and points the shim at it; exits when it does not start.
start_server() {
  "$@" --socket "$T/sock" --log "$T/log" >"$T/server.out" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do [ -S "$T/sock" ] && break; sleep 0.05; done
  [ -S "$T/sock" ] || { cat "$T/server.out"; echo "FAIL: the I2C server did not start"; exit 1; }
  export EXTWD_SHIM_DEV=/dev/i2c-77 EXTWD_SHIM_SOCK="$T/sock"
  BUS=/dev/i2c-77
}

# ctl ARGS...: extwdctl on the shim's bus.
ctl() { LD_PRELOAD="$SHIM" "$CTL" --bus $BUS "$@"; }
# ok DESC ARGS... : extwdctl must exit 0; its stdout is in $T/out.
ok() {
  local desc=$1; shift
  ctl "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  if [ $rc -ne 0 ]; then fail "$desc: extwdctl $* exited $rc: $(cat "$T/err")"; return 1; fi
  echo "ok: $desc"
}
# has REGEX [FILE]: the last output (or FILE) has a line matching REGEX.
has() { grep -Eq -- "$1" "${2:-$T/out}" || fail "no line matching '$1' in ${2:-out}: $(cat "${2:-$T/out}")"; }
# resets: how many host resets the server has logged.
resets() { grep -c ' reset$' "$T/log"; }
