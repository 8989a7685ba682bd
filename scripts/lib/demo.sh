# shellcheck shell=bash
#
# Helpers of ./scripts/demo: output, passwords, and starting the services it needs under the
# run directory (scripts/lib/services.sh), each leaving the marks that the run directory's
# cleanup looks for: PostgreSQL data directories (postmaster.pid) and <name>.pid files, where
# <name> is part of the program's command line.
#
# Passwords live in shell variables only. They reach a program through its environment or its
# standard input (never its arguments, which `ps` shows to everyone), and are never printed:
# demo_mask shows the first two characters.

if [[ -t 1 ]]; then
  _demo_bold=$'\e[1m' _demo_dim=$'\e[2m' _demo_reset=$'\e[0m'
else
  _demo_bold='' _demo_dim='' _demo_reset=''
fi
_demo_start=$EPOCHREALTIME

# The demo's own stdout and stderr, kept so that the EXIT trap can still talk to the user when it
# fires inside a command whose output goes elsewhere (`credsync_run_child mvn ... >build.log`
# keeps that redirection while the trap runs). Closed for the services, which must not hold
# the terminal or a pipe open.
exec {_demo_stdout}>&1 {_demo_stderr}>&2

# Sends this shell's output back to where the demo's own went.
demo_restore_output() {
  exec 1>&"$_demo_stdout" 2>&"$_demo_stderr"
}

# Prints a step's heading: demo_step 3/8 "Installing credsync".
demo_step() {
  printf '\n%s==> %s %s%s\n' "$_demo_bold" "$1" "$2" "$_demo_reset"
}

# Prints a line in bold, like the headings.
demo_bold_line() {
  printf '%s%s%s\n' "$_demo_bold" "$*" "$_demo_reset"
}

# Prints an indented line of explanation.
demo_say() {
  printf '    %s\n' "$*"
}

# Shows a command the way one would type it (with any password already masked).
demo_show() {
  printf '    %s$ %s%s\n' "$_demo_dim" "$*" "$_demo_reset"
}

# Shows the continuation of a command that demo_show began (after a line ending in \).
demo_show_more() {
  printf '    %s    %s%s\n' "$_demo_dim" "$*" "$_demo_reset"
}

# Indents what a command printed, without its empty lines.
demo_indent() {
  sed -e '/^[[:space:]]*$/d' -e 's/^/      /'
}

# Says what went wrong, on stderr, and exits 1 (the EXIT trap cleans up).
demo_fail() {
  printf '\ndemo: %s\n' "$*" >&2
  exit 1
}

# The seconds since $1 (an $EPOCHREALTIME), with one decimal: demo_since "$t0" -> 2.3
demo_since() {
  local now=${EPOCHREALTIME/[.,]/} then=${1/[.,]/}
  local tenths=$(((now - then) / 100000))
  printf '%d.%d' $((tenths / 10)) $((tenths % 10))
}

# The time since the demo started, as above.
demo_elapsed() {
  demo_since "$_demo_start"
}

# Puts a random password of 24 letters and digits into the variable named $1.
demo_random_password() {
  local -n _demo_out=$1
  local chars=''
  while ((${#chars} < 24)); do
    chars+=$(LC_ALL=C tr -dc 'A-Za-z0-9' < <(head -c 256 /dev/urandom))
  done
  _demo_out=${chars:0:24}
}

# A password masked for display: its first two characters, then ****.
demo_mask() {
  printf '%s****' "${1:0:2}"
}

# The last lines of the log $1, indented, on stderr.
demo_tail() {
  printf '    --- the last lines of %s:\n' "$1" >&2
  tail -n "${2:-25}" "$1" 2>/dev/null | sed 's/^/    | /' >&2 || true
}

# Runs "$@" as the postgres OS user when we are root (PostgreSQL refuses to run as root).
demo_as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Creates and starts a throwaway PostgreSQL cluster in the directory $1 (data in $1/data, its
# log in $1/server.log, its Unix socket in $1), listening on 127.0.0.1:$2. Logins over TCP need
# a password (SCRAM-SHA-256); logins on the socket, which only the directory's owner and root
# can reach, are trusted. The superuser, postgres, has no password until one is set.
demo_start_postgres() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  chmod 700 "$dir"
  [[ $(id -u) -ne 0 ]] || chown postgres: "$dir"
  if ! demo_as_postgres "$CREDSYNC_PG_BINDIR/initdb" --pgdata="$dir/data" --username=postgres \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --no-locale \
    --no-sync --no-instructions >"$dir/initdb.log" 2>&1; then
    demo_tail "$dir/initdb.log"
    demo_fail "initdb failed"
  fi
  demo_as_postgres tee "$dir/data/pg_hba.conf" >/dev/null <<'EOF'
# Written by scripts/demo: trust on the cluster's own Unix socket only, passwords on TCP.
local all         all                trust
host  all         all  127.0.0.1/32  scram-sha-256
host  replication all  127.0.0.1/32  scram-sha-256
EOF
  demo_as_postgres tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF

# Written by scripts/demo.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
shared_preload_libraries = 'credsync_passcheck'
password_encryption = 'scram-sha-256'
# A statement that fails before the passcheck hook sees it must not reach the log with its
# password (see README.md).
log_min_error_statement = panic
# A throwaway cluster: nothing to lose in a crash.
fsync = off
EOF
  if ! demo_as_postgres "$CREDSYNC_PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
    -w -t 60 start >/dev/null 2>&1 {_demo_stdout}>&- {_demo_stderr}>&-; then
    demo_tail "$dir/server.log"
    demo_fail "PostgreSQL did not start"
  fi
}

# Starts "${@:3}" in the background in the directory $2, its output in $2/$1.log and its pid in
# $2/$1.pid (so that the run directory's cleanup stops it: the command line must contain $1),
# and sets DEMO_PID. Environment variables for the program: put them before the call.
# The program runs in a session of its own (as pg_ctl starts PostgreSQL), out of reach of the
# terminal's Ctrl-C, which moto would otherwise act on at once: the EXIT trap decides what stops
# when (the consumer first, while PostgreSQL still runs).
demo_start_service() {
  local name=$1 dir=$2
  shift 2
  mkdir -p "$dir"
  # setsid execs the program in this same process (a background subshell leads no group).
  (cd "$dir" && exec setsid "$@") >"$dir/$name.log" 2>&1 </dev/null \
    {_demo_stdout}>&- {_demo_stderr}>&- &
  # shellcheck disable=SC2034 # read by scripts/demo
  DEMO_PID=$!
  printf '%s\n' "$DEMO_PID" >"$dir/$name.pid"
}

# Waits until 127.0.0.1:$2 accepts connections, for at most $5 seconds; fails, with the log $4,
# if the process $3 ($1) exits first or the time runs out.
demo_await_port() {
  local name=$1 port=$2 pid=$3 log=$4 deadline=$((SECONDS + $5))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      demo_tail "$log"
      demo_fail "$name exited before it listened on 127.0.0.1:$port"
    fi
    if ((SECONDS >= deadline)); then
      demo_tail "$log"
      demo_fail "$name did not listen on 127.0.0.1:$port within $5 s"
    fi
    sleep 0.1
  done
}

# Sends SIGTERM to $1 and waits up to $2 seconds for it to exit (then SIGKILL); sets
# DEMO_EXIT_CODE to its exit code. $1 must be a child of this shell.
demo_terminate() {
  local pid=$1 deadline=$((SECONDS + $2))
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  local code=0
  wait "$pid" 2>/dev/null || code=$?
  # shellcheck disable=SC2034 # read by scripts/demo
  DEMO_EXIT_CODE=$code
}
