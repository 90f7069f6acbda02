#!/usr/bin/env bash
# Downloads and caches the newest Debian 12 generic kernel (image + modules) for the QEMU test bed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${BOOTSTRAP_CACHE_DIR:-$root/.cache}/kernel
env_file=$cache/env
export DEBIAN_FRONTEND=noninteractive

fail() {
  echo "kernel: $*" >&2
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

# Build in a scratch directory and move it into place, so an interrupted run leaves no half cache.
mkdir -p "$(dirname "$cache")"
work=$(mktemp -d "$cache.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/log

# apt-get download as root drops to the _apt user, which cannot write here; stay root quietly.
download() {
  (cd "$work" && apt-get download -q -o APT::Sandbox::User=root "$package" </dev/null >"$log" 2>&1)
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
deb=$(find "$work" -maxdepth 1 -name '*.deb' | head -n 1)
[[ -n $deb ]] || fail "apt-get download $package produced no .deb"
dpkg-deb -x "$deb" "$work/root" || fail "dpkg-deb -x $deb failed"
[[ -f $work/root/boot/vmlinuz-$version ]] || fail "$package has no boot/vmlinuz-$version"
depmod -b "$work/root" "$version" || fail "depmod -b $work/root $version failed"
rm -f "$deb" "$log"

rm -rf "$cache"
mv "$work" "$cache"
trap - EXIT
cat >"$env_file" <<ENV
KERNEL_VERSION=$version
KERNEL_IMAGE=$cache/root/boot/vmlinuz-$version
KERNEL_MODULES=$cache/root/lib/modules/$version
ENV
echo "kernel $version cached"
