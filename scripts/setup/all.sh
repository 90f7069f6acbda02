#!/usr/bin/env bash
# Prepares the QEMU test bed: host packages, the cached Debian kernel, and trixie's virtiofsd.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/host-packages.sh"
bash "$here/kernel.sh"
bash "$here/virtiofsd.sh"
