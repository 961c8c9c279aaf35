#!/usr/bin/env bash
# make install into a DESTDIR, then use what it installed as a user would:
# the file list, the soname, a program built through pkg-config and one
# through find_package(extwd), the programs and their --version, the man
# pages, bash completion, and the unit with its configuration file.
#   tests/tools/install.sh BUILD_DIR PREFIX CC [EXTRA_CFLAGS]
# (EXTRA_CFLAGS: the sanitizer flags the library was built with.)
# SPDX-License-Identifier: MIT
set -u
BUILD=$1 PREFIX=$2 CC=$3 EXTRA=${4:-}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

DESTDIR="$T/root" cmake --install "$BUILD" >"$T/install.log" 2>&1 || { cat "$T/install.log"; echo "FAIL: cmake --install"; exit 1; }
R="$T/root$PREFIX"
LIBDIR=$(cd "$R" && dirname "$(find . -name libextwd.so.1 | head -1)")
LIBDIR=${LIBDIR#./}
echo "installed (PREFIX=$PREFIX):"
(cd "$R" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort | sed 's/^/    /')

for f in bin/extwdctl "$LIBDIR/libextwd.so.1.0.0" "$LIBDIR/libextwd.so.1" "$LIBDIR/libextwd.so" "$LIBDIR/libextwd.a" \
         include/extwd/extwd.h include/extwd/protocol.h include/extwd/extwd_linux.h "$LIBDIR/pkgconfig/extwd.pc" \
         "$LIBDIR/cmake/extwd/extwdConfig.cmake" "$LIBDIR/cmake/extwd/extwdConfigVersion.cmake" \
         share/man/man8/extwdctl.8 share/bash-completion/completions/extwdctl \
         lib/systemd/system/extwd.service etc/extwd.conf share/doc/extwd/linux.md; do
  [ -e "$R/$f" ] || fail "not installed: $f"
done
readelf -d "$R/$LIBDIR/libextwd.so.1.0.0" | grep -q 'SONAME.*\[libextwd\.so\.1\]' || fail "libextwd.so has no soname libextwd.so.1"
"$R/bin/extwdctl" --version | grep -Eq '^extwdctl [0-9]+\.[0-9]+\.[0-9]+$' || fail "installed extwdctl --version"
if [ -e "$R/bin/extwd-sim" ]; then
  "$R/bin/extwd-sim" --version | grep -Eq '^extwd-sim [0-9]+\.[0-9]+\.[0-9]+$' || fail "installed extwd-sim --version"
  [ -e "$R/share/man/man1/extwd-sim.1" ] || fail "not installed: share/man/man1/extwd-sim.1"
fi

# A program through pkg-config, run against the installed shared library.
export PKG_CONFIG_PATH="$R/$LIBDIR/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$T/root"
flags=$(pkg-config --cflags --libs extwd) || fail "pkg-config does not know extwd"
[ "$(pkg-config --modversion extwd)" = "$("$R/bin/extwdctl" --version | cut -d' ' -f2)" ] || fail "extwd.pc version"
# shellcheck disable=SC2086
$CC $EXTRA "$SRC/tests/tools/install_consumer.c" $flags -o "$T/consumer" 2>"$T/cc.err" || fail "build through pkg-config: $(cat "$T/cc.err")"
readelf -d "$T/consumer" | grep -q 'NEEDED.*\[libextwd\.so\.1\]' || fail "the program does not link libextwd.so.1"
out=$(LD_LIBRARY_PATH="$R/$LIBDIR" "$T/consumer") || fail "the program failed: $out"
echo "ok: pkg-config: $flags -> $out"

# The same through find_package(extwd).
mkdir -p "$T/cm"
cat >"$T/cm/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.18)
project(consumer C)
find_package(extwd 1 REQUIRED)
add_executable(consumer $SRC/tests/tools/install_consumer.c)
target_link_libraries(consumer PRIVATE extwd::extwd_static)
CM
if CC=$CC cmake -S "$T/cm" -B "$T/cm/build" -DCMAKE_PREFIX_PATH="$R" -DCMAKE_C_FLAGS="$EXTRA" \
     -DCMAKE_EXE_LINKER_FLAGS="$EXTRA" >"$T/cm.log" 2>&1 && cmake --build "$T/cm/build" >>"$T/cm.log" 2>&1; then
  "$T/cm/build/consumer" >/dev/null || fail "the find_package program failed"
  echo "ok: find_package(extwd) with extwd::extwd_static"
else
  fail "find_package(extwd): $(tail -5 "$T/cm.log")"
fi

# Man pages: built from --help, with the shutdown section.
grep -q '^\.SH "\?SHUTDOWN' "$R/share/man/man8/extwdctl.8" || fail "extwdctl.8 has no SHUTDOWN section"
grep -q 'health\\-retry' "$R/share/man/man8/extwdctl.8" || fail "extwdctl.8 lacks the run options"

# Bash completion: commands, settings, options.
complete_words() { # WORDS...: what completion offers for the last word
  ( COMP_WORDS=("$R/bin/extwdctl" "$@"); COMP_CWORD=$#
    # shellcheck disable=SC1090
    source "$R/share/bash-completion/completions/extwdctl"
    _extwdctl; printf '%s\n' "${COMPREPLY[@]}" )
}
complete_words st | grep -qx status || fail "completion: 'st' does not offer status"
complete_words get time | grep -qx timeout_ms || fail "completion: 'get time' does not offer timeout_ms"
complete_words run --health-r | grep -qx -- --health-retry || fail "completion: '--health-r' does not offer --health-retry"
complete_words --bus 1 cl | grep -qx clear || fail "completion: a command after --bus 1"
echo "ok: bash completion"

# The unit runs the installed program on the installed configuration file.
unit="$R/lib/systemd/system/extwd.service"
grep -qx "ExecStart=$PREFIX/bin/extwdctl --config $PREFIX/etc/extwd.conf run" "$unit" ||
  grep -qx "ExecStart=$PREFIX/bin/extwdctl --config /etc/extwd.conf run" "$unit" || fail "unit: ExecStart: $(grep ExecStart "$unit")"
conf=$(sed -n 's|^ExecStart=.* --config \([^ ]*\) run$|\1|p' "$unit")
conf_in_root="$T/root$conf"
[ -e "$conf_in_root" ] || fail "unit: the configuration file $conf is not installed"
"$R/bin/extwdctl" --config "$conf_in_root" run --help >/dev/null 2>"$T/err" || fail "the installed extwd.conf is refused: $(cat "$T/err")"
for k in Type=notify WatchdogSec= RestartPreventExitStatus=3 SupplementaryGroups=i2c 'DeviceAllow=char-i2c rw' \
         ExecReload= StateDirectory=extwd; do
  grep -q "^$k" "$unit" || fail "unit: no $k"
done
if command -v systemd-analyze >/dev/null; then
  sed "s|$PREFIX/bin/extwdctl|$R/bin/extwdctl|" "$unit" >"$T/extwd.service"
  if systemd-analyze verify --man=no "$T/extwd.service" >"$T/verify" 2>&1; then echo "ok: systemd-analyze verify"
  else fail "systemd-analyze verify: $(cat "$T/verify")"; fi
fi
echo "install: $fails failure(s)"
[ "$fails" -eq 0 ]
