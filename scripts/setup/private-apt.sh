# Sourced, not run: a private apt state, so Debian packages of another release or architecture (Debian 13's
# kernel and virtiofsd, Debian 12's arm64 packages) can be fetched on a Debian 12 host without reading or
# touching the system's sources, lists, status, archive cache or architecture.
# The caller defines fail() and sources this file; DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR change the mirrors.

private_apt_mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
private_apt_security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
private_apt_keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# private_apt_init DIR ARCH SUITE...: lays out the private state under DIR for the main component of each
# SUITE (a suite ending in -security comes from the security mirror) and sets the array private_apt_options,
# to be passed to every apt-get and apt-cache call.
private_apt_init() {
  local apt=$1 arch=$2 suite mirror
  shift 2
  [[ -f $private_apt_keyring ]] ||
    fail "$private_apt_keyring missing: install debian-archive-keyring (scripts/setup/host-packages.sh)"
  # Every path apt reads or writes points into $apt.
  mkdir -p "$apt/sources.list.d" "$apt/preferences.d" "$apt/state/lists/partial" "$apt/cache/archives/partial"
  : >"$apt/state/status"
  : >"$apt/sources.list"
  for suite in "$@"; do
    mirror=$private_apt_mirror
    [[ $suite != *-security ]] || mirror=$private_apt_security_mirror
    echo "deb [signed-by=$private_apt_keyring] $mirror $suite main" >>"$apt/sources.list"
  done
  private_apt_options=(
    -o "Dir::Etc::SourceList=$apt/sources.list"
    -o "Dir::Etc::SourceParts=$apt/sources.list.d"
    -o "Dir::Etc::Preferences=$apt/preferences"
    -o "Dir::Etc::PreferencesParts=$apt/preferences.d"
    -o "Dir::State=$apt/state"
    -o "Dir::State::Lists=$apt/state/lists"
    -o "Dir::State::status=$apt/state/status"
    -o "Dir::Cache=$apt/cache"
    -o "Dir::Cache::Archives=$apt/cache/archives"
    -o "APT::Architecture=$arch"
    -o "APT::Architectures=$arch"
    -o Acquire::Languages=none
    -o APT::Sandbox::User=root
  )
}

# private_apt_update LOG: fetches the package lists into the private state; on failure prints LOG and says
# whether the keyring is the cause.
private_apt_update() {
  local log=$1
  if ! apt-get "${private_apt_options[@]}" update -q </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    if grep -q -E 'NO_PUBKEY|not signed|EXPKEYSIG|invalid signature' "$log"; then
      fail "the Debian archive keyring ($private_apt_keyring) does not verify these sources; a newer debian-archive-keyring is needed"
    fi
    fail 'apt-get update of the private apt sources failed (output above)'
  fi
}

# private_apt_download DIR PACKAGE... (LOG in $log): downloads the packages' .deb files into DIR.
private_apt_download() {
  local into=$1
  shift
  if ! (cd "$into" && apt-get "${private_apt_options[@]}" download -q "$@" </dev/null >"$log" 2>&1); then
    cat "$log" >&2
    fail "apt-get download $* failed (output above)"
  fi
}
