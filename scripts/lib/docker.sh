# shellcheck shell=bash
#
# A Docker engine and the images credsync's container tests use. Sourced by scripts/test (after
# setup.sh and services.sh) when the container suites run; sourcing it does nothing by itself.
#
#   credsync_docker_setup      installs from Debian what is missing (docker.io when there is no
#                              dockerd, debootstrap, docker-compose when there is no compose),
#                              starts dockerd when no engine answers (stopped at exit), and
#                              makes the base images
#   credsync_docker_base_image makes debian:<suite>-slim when it is absent and cannot be pulled
#   credsync_docker_build      docker build, with an extra CA bundle for builds that use HTTPS
#
# An engine that was already running is used as it is and never stopped. Everything the tests
# start carries the label io.credsync.run=<run directory>, and is removed at exit by that label,
# so that clean-up needs no Ryuk (Testcontainers' reaper, whose image cannot be pulled here).
#
# Images stay in the engine's store (/var/lib/docker), so the next run on this machine reuses
# them and their build cache; a fresh machine makes them all.

# Where debootstrap gets Debian from: the first http mirror in apt's sources, else Debian's CDN.
CREDSYNC_DEBIAN_MIRROR=${CREDSYNC_DEBIAN_MIRROR:-}
# An extra CA bundle for builds whose downloads go through a TLS-intercepting proxy (Maven
# Central, here): the host's bundle by default, which holds whatever the proxy's CA is.
CREDSYNC_DOCKER_EXTRA_CA=${CREDSYNC_DOCKER_EXTRA_CA-/etc/ssl/certs/ca-certificates.crt}

_credsync_dockerd_pid=

# Whether an engine answers on the default socket (or DOCKER_HOST).
_credsync_docker_answers() {
  docker info >/dev/null 2>&1
}

