#!/usr/bin/env bash
# Checks an assembled Arduino package (package.sh's OUTDIR/extwd) the way
# the Library Manager's indexer and arduino-lint do, then compiles it:
#   ports/arduino/check_package.sh PKGDIR [layout|compile|all]
#
# layout: library.properties at the root with every required field, real
#   values (a SemVer version equal to library.json's and the header's, a
#   known category, an http(s) url, includes that exist in src/; a reserved
#   placeholder url host is only warned about, as Library Manager does),
#   LICENSE, README, src/, well-formed keywords.txt, one NAME/NAME.ino per
#   example and each listed in library.json, no forbidden paths (dot-files,
#   symlinks, executables, nested libraries, a core header such as Wire.h
#   inside the package, which would shadow the board's), and every #include
#   of every example resolving inside the package or to a core header.
# compile: every source of src/ and the portable examples to object files
#   with avr-g++/avr-gcc against Debian's Arduino AVR core (arduino-core-avr;
#   objects are the bar: its arduino-builder fails at the final link inside
#   Debian's own core), and src/ plus every example (the ESP8266-only
#   OTGWStyle too) with xtensa-lx106-elf-g++ -DESP8266 against the stand-in
#   headers of the ESP8266 core's APIs in tests/arduino/esp8266/ (not part
#   of the package; EXTWD_ESP8266_HEADERS names another folder).
# Prints one line per failed rule on stderr; exits 1 if any failed.
# SPDX-License-Identifier: MIT
set -uo pipefail
PKG=${1:?usage: check_package.sh PKGDIR [layout|compile|all]}
WHAT=${2:-all}
HERE=$(cd "$(dirname "$0")" && pwd)
ESP_HEADERS=${EXTWD_ESP8266_HEADERS:-$HERE/../../tests/arduino/esp8266}
AVR_CORE=${EXTWD_AVR_CORE:-/usr/share/arduino/hardware/arduino/avr}
FAILS=0
bad() { echo "check_package: $*" >&2; FAILS=$((FAILS + 1)); }

# The core headers an example may include, per board family. Everything
# else must be in the package's src/.
CORE_HEADERS="Arduino.h Wire.h ESP8266WiFi.h ArduinoOTA.h"
PORTABLE_EXAMPLES="Minimal HealthChannels"   # the others need the ESP8266 core
CATEGORIES="Display|Communication|Signal Input/Output|Sensors|Device Control|Timing|Data Storage|Data Processing|Other"

prop() { sed -n "s/^$1=//p" "$PKG/library.properties" | head -n1; }

