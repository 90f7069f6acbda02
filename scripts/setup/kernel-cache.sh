# Sourced, not run: the steps every kernel cache (kernel.sh, kernel-6.12.sh) shares. A cache directory holds
# root/ (the package unpacked, modules indexed by depmod) and an env file naming the image and the modules.
# The caller defines fail() and sources this file.

# kernel_cache_ready ENV_FILE: true (and says so) when ENV_FILE exists and the files it names do. The env
# file is written last, so its presence with its files means a complete cache.
kernel_cache_ready() {
  local env_file=$1
  [[ -f $env_file ]] || return 1
  # shellcheck source=/dev/null
  source "$env_file"
  [[ -f ${KERNEL_IMAGE:-} && -f ${KERNEL_MODULES:-}/modules.dep ]] || return 1
  echo "kernel $KERNEL_VERSION cached"
}

# kernel_cache_scratch CACHE: makes the scratch directory kernel_work beside CACHE, removed on exit, so an
# interrupted run leaves no half cache.
kernel_cache_scratch() {
  local cache=$1
  mkdir -p "$(dirname "$cache")"
  kernel_work=$(mktemp -d "$cache.tmp.XXXXXX")
  # shellcheck disable=SC2064 # the path is fixed now
  trap "rm -rf '$kernel_work'" EXIT
}

# kernel_cache_unpack PACKAGE VERSION: unpacks the one .deb downloaded into kernel_work to kernel_work/root
# and checks it has the kernel image.
kernel_cache_unpack() {
  local package=$1 version=$2 deb
  deb=$(find "$kernel_work" -maxdepth 1 -name '*.deb' | head -n 1)
  [[ -n $deb ]] || fail "apt-get download $package produced no .deb"
  dpkg-deb -x "$deb" "$kernel_work/root" || fail "dpkg-deb -x $deb failed"
  [[ -f $kernel_work/root/boot/vmlinuz-$version ]] || fail "$package has no boot/vmlinuz-$version"
  rm -f "$deb"
}

# kernel_cache_commit CACHE VERSION MODULES: moves kernel_work into place as CACHE and writes its env file;
# MODULES is the module tree's path under root/.
kernel_cache_commit() {
  local cache=$1 version=$2 modules=$3
  rm -rf "$cache"
  mv "$kernel_work" "$cache"
  trap - EXIT
  cat >"$cache/env" <<ENV
KERNEL_VERSION=$version
KERNEL_IMAGE=$cache/root/boot/vmlinuz-$version
KERNEL_MODULES=$cache/root/$modules
ENV
  echo "kernel $version cached"
}
