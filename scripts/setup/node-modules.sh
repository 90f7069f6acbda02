#!/usr/bin/env bash
# Installs the npm packages exactly as package-lock.json pins them; a no-op when they already are.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

stamp=node_modules/.package-lock.json
if [[ -f $stamp && $stamp -nt package-lock.json && -x node_modules/.bin/node ]]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error </dev/null
