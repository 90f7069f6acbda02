#!/usr/bin/env bash
# Prepares the QEMU test bed: host packages, the cached Debian kernels (12's 6.1, 13's 6.12), trixie's virtiofsd,
# and the arm64 kernel, sysroot and Node (test/vm/arm64.test.ts).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/host-packages.sh"
bash "$here/kernel.sh"
bash "$here/kernel-6.12.sh"
bash "$here/virtiofsd.sh"
bash "$here/arm64.sh"
