#!/usr/bin/env bash
# Downloads and caches the newest Debian 12 generic kernel (image + modules) for the QEMU test bed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${BOOTSTRAP_CACHE_DIR:-$root/.cache}/kernel
export DEBIAN_FRONTEND=noninteractive

fail() {
  echo "kernel: $*" >&2
  exit 1
}

# shellcheck source=scripts/setup/kernel-cache.sh
source "$here/kernel-cache.sh"
! kernel_cache_ready "$cache/env" || exit 0

for tool in apt-cache apt-get dpkg-deb depmod; do
  command -v "$tool" >/dev/null || fail "$tool not found; run scripts/setup/host-packages.sh first"
done

newest_package() {
  apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' | awk '{ print $1 }' | sort -V | tail -n 1
}

package=$(newest_package)
if [[ -z $package ]]; then
  # A fresh machine has no package lists yet.
  apt-get update -q </dev/null >/dev/null 2>&1 || fail 'apt-get update failed'
  package=$(newest_package)
fi
[[ -n $package ]] || fail 'no linux-image-6.1.0-<N>-amd64-unsigned package in the apt lists (is this Debian 12?)'
version=${package#linux-image-}
version=${version%-unsigned}

kernel_cache_scratch "$cache"
log=$kernel_work/log

# apt-get download as root drops to the _apt user, which cannot write here; stay root quietly.
download() {
  (cd "$kernel_work" && apt-get download -q -o APT::Sandbox::User=root "$package" </dev/null >"$log" 2>&1)
}
if ! download; then
  # Stale lists name a kernel the archive has since replaced: refresh them and take the newest again.
  apt-get update -q </dev/null >/dev/null 2>&1 || fail 'apt-get update failed'
  package=$(newest_package)
  version=${package#linux-image-}
  version=${version%-unsigned}
  if ! download; then
    cat "$log" >&2
    fail "apt-get download $package failed (output above)"
  fi
fi
kernel_cache_unpack "$package" "$version"
depmod -b "$kernel_work/root" "$version" || fail "depmod -b $kernel_work/root $version failed"
rm -f "$log"
kernel_cache_commit "$cache" "$version" "lib/modules/$version"
