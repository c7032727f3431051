#!/usr/bin/env bash
# Every check of the project, end to end: formatting, lints, native tests,
# wasm tests under node, the browser build and the browser tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

step setup
bash scripts/setup.sh
step "cargo fmt --check"
cargo fmt --check
step "cargo clippy"
cargo clippy --all-targets -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --features worker -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --features painter -- -D warnings
step "cargo test"
cargo test
step "wasm tests (node)"
cargo test --target wasm32-unknown-unknown --features worker,painter \
  --test web --test determinism --test optimizers
step "build web"
bash scripts/build-web.sh
step "browser tests"
node --test tests/browser/
