# Sourced, not run: a private apt state for Debian 13 (trixie), so packages can be fetched from it on a
# Debian 12 host without reading or touching the system's sources, lists, status or archive cache.
# The caller defines fail() and sources this file; DEBIAN_MIRROR changes the mirror.

trixie_mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
trixie_keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# trixie_apt_init DIR: lays out the private state under DIR and sets the array trixie_apt_options,
# to be passed to every apt-get and apt-cache call.
trixie_apt_init() {
  local apt=$1
  [[ -f $trixie_keyring ]] || fail "$trixie_keyring missing: install debian-archive-keyring (scripts/setup/host-packages.sh)"
  # Every path apt reads or writes points into $apt.
  mkdir -p "$apt/sources.list.d" "$apt/preferences.d" "$apt/state/lists/partial" "$apt/cache/archives/partial"
  : >"$apt/state/status"
  echo "deb [signed-by=$trixie_keyring] $trixie_mirror trixie main" >"$apt/sources.list"
  trixie_apt_options=(
    -o "Dir::Etc::SourceList=$apt/sources.list"
    -o "Dir::Etc::SourceParts=$apt/sources.list.d"
    -o "Dir::Etc::Preferences=$apt/preferences"
    -o "Dir::Etc::PreferencesParts=$apt/preferences.d"
    -o "Dir::State=$apt/state"
    -o "Dir::State::Lists=$apt/state/lists"
    -o "Dir::State::status=$apt/state/status"
    -o "Dir::Cache=$apt/cache"
    -o "Dir::Cache::Archives=$apt/cache/archives"
    -o APT::Architecture=amd64
    -o APT::Architectures=amd64
    -o Acquire::Languages=none
    -o APT::Sandbox::User=root
  )
}

# trixie_apt_update LOG: fetches trixie's package lists into the private state; on failure prints LOG and
# says whether the keyring is the cause.
trixie_apt_update() {
  local log=$1
  if ! apt-get "${trixie_apt_options[@]}" update -q </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    if grep -q -E 'NO_PUBKEY|not signed|EXPKEYSIG|invalid signature' "$log"; then
      fail "the Debian archive keyring ($trixie_keyring) does not verify trixie; a newer debian-archive-keyring is needed"
    fi
    fail 'apt-get update of the private trixie sources failed (output above)'
  fi
}