# Installs, from Debian, what is missing by the commands it provides: docker.io for dockerd
# (never over another engine's install, which would have its dockerd), debootstrap, and
# docker-compose when the docker CLI has no compose plugin.
_credsync_install_docker_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
    missing+=(docker-compose)
  fi
  ((${#missing[@]} == 0)) && return 0
  echo "setup: installing ${missing[*]} (apt)" >&2
  # The package would start its daemon where an init system runs; this script starts (and
  # stops) its own, so keep it from starting one that nobody would stop.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [[ ! -e $policy ]]; then
    _credsync_as_root bash -c "printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy" && made_policy=1
  fi
  local status=0
  _credsync_quietly "apt-get update" _credsync_as_root apt-get update &&
    _credsync_quietly "apt-get install ${missing[*]}" _credsync_as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y --no-install-recommends "${missing[@]}" || status=$?
  if ((made_policy)); then
    _credsync_as_root rm -f "$policy"
  fi
  return "$status"
}

# Starts dockerd unless an engine answers; the one started here is stopped by
# credsync_docker_teardown (called by the run directory's exit trap).
_credsync_start_dockerd() {
  if _credsync_docker_answers; then
    echo "setup: using the Docker engine that is already running (it is left running)" >&2
    return 0
  fi
  local log=$CREDSYNC_TEST_RUN_DIR/dockerd.log
  echo "setup: starting dockerd (log: $log)" >&2
  # setsid: the daemon must not get the terminal's INT before this script has cleaned up.
  # Not through _credsync_as_root: a function run in the background is a subshell, whose pid
  # is not the daemon's. The pid to stop is the one dockerd writes to its pid file.
  local pid_file=/var/run/docker.pid
  if [[ $(id -u) -eq 0 ]]; then
    setsid dockerd --pidfile "$pid_file" >"$log" 2>&1 </dev/null &
  else
    sudo -n setsid dockerd --pidfile "$pid_file" >"$log" 2>&1 </dev/null &
  fi
  _credsync_dockerd_pid=$!
  local _
  for _ in {1..120}; do
    if _credsync_docker_answers; then
      _credsync_dockerd_pid=$(<"$pid_file") || return 1
      return 0
    fi
    if [[ ! -d /proc/$_credsync_dockerd_pid ]]; then
      echo "setup: dockerd exited; the end of $log:" >&2
      tail -n 20 "$log" >&2
      _credsync_dockerd_pid=
      return 1
    fi
    sleep 0.5
  done
  echo "setup: dockerd did not answer within 60 s; the end of $log:" >&2
  tail -n 20 "$log" >&2
  return 1
}

_credsync_debian_mirror() {
  if [[ -n $CREDSYNC_DEBIAN_MIRROR ]]; then
    printf '%s\n' "$CREDSYNC_DEBIAN_MIRROR"
    return
  fi
  local mirror
  # deb822 (URIs: ...) or one-line (deb URL suite ...) sources; the first plain-http Debian one.
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -oE 'http://[^ ]+/debian/?( |$)' | grep -v -- '-security' | head -n 1 | tr -d ' ')
  printf '%s\n' "${mirror:-http://deb.debian.org/debian}"
}

# Makes the debootstrapped root $1 like the official slim image: apt keeps no downloaded packages
# or caches, dpkg installs no documentation, manual pages or translations, and apt's sources
# are the suite $3 on the mirror $2.
_credsync_slim_rootfs() {
  local root=$1 mirror=$2 suite=$3
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'CONF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/groff/*' 'path-exclude /usr/share/info/*' \
    'path-exclude /usr/share/lintian/*' 'path-exclude /usr/share/linda/*' 'path-exclude /usr/share/locale/*' \
    >"$root/etc/dpkg/dpkg.cfg.d/docker"
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
    "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* \
    "$root"/var/log/*.log "$root"/tmp/*
  printf 'deb %s %s main\n' "$mirror" "$suite" >"$root/etc/apt/sources.list"
}

# Makes the image debian:$1-slim (bookworm, trixie) unless the engine has it or can pull it:
# debootstrap's minbase variant, cleaned of apt's caches, imported as that name. Like the
# official image it has apt sources for the suite and runs bash by default.
credsync_docker_base_image() {
  local suite=$1 image="debian:$1-slim"
  docker image inspect "$image" >/dev/null 2>&1 && return 0
  if docker pull -q "$image" >/dev/null 2>&1; then
    return 0
  fi
  local mirror root
  mirror=$(_credsync_debian_mirror)
  root=$(mktemp -d "/tmp/credsync-debootstrap-$suite.XXXXXX")
  echo "setup: $image cannot be pulled; making it with debootstrap from $mirror" >&2
  local status=0
  _credsync_quietly "debootstrap $suite" _credsync_as_root debootstrap --variant=minbase "$suite" "$root" "$mirror" &&
    _credsync_as_root bash -c "$(declare -f _credsync_slim_rootfs); _credsync_slim_rootfs '$root' '$mirror' '$suite'" &&
    _credsync_quietly "docker import $image" bash -c "tar -C '$root' -c . | docker import \
      --change 'CMD [\"bash\"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      - '$image'" || status=$?
  _credsync_as_root rm -rf "$root"
  return "$status"
}

# docker build "$@" with a context of the checkout plus, when CREDSYNC_DOCKER_EXTRA_CA names a
# file, that file as docker/extra-ca/build.crt. The legacy builder (Debian's docker.io has no
# BuildKit client) has no build secrets, and the bundle is public data, so the context carries it;
# it reaches only the build stage. The context is a tar stream, so the checkout is not touched.
# The last argument is the Dockerfile, relative to the checkout.
credsync_docker_build() {
  local dockerfile=${*: -1}
  local args=("${@:1:$#-1}")
  local extra=()
  if [[ -n $CREDSYNC_DOCKER_EXTRA_CA && -f $CREDSYNC_DOCKER_EXTRA_CA ]]; then
    extra=(-C "$(dirname "$CREDSYNC_DOCKER_EXTRA_CA")"
      --transform "s,^$(basename "$CREDSYNC_DOCKER_EXTRA_CA")\$,docker/extra-ca/build.crt,"
      "$(basename "$CREDSYNC_DOCKER_EXTRA_CA")")
  fi
  # What .dockerignore leaves out, left out here too (a tar context skips .dockerignore), and
  # the checkout's own extra CAs (docker/extra-ca/*.crt).
  local ignore=(--exclude=./.tools --exclude='./docker/extra-ca/*.crt') pattern
  while IFS= read -r pattern; do
    [[ -z $pattern || $pattern == \#* ]] && continue
    ignore+=("--exclude=./${pattern%/}")
  done <"$CREDSYNC_ROOT/.dockerignore"
  tar -C "$CREDSYNC_ROOT" -c "${ignore[@]}" . "${extra[@]}" |
    DOCKER_BUILDKIT=0 docker build --network host -f "$dockerfile" "${args[@]}" -
}

# Removes every container, network and volume labelled with this run, then stops the dockerd
# this script started (not one that was running before). Safe to call more than once.
credsync_docker_teardown() {
  if _credsync_docker_answers && [[ -n ${CREDSYNC_TEST_RUN_DIR:-} ]]; then
    local label="io.credsync.run=$CREDSYNC_TEST_RUN_DIR" ids
    ids=$(docker ps -aq --filter "label=$label" 2>/dev/null)
    [[ -n $ids ]] && docker rm -f -v $ids >/dev/null 2>&1
    ids=$(docker network ls -q --filter "label=$label" 2>/dev/null)
    [[ -n $ids ]] && docker network rm $ids >/dev/null 2>&1
    ids=$(docker volume ls -q --filter "label=$label" 2>/dev/null)
    [[ -n $ids ]] && docker volume rm $ids >/dev/null 2>&1
  fi
  if [[ -n ${CREDSYNC_COMPOSE_PROJECT:-} ]] && _credsync_docker_answers; then
    local project="com.docker.compose.project=$CREDSYNC_COMPOSE_PROJECT" ids
    ids=$(docker ps -aq --filter "label=$project" 2>/dev/null)
    [[ -n $ids ]] && docker rm -f -v $ids >/dev/null 2>&1
    ids=$(docker network ls -q --filter "label=$project" 2>/dev/null)
    [[ -n $ids ]] && docker network rm $ids >/dev/null 2>&1
    ids=$(docker volume ls -q --filter "label=$project" 2>/dev/null)
    [[ -n $ids ]] && docker volume rm $ids >/dev/null 2>&1
  fi
  if [[ -n $_credsync_dockerd_pid ]]; then
    _credsync_as_root kill -TERM "$_credsync_dockerd_pid" 2>/dev/null || true
    local _
    for _ in {1..300}; do
      [[ -d /proc/$_credsync_dockerd_pid ]] || break
      sleep 0.1
    done
    if [[ -d /proc/$_credsync_dockerd_pid ]]; then
      echo "dockerd ($_credsync_dockerd_pid) did not stop within 30 s; killing it" >&2
      _credsync_as_root kill -KILL "$_credsync_dockerd_pid" 2>/dev/null || true
    fi
    _credsync_dockerd_pid=
  fi
  return 0
}

credsync_docker_setup() {
  _credsync_install_docker_packages || return 1
  _credsync_start_dockerd || return 1
  credsync_docker_base_image bookworm && credsync_docker_base_image trixie
}

# The images the tests run, built from this checkout, under the names compose.yaml gives them (the
# engine's layer cache makes an unchanged rebuild take seconds): the consumer, PostgreSQL 17 with
# credsync's module, moto and local-kms. compose.yaml then runs them as they are (--no-build):
# Debian's docker-compose builds with the directory as context, which has no extra CA.
CREDSYNC_CONSUMER_IMAGE=credsync:local
CREDSYNC_POSTGRES17_IMAGE=credsync-postgres:17-local
credsync_docker_build_images() {
  local image dockerfile previous
  local -A dockerfiles=([$CREDSYNC_CONSUMER_IMAGE]=Dockerfile [$CREDSYNC_POSTGRES17_IMAGE]=docker/postgres/Dockerfile
    [credsync-moto:local]=docker/secretsmanager-emulator/Dockerfile [credsync-local-kms:local]=docker/kms-emulator/Dockerfile)
  for image in "${!dockerfiles[@]}"; do
    dockerfile=${dockerfiles[$image]}
    echo "setup: docker build -t $image -f $dockerfile (log: $CREDSYNC_SETUP_LOG)" >&2
    previous=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
    _credsync_quietly "docker build $image" credsync_docker_build -t "$image" "$dockerfile" || return 1
    # A rebuild after a change leaves the last build's image untagged; each run would otherwise add
    # one per changed image until the disk fills. One still used by a container stays (rmi refuses).
    if [[ -n $previous && $previous != "$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null)" ]]; then
      docker rmi "$previous" >/dev/null 2>&1 || true
    fi
  done
}
