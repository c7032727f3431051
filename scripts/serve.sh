#!/usr/bin/env bash
# Installs what is missing, builds the page and serves it on
# http://127.0.0.1:${PORT:-8080}/ until interrupted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
bash scripts/build-web.sh
exec node scripts/serve.mjs --port "${PORT:-8080}"
