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
broken_count=0
broken() { # name check-kind command...
  local name=$1 kind=$2
  broken_count=$((broken_count + 1))
  shift 2
  rm -rf "$T/b" && cp -r "$T/unz/extwd" "$T/b"
  (cd "$T/b" && "$@")
  if "$CHECK" "$T/b" "$kind" 2>"$T/err" >/dev/null; then
    fail "check_package.sh accepted a package with $name"
  fi
  echo "rejected ($name): $(grep -v 'rule(s) failed' "$T/err" | head -n1)"
}
# A placeholder url host passes with a warning, as in Library Manager's run
# of arduino-lint (a dead url is its LP042 warning); an empty url or one that
# is no URL at all fails (LP056, LP041).
rm -rf "$T/b" && cp -r "$T/unz/extwd" "$T/b"
sed -i 's|^url=.*|url=https://example.invalid/extwd|' "$T/b/library.properties"
"$CHECK" "$T/b" layout 2>"$T/err" >/dev/null || fail "a placeholder url host was refused: $(cat "$T/err")"
grep -q "warning: .*placeholder" "$T/err" || fail "no warning for a placeholder url host"
echo "warned (a placeholder url host): $(head -n1 "$T/err")"
broken "an empty url" layout sed -i 's|^url=.*|url=|' library.properties
broken "a url that is not a URL" layout sed -i 's|^url=.*|url=extwd|' library.properties
broken "no category" layout sed -i '/^category=/d' library.properties
broken "an unknown category" layout sed -i 's|^category=.*|category=Watchdogs|' library.properties
broken "a version that is not SemVer" layout sed -i 's|^version=.*|version=1.1|' library.properties
broken "library.json at another version" layout sed -i 's|"version": "[^"]*"|"version": "0.0.1"|' library.json
broken "an example include outside the package" layout \
  sed -i '1i #include <NotInThePackage.h>' examples/Minimal/Minimal.ino
broken "an example without its .ino" layout mv examples/Minimal/Minimal.ino examples/Minimal/Other.ino
broken "a dot-file" layout touch src/.DS_Store
broken "a nested library" layout cp library.properties src/library.properties
broken "a core header inside the package" layout touch src/Wire.h
broken "an example missing from library.json" layout \
  sh -c "cp -r examples/Minimal examples/Other && mv examples/Other/Minimal.ino examples/Other/Other.ino"
broken "a keywords.txt line without a tab" layout sed -i 's|^ExtWD\t|ExtWD |' keywords.txt
broken "no LICENSE" layout rm LICENSE
broken "a warning in a source (-Werror)" compile sed -i '1i static int unused_here;' src/timer.c
broken "an example that does not compile" compile \
  sed -i 's|ExtWD.feed();|ExtWD.feed(1);|' examples/HealthChannels/HealthChannels.ino
broken "the ESP8266 example that does not compile" compile \
  sed -i 's|WiFi.reconnect();|WiFi.reconnect(1);|' examples/OTGWStyle/OTGWStyle.ino
broken "a warning in the ESP8266 example (-Werror)" compile \
  sed -i 's|^void loop()$|static int unused_here;\nvoid loop()|' examples/OTGWStyle/OTGWStyle.ino
echo "arduino package: checked, a placeholder url warned about, and $broken_count broken copies rejected"
