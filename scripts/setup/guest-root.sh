#!/usr/bin/env bash
# Builds a small busybox guest root tree in DIR, for virtiofs/9p shares and `mkfs.ext4 -d` images.
set -euo pipefail

usage='usage: guest-root.sh DIR  (DIR is created if missing; existing files are overwritten)'
(($# == 1)) || { echo "$usage" >&2; exit 2; }
dir=$1
busybox=${BUSYBOX:-/bin/busybox}
# Another architecture's busybox (arm64's from scripts/setup/arm64.sh) lists its applets through an emulator
# such as qemu-aarch64-static, as this machine has no binfmt_misc handler for it.
runner=${BUSYBOX_RUNNER:-}

fail() {
  echo "guest-root: $*" >&2
  exit 1
}

[[ -x $busybox ]] || fail "$busybox missing; run scripts/setup/host-packages.sh (busybox-static)"
# The guest has no libc, so only a static busybox can run there.
if ldd "$busybox" >/dev/null 2>&1; then
  fail "$busybox is dynamically linked; install busybox-static"
fi

mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,etc,root,mnt}
chmod 1777 "$dir/tmp"
cp "$busybox" "$dir/bin/busybox"

# --list-full prints each applet's install path (bin/sh, sbin/poweroff, ...); init is ours.
while read -r applet; do
  [[ $applet == sbin/init || $applet == bin/busybox || $applet == linuxrc ]] && continue
  ln -sfn /bin/busybox "$dir/$applet"
done < <(${runner:+"$runner"} "$dir/bin/busybox" --list-full)

# The marker line is what tests wait for; the kernel command line picks what happens next.
cat >"$dir/sbin/init" <<'INIT'
#!/bin/sh
# Guest init of the test bed: reports that the switch into this root worked, then powers off.
[ -r /proc/uptime ] || mount -t proc proc /proc
read -r uptime _ </proc/uptime
echo "guest-root: init reached pid=$$ uptime=${uptime}s"
# What the initramfs left in memory: its files are tmpfs (Shmem) or ramfs (Unevictable) pages.
while read -r key value _; do
  case $key in Shmem: | Unevictable:) echo "guest-root: meminfo $key $value kB" ;; esac
done </proc/meminfo
case " $(cat /proc/cmdline) " in
  *' guest.shell '*) exec setsid cttyhack sh ;;
esac
sync
poweroff -f
INIT
chmod 755 "$dir/sbin/init"
