#!/usr/bin/env bash
# Fuzzes gradstep for N minutes (default 10): libFuzzer over the whole
# native path (fuzz/fuzz_targets/pipeline.rs: CSV → table → dataset →
# trainer → optimum → report, one-shot and sliced; see src/fuzzing.rs) on
# one core, and the wasm Session's API in node (scripts/fuzz-wasm.mjs) on
# the other. Installs nightly and cargo-fuzz when missing. A crash, a hang
# over 5 s or a sliced/one-shot disagreement stops it and is saved under
# fuzz/artifacts/; minimize it with
#   cargo +nightly fuzz tmin pipeline fuzz/artifacts/pipeline/<file>
# and copy the result to tests/data/fuzz/<name>.bin, where `cargo test`
# replays it (tests/fuzz_regressions.rs).
#
#   bash scripts/fuzz.sh [minutes]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"
minutes=${1:-10}
seconds=$((minutes * 60))

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
bash scripts/setup.sh >/dev/null
[ -f www/pkg/gradstep_worker_bg.wasm ] || bash scripts/build-web.sh

# The working corpus starts from the saved one and grows in fuzz/corpus.
mkdir -p fuzz/corpus/pipeline fuzz/artifacts/pipeline
cp -n tests/data/fuzz/*.bin fuzz/corpus/pipeline/ 2>/dev/null || true
for f in tests/data/*.csv; do
  # A seed per example file: default settings, then the file.
  out="fuzz/corpus/pipeline/seed-$(basename "$f" .csv).bin"
  [ -f "$out" ] || { printf '\0\0\0\0\0\024\0\0'; head -c 20000 "$f"; } >"$out"
done

node scripts/fuzz-wasm.mjs "$minutes" >fuzz/artifacts/wasm.log 2>&1 &
wasm_pid=$!

set +e
cargo +nightly fuzz run pipeline fuzz/corpus/pipeline -- \
  -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=100000 \
  -print_final_stats=1 2>&1 | tee fuzz/artifacts/pipeline.log | grep -E '^#[0-9]+.*(pulse|NEW|DONE|REDUCE)|Done|ERROR|panicked|==' | tail -n 40
native=${PIPESTATUS[0]}
wait "$wasm_pid"
wasm=$?
set -e
cat fuzz/artifacts/wasm.log
grep -E '^(Done|stat::number_of_executed_units)' fuzz/artifacts/pipeline.log || true
if [ "$native" != 0 ] || [ "$wasm" != 0 ]; then
  echo "fuzz: found a problem (native exit $native, wasm exit $wasm); see fuzz/artifacts/" >&2
  exit 1
fi
echo "fuzz: ${minutes} min native and wasm, nothing found"
