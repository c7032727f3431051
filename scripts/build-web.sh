#!/usr/bin/env bash
# Builds the browser bundle into www/pkg: wasm build, wasm-bindgen glue,
# wasm-opt -Oz (binaryen from node_modules), and prints the gzipped size.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --lib --target wasm32-unknown-unknown --profile wasm-release
rm -rf www/pkg
wasm-bindgen --target web --no-typescript --out-dir www/pkg \
  target/wasm32-unknown-unknown/wasm-release/gradstep.wasm

WASM=www/pkg/gradstep_bg.wasm
if [ ! -x node_modules/.bin/wasm-opt ]; then
  echo "build-web: node_modules/.bin/wasm-opt is missing; run scripts/setup.sh" >&2
  exit 1
fi
node_modules/.bin/wasm-opt -Oz \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$WASM" -o "$WASM.opt"
mv "$WASM.opt" "$WASM"

raw=$(wc -c <"$WASM")
gz=$(gzip -9 -c "$WASM" | wc -c)
js_gz=$(gzip -9 -c www/pkg/gradstep.js | wc -c)
printf 'build-web: %s is %d KB raw, %d KB gzipped (+ %d KB gzipped JS glue); budget 300 KB gzipped\n' \
  "$WASM" $((raw / 1024)) $((gz / 1024)) $((js_gz / 1024))
if [ "$gz" -gt $((300 * 1024)) ]; then
  echo "build-web: the gzipped wasm exceeds the 300 KB budget" >&2
  exit 1
fi
