#!/usr/bin/env bash
# The Arduino package as a user gets it: package.sh builds the zip, the zip
# unpacks to extwd/ with library.properties at its root, check_package.sh
# passes on it (layout rules and the AVR and ESP8266 compiles), and fails
# on each of a set of broken copies, so every rule shown here can fail.
#   tests/arduino/package_test.sh REPO_ROOT
# SPDX-License-Identifier: MIT
set -euo pipefail
ROOT=${1:?usage: package_test.sh REPO_ROOT}
CHECK="$ROOT/ports/arduino/check_package.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL (arduino package): $*" >&2; exit 1; }

zip=$("$ROOT/ports/arduino/package.sh" "$T/out")
[ -f "$zip" ] || fail "package.sh made no zip"
mkdir "$T/unz"
(cd "$T/unz" && unzip -q "$zip")
[ "$(ls "$T/unz")" = extwd ] || fail "the zip does not unpack to one folder extwd/: $(ls "$T/unz")"
[ -f "$T/unz/extwd/library.properties" ] || fail "no extwd/library.properties in the zip"
diff -r "$T/out/extwd" "$T/unz/extwd" >/dev/null || fail "the zip differs from the package folder"
"$CHECK" "$T/unz/extwd" all || fail "check_package.sh failed on the package"
echo "zip: $(basename "$zip"), $(unzip -Z1 "$zip" | grep -vc '/$') files"

# Each broken copy must fail its rule.
broken() { # name check-kind command...
  local name=$1 kind=$2
  shift 2
  rm -rf "$T/b" && cp -r "$T/unz/extwd" "$T/b"
  (cd "$T/b" && "$@")
  if "$CHECK" "$T/b" "$kind" 2>"$T/err" >/dev/null; then
    fail "check_package.sh accepted a package with $name"
  fi
  echo "rejected ($name): $(grep -v 'rule(s) failed' "$T/err" | head -n1)"
}
broken "a placeholder url" layout sed -i 's|^url=.*|url=https://example.invalid/extwd|' library.properties
broken "no category" layout sed -i '/^category=/d' library.properties
broken "an unknown category" layout sed -i 's|^category=.*|category=Watchdogs|' library.properties
broken "a version that is not SemVer" layout sed -i 's|^version=.*|version=1.1|' library.properties
broken "library.json at another version" layout sed -i 's|"version": "[^"]*"|"version": "0.0.1"|' library.json
broken "an example include outside the package" layout \
  sed -i '1i #include <NotInThePackage.h>' examples/Minimal/Minimal.ino
broken "an example without its .ino" layout mv examples/Minimal/Minimal.ino examples/Minimal/Other.ino
broken "a dot-file" layout touch src/.DS_Store
broken "a nested library" layout cp library.properties src/library.properties
broken "a keywords.txt line without a tab" layout sed -i 's|^ExtWD\t|ExtWD |' keywords.txt
broken "no LICENSE" layout rm LICENSE
broken "a warning in a source (-Werror)" compile sed -i '1i static int unused_here;' src/timer.c
broken "an example that does not compile" compile \
  sed -i 's|ExtWD.feed();|ExtWD.feed(1);|' examples/HealthChannels/HealthChannels.ino
echo "arduino package: checked, and 13 broken copies rejected"
