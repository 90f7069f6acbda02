#!/usr/bin/env bash
# Installs the Debian packages the QEMU test bed needs; a no-op when they are all present.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

packages=(
  qemu-system-x86 busybox-static kmod e2fsprogs cpio zstd xz-utils
  tini catatonit util-linux iproute2 debian-archive-keyring dosfstools fdisk
)

# dpkg-query prints one status per package; anything not "install ok installed" is missing.
missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ $status == 'install ok installed' ]] || missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) != 0 ]]; then
  echo "host-packages: missing ${missing[*]}; run this script as root to install them" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# A fresh machine has no package lists, so update only when something must be installed.
if ! apt-get update -q </dev/null >"$log" 2>&1; then
  cat "$log" >&2
  echo 'host-packages: apt-get update failed (output above)' >&2
  exit 1
fi
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >"$log" 2>&1; then
  cat "$log" >&2
  echo "host-packages: apt-get install ${missing[*]} failed (output above)" >&2
  exit 1
fi
echo "host-packages: installed ${missing[*]}"
