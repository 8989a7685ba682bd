#!/bin/bash
# compose.yaml's first start of PostgreSQL (run once, by the image's entrypoint, in the database
# POSTGRES_DB): credsync's extension, the consumer's login, and the managed roles, app_*.
# The extension comes first: with credsync_passcheck.require = on, a password cannot be set in a
# database where credsync is not installed.
set -euo pipefail
psql --no-psqlrc --set=ON_ERROR_STOP=1 --username="${POSTGRES_USER:-postgres}" --dbname="$POSTGRES_DB" \
  --set=consumer_password="$CREDSYNC_DB_PASSWORD" <<'SQL'
CREATE EXTENSION credsync CASCADE;
CREATE ROLE credsync LOGIN PASSWORD :'consumer_password';
SELECT credsync.manage('app\_%');
SQL
