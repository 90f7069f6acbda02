#!/usr/bin/env bash
# Installs the Debian packages every command the tests, benches and scripts run comes from; a no-op when
# they are all present.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

# By the commands they provide and who runs them. Of Debian's essential set (bash, dash, coreutils, dpkg,
# libc-bin's ldd, findutils, grep, sed, gzip, tar) nothing is listed: every Debian system has it.
packages=(
  # The QEMU test bed (harness/vm, test/vm, scripts/demo.ts, bench/boot.ts): qemu-system-x86_64, the guest's
  # static busybox (whose udhcpd serves test/pid1/dhcp-renewal.test.ts and whose udhcpc bench/dhcp.ts times), depmod (scripts/setup/kernel.sh), mkfs.ext4, cpio, zstd, xz, and the key that verifies
  # trixie's virtiofsd and 6.12 kernel (scripts/setup/virtiofsd.sh, kernel-6.12.sh).
  qemu-system-x86 busybox-static kmod e2fsprogs cpio zstd xz-utils debian-archive-keyring
  # awk in scripts/setup/kernel.sh and kernel-6.12.sh (Priority required, but not essential).
  mawk
  # The inits the PID 1 tests and bench/supervisor.ts compare against.
  tini catatonit
  # unshare and setpriv (test/sys, test/supervise, harness/vm), script for the tty fixtures (test/sys).
  util-linux bsdutils
  # ss: the PID 1 matrix checks no inspector port opened.
  iproute2
  # mkfs.vfat (test/unit/probe), sfdisk (partition-table tests), file (file-type checks).
  dosfstools fdisk file
  # A C compiler with the C library's headers and static archive (harness/pid1/orphan-storm.c; cc and
  # cc -static in test/unit/pack), and binutils: readelf (test/unit/pack), strip (scripts/build.ts).
  gcc libc6-dev binutils
  # The NFS server test/vm/nfs-root.test.ts boots guests from (harness/vm/nfs-server.ts): userspace NFS-Ganesha serves
  # NFSv3 and NFSv4 from one process; it registers NFSv3 with an rpcbind, which the harness runs privately.
  nfs-ganesha nfs-ganesha-vfs rpcbind
  # The arm64 build and guests (scripts/build.ts --arch arm64, test/vm/arm64.test.ts): qemu-aarch64-static runs
  # the arm64 Node to make its code cache, aarch64-linux-gnu-strip strips it, qemu-system-aarch64 boots it.
  qemu-user-static binutils-aarch64-linux-gnu qemu-system-arm
)

# One dpkg-query prints a status line per known package; anything without "install ok installed" is missing.
statuses=$'\n'$(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null || true)$'\n'
missing=()
for package in "${packages[@]}"; do
  [[ $statuses == *$'\n'"$package install ok installed"$'\n'* ]] || missing+=("$package")
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
