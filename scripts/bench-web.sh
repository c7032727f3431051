#!/usr/bin/env bash
# The page's performance in headless Chromium against the native one-thread
# step (see scripts/bench-web.mjs): builds the native example and, when
# www/pkg is missing, the wasm bundles; then prints the table of figures and
# targets. `--quick` skips the 1M-row cases. Not part of the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"
if [ ! -f www/pkg/gradstep_worker_bg.wasm ] || [ ! -f www/pkg/gradstep_painter_bg.wasm ]; then
  bash scripts/build-web.sh
fi
cargo build --release --quiet --example native_step
exec node scripts/bench-web.mjs "$@"
