#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what it needs (idempotently), then typecheck, lint,
# schema drift, build of the single executable, and every test tier (unit, exec, sys as root, vm in QEMU).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup/node-modules.sh
# Everything below runs on the pinned Node 24 (node_modules/.bin/node), never the machine's node.
export PATH="$PWD/node_modules/.bin:$PATH"
bash scripts/setup/all.sh

echo "== typecheck"; tsc -p .
echo "== lint"; eslint --max-warnings 0 .
echo "== schema drift"; tsx scripts/generate.ts --check
echo "== build"; tsx scripts/build.ts
echo "== build (arm64)"; tsx scripts/build.ts --arch arm64
echo "== tests"
mkdir -p .cache
report=.cache/vitest-report.json
status=0
vitest run --reporter=default --reporter=json --outputFile="$report" "$@" || status=$?
# One plain closing line for CI, whatever the reporter printed above it.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`);
' "$report" || true
exit "$status"