check_layout() {
  [ -d "$PKG/src" ] || bad "no src/ folder"
  [ -f "$PKG/library.properties" ] || { bad "no library.properties at the package root"; return; }
  local f v
  for f in name version author maintainer sentence paragraph category url architectures; do
    [ -n "$(prop "$f")" ] || bad "library.properties: no $f"
  done
  grep -q '@[A-Z]*@' "$PKG/library.properties" "$PKG/library.json" 2>/dev/null &&
    bad "an unfilled @PLACEHOLDER@ in the metadata"
  v=$(prop name)
  [[ "$v" =~ ^[A-Za-z0-9][A-Za-z0-9\ _.-]{0,62}$ ]] || bad "library.properties: bad name '$v'"
  v=$(prop version)
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || bad "library.properties: version '$v' is not MAJOR.MINOR.PATCH"
  local hv
  hv=$(sed -n 's/^#define EXTWD_LIB_VERSION "\(.*\)"$/\1/p' "$PKG/src/extwd/extwd.h")
  [ "$v" = "$hv" ] || bad "library.properties version $v is not EXTWD_LIB_VERSION $hv"
  echo "$(prop category)" | grep -qxE "$CATEGORIES" || bad "library.properties: unknown category '$(prop category)'"
  # url: Library Manager (arduino-lint --compliance=permissive) requires it
  # non-empty (LP040, LP056, above). A valid URL (LP041) is an error at
  # arduino-lint's default level and a warning in Library Manager's run:
  # refused here. A host that cannot load (LP042) is only a warning there,
  # so a reserved placeholder host (RFC 2606/6761) is a warning here too.
  v=$(prop url)
  [[ "$v" =~ ^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/.*)?$ ]] || bad "library.properties: url '$v' is not a URL"
  if [[ "$v" =~ ^https?://(([^/]*\.)?example\.(com|org|net)|[^/]*\.(invalid|test|example|localhost)|localhost)(/|:|$) ]]; then
    echo "check_package: warning: library.properties: url '$v' is a placeholder host; set EXTWD_URL (ports/arduino/release.conf) before publishing" >&2
  fi
  local inc
  for inc in $(prop includes | tr ',' ' '); do
    [ -f "$PKG/src/$inc" ] || bad "library.properties: includes $inc, not in src/"
  done
  # library.json: PlatformIO's manifest, the same name and version.
  if [ -f "$PKG/library.json" ]; then
    grep -q "\"name\": *\"$(prop name)\"" "$PKG/library.json" || bad "library.json: name is not $(prop name)"
    grep -q "\"version\": *\"$(prop version)\"" "$PKG/library.json" || bad "library.json: version is not $(prop version)"
    [ "$(tr -cd '{' <"$PKG/library.json" | wc -c)" = "$(tr -cd '}' <"$PKG/library.json" | wc -c)" ] ||
      bad "library.json: braces do not balance"
  else
    bad "no library.json"
  fi
  [ -f "$PKG/LICENSE" ] || bad "no LICENSE"
  [ -f "$PKG/README.md" ] || bad "no README.md"
  if [ -f "$PKG/keywords.txt" ]; then
    local n=0 line
    while IFS= read -r line; do
      n=$((n + 1))
      [ -z "$line" ] || [[ "$line" == \#* ]] && continue
      [[ "$line" =~ ^[A-Za-z_][A-Za-z0-9_]*$'\t'(KEYWORD1|KEYWORD2|KEYWORD3|LITERAL1|LITERAL2)$ ]] ||
        bad "keywords.txt:$n: not NAME<TAB>KEYWORD1|KEYWORD2|KEYWORD3|LITERAL1|LITERAL2"
    done <"$PKG/keywords.txt"
  else
    bad "no keywords.txt"
  fi
  # Forbidden paths.
  local p h
  while IFS= read -r p; do bad "forbidden path: ${p#"$PKG"/}"; done < <(
    find "$PKG" -mindepth 1 \( -name '.*' -o -type l -o -name '*.exe' -o -name '*.dll' -o -name '*.so' \
      -o -name '*.o' -o -name '*.a' \) -print
    find "$PKG" -mindepth 2 -name library.properties -print
    for h in $CORE_HEADERS WString.h; do find "$PKG" -name "$h" -print; done)
  # Examples: NAME/NAME.ino, and every include resolvable.
  [ -d "$PKG/examples" ] || bad "no examples/"
  local d e
  for d in "$PKG"/examples/*/; do
    e=$(basename "$d")
    [ -f "$d/$e.ino" ] || { bad "examples/$e has no $e.ino"; continue; }
    grep -q "\"base\": *\"examples/$e\"" "$PKG/library.json" 2>/dev/null ||
      bad "examples/$e is not in library.json's examples"
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p' "$d"/*.ino); do
      [ -f "$PKG/src/$inc" ] || [ -f "$d/$inc" ] || [[ " $CORE_HEADERS " == *" $inc "* ]] ||
        bad "examples/$e: #include <$inc> is neither in the package nor a core header"
    done
  done
}

# ino -> a C++ translation unit, as the Arduino builder makes it.
as_cpp() { printf '#include <Arduino.h>\n#line 1 "%s"\n' "$(basename "$1")"; cat "$1"; }

check_compile() {
  local T s e d
  T=$(mktemp -d)
  trap 'rm -rf "$T"' RETURN
  local W="-Wall -Wextra -Werror"
  if [ -f "$AVR_CORE/cores/arduino/Arduino.h" ] && command -v avr-g++ >/dev/null; then
    local AVR=(-mmcu=atmega328p -DF_CPU=16000000L -DARDUINO=10807 -DARDUINO_AVR_UNO -DARDUINO_ARCH_AVR
               -Os -ffunction-sections -fdata-sections
               -I"$AVR_CORE/cores/arduino" -I"$AVR_CORE/variants/standard"
               -I"$AVR_CORE/libraries/Wire/src" -I"$PKG/src")
    for s in "$PKG"/src/*.c; do
      avr-gcc -std=gnu11 $W "${AVR[@]}" -c "$s" -o "$T/avr-$(basename "$s").o" || bad "avr-gcc: $(basename "$s")"
    done
    for s in "$PKG"/src/*.cpp; do
      avr-g++ -std=gnu++11 -fno-exceptions -fno-threadsafe-statics $W "${AVR[@]}" -c "$s" \
        -o "$T/avr-$(basename "$s").o" || bad "avr-g++: $(basename "$s")"
    done
    for e in $PORTABLE_EXAMPLES; do
      as_cpp "$PKG/examples/$e/$e.ino" >"$T/$e.cpp"
      avr-g++ -std=gnu++11 -fno-exceptions -fno-threadsafe-statics $W "${AVR[@]}" -c "$T/$e.cpp" \
        -o "$T/avr-$e.o" || bad "avr-g++: example $e"
    done
    echo "check_package: avr-gcc (atmega328p, Debian's Arduino AVR core): $(ls "$T"/avr-*.o 2>/dev/null | wc -l) objects"
  else
    bad "no Arduino AVR core at $AVR_CORE or no avr-g++ (scripts/install-deps.sh installs arduino-core-avr)"
  fi
  if ! [ -f "$ESP_HEADERS/Arduino.h" ]; then
    bad "no ESP8266 stand-in headers at $ESP_HEADERS (tests/arduino/esp8266 in the extwd repository)"
  elif command -v xtensa-lx106-elf-g++ >/dev/null; then
    local X=(-ffreestanding -DESP8266 -DARDUINO=10819 -Os -mlongcalls -ffunction-sections -fdata-sections
             -I"$ESP_HEADERS" -I"$PKG/src")
    for s in "$PKG"/src/*.c; do
      xtensa-lx106-elf-gcc -std=gnu11 $W "${X[@]}" -c "$s" -o "$T/x-$(basename "$s").o" ||
        bad "xtensa-lx106-elf-gcc: $(basename "$s")"
    done
    for s in "$PKG"/src/*.cpp; do
      xtensa-lx106-elf-g++ -std=gnu++11 -fno-exceptions -fno-rtti $W "${X[@]}" -c "$s" \
        -o "$T/x-$(basename "$s").o" || bad "xtensa-lx106-elf-g++: $(basename "$s")"
    done
    for d in "$PKG"/examples/*/; do
      e=$(basename "$d")
      as_cpp "$PKG/examples/$e/$e.ino" >"$T/$e.cpp"
      xtensa-lx106-elf-g++ -std=gnu++11 -fno-exceptions -fno-rtti $W "${X[@]}" -c "$T/$e.cpp" \
        -o "$T/x-$e.o" || bad "xtensa-lx106-elf-g++: example $e"
    done
    echo "check_package: xtensa-lx106-elf (ESP8266, stand-in core headers): $(ls "$T"/x-*.o 2>/dev/null | wc -l) objects"
  else
    bad "no xtensa-lx106-elf-g++ (gcc-xtensa-lx106)"
  fi
}

case "$WHAT" in
  layout) check_layout ;;
  compile) check_compile ;;
  all) check_layout; check_compile ;;
  *) echo "check_package: unknown check '$WHAT'" >&2; exit 2 ;;
esac
[ "$FAILS" = 0 ] || { echo "check_package: $FAILS rule(s) failed" >&2; exit 1; }
echo "check_package: $PKG: $WHAT ok"
