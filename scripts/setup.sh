#!/usr/bin/env bash
# Installs what building and testing gradstep needs on a fresh Debian machine
# (run as root). Idempotent: every step is skipped when already done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"

WASM_BINDGEN_VERSION=0.2.130
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    apt-get update
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is missing; install Rust with rustup first" >&2
  exit 1
fi

if command -v rustup >/dev/null 2>&1; then
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
  fi
  installed_components=$(rustup component list --installed)
  for component in rustfmt clippy; do
    if ! grep -q "^$component" <<<"$installed_components"; then
      rustup component add "$component"
    fi
  done
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  apt_install chromium chromium-driver
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi

# node_modules is outdated when the lockfile is newer than npm's own record.
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] \
  || { [ -f package-lock.json ] && [ package-lock.json -nt node_modules/.package-lock.json ]; } \
  || [ ! -x node_modules/.bin/wasm-opt ]; then
  if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund
  else
    npm install --no-audit --no-fund
  fi
fi
echo "setup: ok"
