#!/usr/bin/env bash
# The main job: build, pack an initramfs, boot a QEMU guest over virtiofs and show it working.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup/node-modules.sh
# Everything below runs on the pinned Node 24 (node_modules/.bin/node), never the machine's node.
export PATH="$PWD/node_modules/.bin:$PATH"
bash scripts/setup/all.sh
tsx scripts/build.ts
tsx scripts/demo.ts
