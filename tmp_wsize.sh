set -e
cd /work/main
cargo build -q --lib --target wasm32-unknown-unknown --profile wasm-release --features worker
wasm-bindgen --target web --no-typescript --out-dir /tmp/wo --out-name w target/wasm32-unknown-unknown/wasm-release/gradstep.wasm
node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue /tmp/wo/w_bg.wasm -o /tmp/wo/o.wasm
echo "raw $(wc -c </tmp/wo/o.wasm) gz $(gzip -9 -c /tmp/wo/o.wasm | wc -c)"
