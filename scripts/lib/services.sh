# shellcheck shell=bash
#
# Stops the services that the Java test harness (io.credsync.testing) started under a run
# directory, for the cases its own shutdown hooks cannot cover (a JVM killed hard).
# Sourced by scripts/test, scripts/demo and scripts/bench.
#
# The harness leaves two kinds of marks under the run directory:
#   - PostgreSQL data directories, found by their postmaster.pid;
#   - <name>.pid files of emulators (local-kms.pid, moto_server.pid), holding one pid.

# Stops every PostgreSQL cluster whose data directory lies under $1 (immediate mode).
credsync_stop_clusters() {
  local run_dir=$1 pid_file data_dir pg_ctl
  pg_ctl=${CREDSYNC_PG_BINDIR:-/usr/lib/postgresql/15/bin}/pg_ctl
  while IFS= read -r -d '' pid_file; do
    data_dir=$(dirname "$pid_file")
    if [[ $(id -u) -eq 0 ]]; then
      runuser -u postgres -- "$pg_ctl" -D "$data_dir" -m immediate -w stop >/dev/null 2>&1 || true
    else
      "$pg_ctl" -D "$data_dir" -m immediate -w stop >/dev/null 2>&1 || true
    fi
  done < <(find "$run_dir" -name postmaster.pid -type f -print0 2>/dev/null)
}

# Kills every emulator named by a <name>.pid file under $1, if that pid still runs <name>.
credsync_stop_emulators() {
  local run_dir=$1 pid_file name pid pids=()
  while IFS= read -r -d '' pid_file; do
    name=$(basename "$pid_file" .pid)
    pid=$(<"$pid_file") || continue
    [[ $pid =~ ^[0-9]+$ ]] || continue
    # The pid may have been reused since: only kill a process that runs the named program.
    if tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$name"; then
      kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
    fi
  done < <(find "$run_dir" -name '*.pid' ! -name postmaster.pid -type f -print0 2>/dev/null)
  # Give them 5 s to exit on SIGTERM, then SIGKILL what is left.
  local _ alive
  for _ in {1..50}; do
    alive=()
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null && alive+=("$pid")
    done
    ((${#alive[@]} == 0)) && return 0
    pids=("${alive[@]}")
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
}

# Stops everything under the run directory $1, then removes it, unless CREDSYNC_KEEP_RUN_DIR=1
# (to look at what a run left, e.g. where the secret scan found a password).
credsync_cleanup_run_dir() {
  local run_dir=$1
  [[ -n $run_dir && -d $run_dir ]] || return 0
  credsync_stop_clusters "$run_dir"
  credsync_stop_emulators "$run_dir"
  if [[ ${CREDSYNC_KEEP_RUN_DIR:-} == 1 ]]; then
    echo "CREDSYNC_KEEP_RUN_DIR=1: kept $run_dir (remove it when done)" >&2
    return 0
  fi
  rm -rf -- "$run_dir"
}

# Makes a run directory for the services this script's Java program will start, exports it
# as CREDSYNC_TEST_RUN_DIR, and arranges for everything under it to be stopped and removed
# when the script exits, however it exits.
credsync_enter_run_dir() {
  CREDSYNC_TEST_RUN_DIR=$(mktemp -d /tmp/credsync-run.XXXXXX)
  chmod 755 "$CREDSYNC_TEST_RUN_DIR"
  export CREDSYNC_TEST_RUN_DIR
  trap _credsync_exit_run_dir EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

_credsync_child_pid=
# shellcheck disable=SC2317 # called by the trap
_credsync_exit_run_dir() {
  # Interrupted: stop the child first, so that it starts nothing new while we clean up.
  if [[ -n $_credsync_child_pid ]] && kill -0 "$_credsync_child_pid" 2>/dev/null; then
    kill -TERM "$_credsync_child_pid" 2>/dev/null || true
    wait "$_credsync_child_pid" 2>/dev/null || true
  fi
  # Containers first (scripts/lib/docker.sh, when sourced): they may use the run directory.
  if declare -F credsync_docker_teardown >/dev/null; then
    credsync_docker_teardown
  fi
  credsync_cleanup_run_dir "$CREDSYNC_TEST_RUN_DIR"
}

# Runs "$@" in the background and waits for it, so that INT and TERM reach the trap at once,
# not when the child happens to end. Returns the child's status.
credsync_run_child() {
  "$@" &
  _credsync_child_pid=$!
  local status=0
  wait "$_credsync_child_pid" || status=$?
  _credsync_child_pid=
  return "$status"
}
