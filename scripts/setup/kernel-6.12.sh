#!/usr/bin/env bash
# Downloads and caches the newest Debian 13 (trixie) generic kernel, 6.12, beside Debian 12's 6.1, through a
# private apt setup (the system's apt configuration and lists are not touched).
set -euo pipefail

# Debian 13's package puts the modules under usr/lib/modules (merged /usr) and compresses them (.ko.xz);
# its modules.builtin lists virtio_pci and the virtio core, which Debian 12's 6.1 has as modules.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${BOOTSTRAP_CACHE_DIR:-$root/.cache}/kernel-6.12
export DEBIAN_FRONTEND=noninteractive

fail() {
  echo "kernel-6.12: $*" >&2
  exit 1
}

# shellcheck source=scripts/setup/kernel-cache.sh
source "$here/kernel-cache.sh"
! kernel_cache_ready "$cache/env" || exit 0

for tool in apt-get apt-cache dpkg-deb depmod; do
  command -v "$tool" >/dev/null || fail "$tool not found; run scripts/setup/host-packages.sh first"
done

kernel_cache_scratch "$cache"
log=$kernel_work/log

# shellcheck source=scripts/setup/private-apt.sh
source "$here/private-apt.sh"
private_apt_init "$kernel_work/apt" amd64 trixie
private_apt_update "$log"

# linux-image-6.12.<patch>+deb13[u<n>]-amd64-unsigned; its release (uname -r) drops the -unsigned.
package=$(apt-cache "${private_apt_options[@]}" search --names-only '^linux-image-6\.12\.[0-9]+\+deb13(u[0-9]+)?-amd64-unsigned$' |
  awk '{ print $1 }' | sort -V | tail -n 1)
[[ -n $package ]] || fail 'no linux-image-6.12.*-amd64-unsigned package in trixie'
version=${package#linux-image-}
version=${version%-unsigned}

private_apt_download "$kernel_work" "$package"
kernel_cache_unpack "$package" "$version"
modules=$kernel_work/root/usr/lib/modules/$version
[[ -d $modules ]] || fail "$package has no usr/lib/modules/$version"

# Debian 12's depmod (kmod 30) reads BASE/lib/modules only: give it that path for the run, then take it away,
# so the cache has the modules where Debian 13 has them.
[[ ! -e $kernel_work/root/lib ]] || fail "$package unexpectedly has a top-level lib directory"
ln -s usr/lib "$kernel_work/root/lib"
depmod -b "$kernel_work/root" "$version" || fail "depmod -b $kernel_work/root $version failed"
rm "$kernel_work/root/lib"
[[ -f $modules/modules.dep ]] || fail "depmod wrote no $modules/modules.dep"
rm -rf "$log" "$kernel_work/apt"
kernel_cache_commit "$cache" "$version" "usr/lib/modules/$version"
