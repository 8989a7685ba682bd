# shellcheck shell=bash
#
# Runs the commands README.md's "Trying it with Docker alone" gives a Docker-only user, against
# compose.yaml, and checks what they show: a password reaches its secret; a change whose secret is
# scheduled for deletion fails, and after a restore `replay --all-failed` delivers it. Sourced by
# scripts/test after scripts/lib/docker.sh, whose images compose.yaml runs as they are.
#
# The project is named for this run (credsync-ci-<pid>), so that it leaves a user's own
# `docker compose up` alone; its containers, network and volumes are removed at the end, and by
# the run's exit trap (credsync_docker_teardown) when the script is interrupted.

# `docker compose` where the plugin is installed, else Debian's docker-compose (v1, which reads
# the same file).
_credsync_compose_command() {
  if docker compose version >/dev/null 2>&1; then
    echo "docker compose"
  elif command -v docker-compose >/dev/null 2>&1; then
    echo "docker-compose"
  else
    echo "compose check: neither 'docker compose' nor docker-compose is installed" >&2
    return 1
  fi
}

_credsync_compose() {
  # shellcheck disable=SC2086 # the command is one or two words
  $CREDSYNC_COMPOSE --project-name "$CREDSYNC_COMPOSE_PROJECT" --file "$CREDSYNC_ROOT/compose.yaml" "$@"
}

# The SecretString of the demo role's secret, or nothing when it cannot be read.
_credsync_compose_secret() {
  _credsync_compose run --rm -T aws secretsmanager get-secret-value --secret-id credsync/app/app_demo \
    --query SecretString --output text 2>/dev/null
}

# Waits up to $2 seconds until the secret holds the password $1.
_credsync_compose_await_password() {
  local password=$1 deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    if _credsync_compose_secret | grep -qE "\"password\": ?\"$password\""; then
      return 0
    fi
    sleep 1
  done
  echo "compose check: the secret credsync/app/app_demo did not get the new password within $2 s" >&2
  return 1
}

_credsync_compose_await_healthy() {
  local id deadline=$((SECONDS + 180)) status
  while ((SECONDS < deadline)); do
    id=$(_credsync_compose ps -q credsync 2>/dev/null)
    if [[ -n $id ]]; then
      status=$(docker inspect --format '{{.State.Health.Status}}' "$id" 2>/dev/null)
      [[ $status == healthy ]] && return 0
    fi
    sleep 2
  done
  echo "compose check: the credsync service is not healthy after 180 s; its log:" >&2
  _credsync_compose logs --no-color --tail 40 credsync setup kms-key >&2 || true
  return 1
}

credsync_compose_check() {
  CREDSYNC_COMPOSE=$(_credsync_compose_command) || return 1
  CREDSYNC_COMPOSE_PROJECT=${CREDSYNC_COMPOSE_PROJECT:-credsync-ci-$$}
  local log=$CREDSYNC_TEST_RUN_DIR/compose-check.log status=0 start=$SECONDS
  echo "compose check: $CREDSYNC_COMPOSE up, a password to its secret, a failed event replayed (log: $log)" >&2
  {
    _credsync_compose up -d --no-build &&
      _credsync_compose_await_healthy &&
      _credsync_compose exec -T postgres psql -d app -c "CREATE ROLE app_demo LOGIN PASSWORD 'Demo-pass-1'" &&
      _credsync_compose_await_password Demo-pass-1 60 &&
      _credsync_compose run --rm -T aws secretsmanager delete-secret --secret-id credsync/app/app_demo &&
      _credsync_compose exec -T postgres psql -d app -c "ALTER ROLE app_demo PASSWORD 'Demo-pass-2'" &&
      _credsync_compose_await_failed &&
      _credsync_compose run --rm -T aws secretsmanager restore-secret --secret-id credsync/app/app_demo &&
      _credsync_compose run --rm -T cli replay --all-failed &&
      _credsync_compose_await_password Demo-pass-2 60 &&
      _credsync_compose stop credsync &&
      _credsync_compose_exit_code_zero
  } >"$log" 2>&1 || status=$?
  if ((status != 0)); then
    _credsync_compose logs --no-color --tail 30 credsync >>"$log" 2>&1 || true
  fi
  _credsync_compose down --volumes --remove-orphans >>"$log" 2>&1 || true
  if ((status != 0)); then
    echo "compose check: FAILED; the end of $log:" >&2
    tail -n 40 "$log" >&2
    return "$status"
  fi
  echo "compose check: passed in $((SECONDS - start)) s" >&2
}

# Waits until `credsync events --status failed` lists the demo role's change, which failed
# because its secret is scheduled for deletion.
_credsync_compose_await_failed() {
  local deadline=$((SECONDS + 60)) events
  while ((SECONDS < deadline)); do
    events=$(_credsync_compose run --rm -T cli events --status failed --role app_demo 2>/dev/null)
    if grep -q SecretScheduledForDeletion <<<"$events"; then
      printf '%s\n' "$events"
      return 0
    fi
    sleep 1
  done
  echo "compose check: no failed event of app_demo (SecretScheduledForDeletion) within 60 s" >&2
  return 1
}

_credsync_compose_exit_code_zero() {
  local code
  code=$(docker inspect --format '{{.State.ExitCode}}' "$(_credsync_compose ps -q credsync)")
  [[ $code == 0 ]] || { echo "compose check: the consumer exited with $code after docker stop" >&2; return 1; }
}
