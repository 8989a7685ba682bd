#!/bin/bash
# The entrypoint of credsync's PostgreSQL image (docker/postgres/Dockerfile): on the first start,
# initdb with the superuser's password and credsync's settings, then the official image's
# /docker-entrypoint-initdb.d scripts; then the server, as PID 1.
set -euo pipefail

if [[ ${1:-} == -* ]]; then
  set -- postgres "$@"
fi

password() {
  if [[ -n ${POSTGRES_PASSWORD_FILE:-} ]]; then
    cat "$POSTGRES_PASSWORD_FILE"
  elif [[ -n ${POSTGRES_PASSWORD:-} ]]; then
    printf '%s\n' "$POSTGRES_PASSWORD"
  else
    echo "error: set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE): the superuser's password, which TCP logins must present" >&2
    exit 1
  fi
}

initialize() {
  local user=${POSTGRES_USER:-postgres}
  local db=${POSTGRES_DB:-$user}
  local pwfile
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  pwfile=$(mktemp)
  password >"$pwfile"
  initdb --pgdata="$PGDATA" --username="$user" --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --no-instructions
  rm -f "$pwfile"
  # Any address may log in with a password (SCRAM), for replication too: the consumer streams.
  printf '%s\n' 'host all all all scram-sha-256' 'host replication all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
  printf '%s\n' "listen_addresses = '*'" "include '/etc/credsync/postgresql-credsync.conf'" >>"$PGDATA/postgresql.conf"

  # A server on the socket alone for the set-up, as the official image does; Testcontainers
  # counts on its "ready to accept connections" line coming twice on a first start.
  pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait start
  if [[ $db != postgres ]]; then
    psql --no-psqlrc --set=ON_ERROR_STOP=1 --username="$user" --dbname=postgres --set=db="$db" \
      <<<'CREATE DATABASE :"db";'
  fi
  local script
  for script in /docker-entrypoint-initdb.d/*; do
    case $script in
      *.sql) psql --no-psqlrc --set=ON_ERROR_STOP=1 --username="$user" --dbname="$db" --file="$script" ;;
      *.sh) bash "$script" ;;
      *) ;;
    esac
  done
  pg_ctl --pgdata="$PGDATA" --mode=fast --wait stop
}

if [[ ${1:-} == postgres && ! -s $PGDATA/PG_VERSION ]]; then
  initialize
fi
exec "$@"
