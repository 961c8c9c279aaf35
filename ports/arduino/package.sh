#!/usr/bin/env bash
# Assembles the Arduino library package from this port, lib/ and include/:
#   ports/arduino/package.sh OUTDIR   -> OUTDIR/extwd/ and OUTDIR/extwd-<version>.zip
# The zip unpacks to extwd/ with library.properties at its root, as the
# Arduino IDE's "Add .ZIP Library" and the Library Manager expect.
# SPDX-License-Identifier: MIT
set -euo pipefail
OUT=${1:?usage: package.sh OUTDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# The project's home page, for library.properties and library.json: one
# setting, EXTWD_URL in release.conf (the environment overrides it).
URL=${EXTWD_URL:-$(sed -n 's/^EXTWD_URL=//p' "$HERE/release.conf")}
[ -n "$URL" ] || { echo "package.sh: no EXTWD_URL in ports/arduino/release.conf" >&2; exit 1; }
VERSION=$(sed -n 's/^#define EXTWD_LIB_VERSION "\(.*\)"$/\1/p' "$ROOT/include/extwd/extwd.h")
[ -n "$VERSION" ] || { echo "package.sh: no EXTWD_LIB_VERSION in include/extwd/extwd.h" >&2; exit 1; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
DEST="$OUT/extwd"
rm -rf "$DEST" "$OUT/extwd-$VERSION.zip"
mkdir -p "$DEST/src/extwd"
for f in library.properties library.json; do
  sed -e "s|@VERSION@|$VERSION|g" -e "s|@URL@|$URL|g" "$HERE/$f" >"$DEST/$f"
done
cp "$HERE/keywords.txt" "$HERE/README.md" "$DEST/"
sed -i '/^## This folder in the extwd repository/,$d' "$DEST/README.md"
cp "$ROOT/LICENSE" "$DEST/LICENSE"
cp -r "$HERE/examples" "$DEST/"
cp "$HERE"/src/*.h "$HERE"/src/*.cpp "$DEST/src/"
cp "$ROOT"/lib/*.c "$DEST/src/"
cp "$ROOT"/include/extwd/*.h "$DEST/src/extwd/"
(cd "$OUT" && TZ=UTC find extwd -exec touch -d '2000-01-01 00:00:00' {} + &&
  find extwd -type f | LC_ALL=C sort | zip -q -X -@ "extwd-$VERSION.zip")
echo "$OUT/extwd-$VERSION.zip"
