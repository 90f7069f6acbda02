#!/usr/bin/env bash
# Downloads Debian 13's virtiofsd with the libraries it links into .cache/virtiofsd, through a private apt setup.
set -euo pipefail

# Debian 12 has no virtiofsd, and trixie's needs glibc >= 2.39: it runs through trixie's own
# dynamic loader with --library-path, so nothing is installed on the host.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${BOOTSTRAP_CACHE_DIR:-$root/.cache}/virtiofsd
wrapper=$cache/run-virtiofsd
# The brief's list plus whatever virtiofsd's own Depends field names (added below).
base_packages=(virtiofsd libc6 libseccomp2 libcap-ng0 libgcc-s1)
export DEBIAN_FRONTEND=noninteractive

fail() {
  echo "virtiofsd: $*" >&2
  exit 1
}

if [[ -x $wrapper ]] && version=$("$wrapper" --version 2>/dev/null); then
  echo "virtiofsd ${version##* } cached"
  exit 0
fi

for tool in apt-get apt-cache dpkg-deb; do
  command -v "$tool" >/dev/null || fail "$tool not found; run scripts/setup/host-packages.sh first"
done

mkdir -p "$(dirname "$cache")"
work=$(mktemp -d "$cache.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/log
apt=$work/apt

# shellcheck source=scripts/setup/private-apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"
private_apt_init "$apt" amd64 trixie
private_apt_update "$log"
apt_options=("${private_apt_options[@]}")

# Depends: "libc6 (>= 2.39), libcap-ng0 (>= 0.7.9), ..."; alternatives ("a | b") take the first.
depends=$(apt-cache "${apt_options[@]}" show --no-all-versions virtiofsd 2>"$log" | sed -n 's/^Depends: //p') ||
  fail "virtiofsd not found in trixie: $(cat "$log")"
mapfile -t extra < <(tr ',' '\n' <<<"$depends" | sed -E 's/\|.*//; s/\(.*\)//; s/:any//; s/^ +| +$//g' | grep -v '^$')
mapfile -t packages < <(printf '%s\n' "${base_packages[@]}" "${extra[@]}" | sort -u)

private_apt_download "$work" "${packages[@]}"
for deb in "$work"/*.deb; do
  dpkg-deb -x "$deb" "$work/root" || fail "dpkg-deb -x $deb failed"
done

binary=$work/root/usr/libexec/virtiofsd
lib=$work/root/usr/lib/x86_64-linux-gnu
[[ -x $binary ]] || fail 'the virtiofsd package has no usr/libexec/virtiofsd'
[[ -x $lib/ld-linux-x86-64.so.2 ]] || fail "trixie's libc6 has no usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"

# A library missing from $lib would silently resolve to the host's older copy and fail later.
listing=$("$lib/ld-linux-x86-64.so.2" --library-path "$lib" --list "$binary" 2>&1) ||
  fail "virtiofsd does not link: $listing"
outside=$(grep '=>' <<<"$listing" | grep -v -F "$lib/" || true)
[[ -z $outside ]] || fail "virtiofsd needs libraries that are not in the downloaded set:
$outside"

rm -rf "$cache"
mkdir -p "$cache"
mv "$work/root" "$cache/root"
# The wrapper finds its files relative to itself, so the cache directory can move.
cat >"$wrapper" <<'WRAPPER'
#!/bin/sh
# Runs trixie's virtiofsd through trixie's own dynamic loader and libraries.
here=$(cd "$(dirname "$0")" && pwd)
lib=$here/root/usr/lib/x86_64-linux-gnu
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" "$here/root/usr/libexec/virtiofsd" "$@"
WRAPPER
chmod +x "$wrapper"
version=$("$wrapper" --version 2>&1) || fail "$wrapper --version failed: $version"
echo "virtiofsd ${version##* } cached"
