#!/usr/bin/env bash
# Downloads and caches the newest Debian 13 (trixie) generic kernel, 6.12, beside Debian 12's 6.1, through a
# private apt setup (the system's apt configuration and lists are not touched).
set -euo pipefail

# Debian 13's package puts the modules under usr/lib/modules (merged /usr) and compresses them (.ko.xz);
# its modules.builtin lists virtio_pci and the virtio core, which Debian 12's 6.1 has as modules.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${BOOTSTRAP_CACHE_DIR:-$root/.cache}/kernel-6.12
env_file=$cache/env
export DEBIAN_FRONTEND=noninteractive

fail() {
  echo "kernel-6.12: $*" >&2
  exit 1
}

# The env file is written last, so its presence (with the files it names) means a complete cache.
if [[ -f $env_file ]]; then
  # shellcheck source=/dev/null
  source "$env_file"
  if [[ -f ${KERNEL_IMAGE:-} && -f ${KERNEL_MODULES:-}/modules.dep ]]; then
    echo "kernel $KERNEL_VERSION cached"
    exit 0
  fi
fi

for tool in apt-get apt-cache dpkg-deb depmod; do
  command -v "$tool" >/dev/null || fail "$tool not found; run scripts/setup/host-packages.sh first"
done

# Build in a scratch directory and move it into place, so an interrupted run leaves no half cache.
mkdir -p "$(dirname "$cache")"
work=$(mktemp -d "$cache.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/log

# shellcheck source=scripts/setup/trixie-apt.sh
source "$here/trixie-apt.sh"
trixie_apt_init "$work/apt"
trixie_apt_update "$log"

# linux-image-6.12.<patch>+deb13[u<n>]-amd64-unsigned; its release (uname -r) drops the -unsigned.
package=$(apt-cache "${trixie_apt_options[@]}" search --names-only '^linux-image-6\.12\.[0-9]+\+deb13(u[0-9]+)?-amd64-unsigned$' |
  awk '{ print $1 }' | sort -V | tail -n 1)
[[ -n $package ]] || fail 'no linux-image-6.12.*-amd64-unsigned package in trixie'
version=${package#linux-image-}
version=${version%-unsigned}

if ! (cd "$work" && apt-get "${trixie_apt_options[@]}" download -q "$package" </dev/null >"$log" 2>&1); then
  cat "$log" >&2
  fail "apt-get download $package from trixie failed (output above)"
fi
deb=$(find "$work" -maxdepth 1 -name '*.deb' | head -n 1)
[[ -n $deb ]] || fail "apt-get download $package produced no .deb"
dpkg-deb -x "$deb" "$work/root" || fail "dpkg-deb -x $deb failed"
[[ -f $work/root/boot/vmlinuz-$version ]] || fail "$package has no boot/vmlinuz-$version"
modules=$work/root/usr/lib/modules/$version
[[ -d $modules ]] || fail "$package has no usr/lib/modules/$version"

# Debian 12's depmod (kmod 30) reads BASE/lib/modules only: give it that path for the run, then take it away,
# so the cache has the modules where Debian 13 has them.
[[ ! -e $work/root/lib ]] || fail "$package unexpectedly has a top-level lib directory"
ln -s usr/lib "$work/root/lib"
depmod -b "$work/root" "$version" || fail "depmod -b $work/root $version failed"
rm "$work/root/lib"
[[ -f $modules/modules.dep ]] || fail "depmod wrote no $modules/modules.dep"
rm -rf "$deb" "$log" "$work/apt"

rm -rf "$cache"
mv "$work" "$cache"
trap - EXIT
cat >"$env_file" <<ENV
KERNEL_VERSION=$version
KERNEL_IMAGE=$cache/root/boot/vmlinuz-$version
KERNEL_MODULES=$cache/root/usr/lib/modules/$version
ENV
echo "kernel $version cached"
