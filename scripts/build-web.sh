#!/usr/bin/env bash
# Builds the two browser bundles into www/pkg: the training worker's session
# (gradstep_worker) and the main thread's painter (gradstep_painter). Each is
# a wasm build with its cargo feature, wasm-bindgen glue and wasm-opt -O3
# (binaryen from node_modules); prints the gzipped sizes against the budget.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if [ ! -x node_modules/.bin/wasm-opt ]; then
  echo "build-web: node_modules/.bin/wasm-opt is missing; run scripts/setup.sh" >&2
  exit 1
fi
# KB here are 1000 bytes, the stricter reading of the 300 KB budget.
BUDGET_KB=300
rm -rf www/pkg
mkdir -p www/pkg
status=0
for part in worker painter; do
  cargo build --lib --target wasm32-unknown-unknown --profile wasm-release --features "$part"
  cp target/wasm32-unknown-unknown/wasm-release/gradstep.wasm "target/gradstep_$part.wasm"
  wasm-bindgen --target web --no-typescript --out-dir www/pkg --out-name "gradstep_$part" \
    "target/gradstep_$part.wasm"
  WASM="www/pkg/gradstep_${part}_bg.wasm"
  node_modules/.bin/wasm-opt -O3 --enable-simd \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$WASM" -o "$WASM.opt"
  mv "$WASM.opt" "$WASM"
  raw=$(wc -c <"$WASM")
  gz=$(gzip -9 -c "$WASM" | wc -c)
  js_gz=$(gzip -9 -c "www/pkg/gradstep_$part.js" | wc -c)
  printf 'build-web: %s is %d KB raw, %d KB gzipped (+ %d KB gzipped JS glue); budget %d KB gzipped\n' \
    "$WASM" $((raw / 1000)) $((gz / 1000)) $((js_gz / 1000)) "$BUDGET_KB"
  if [ "$gz" -gt $((BUDGET_KB * 1000)) ]; then
    echo "build-web: the gzipped $part bundle exceeds the $BUDGET_KB KB budget" >&2
    status=1
  fi
done
exit $status
