#!/usr/bin/env bash
# Assembles an Arduino library folder from this port, lib/ and include/:
#   ports/arduino/package.sh OUTDIR    -> OUTDIR/extwd (copy to ~/Arduino/libraries/)
# SPDX-License-Identifier: MIT
set -euo pipefail
OUT=${1:?usage: package.sh OUTDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DEST="$OUT/extwd"
rm -rf "$DEST"
mkdir -p "$DEST/src/extwd"
cp "$HERE/library.properties" "$DEST/"
cp -r "$HERE/examples" "$DEST/"
cp "$HERE"/src/*.h "$HERE"/src/*.cpp "$DEST/src/"
cp "$ROOT"/lib/*.c "$DEST/src/"
cp "$ROOT"/include/extwd/*.h "$DEST/src/extwd/"
echo "$DEST"
