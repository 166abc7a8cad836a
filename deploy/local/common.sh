# Shared by up.sh and down.sh (sourced, not run). Expects $here = deploy/local.
# shellcheck disable=SC2034  # the settings below are used by the scripts that source this file
# shellcheck shell=bash

say() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# ---- settings
state_dir="${IPTO_LOCAL_STATE:-$here/.state}"
case "$state_dir" in /*) ;; *) state_dir="$PWD/$state_dir" ;; esac
pg_port="${IPTO_PG_PORT:-55432}"
pg_database="${IPTO_PG_DATABASE:-ipto}"
s3_port="${IPTO_S3_PORT:-4569}"
s3_bucket="${IPTO_S3_BUCKET:-ipto}"
s3_access_key="${IPTO_S3_ACCESS_KEY:-ipto-local}"
s3_secret_key="${IPTO_S3_SECRET_KEY:-ipto-local-secret}"

[[ "$pg_port" =~ ^[0-9]+$ ]] || die "IPTO_PG_PORT must be a number"
[[ "$s3_port" =~ ^[0-9]+$ ]] || die "IPTO_S3_PORT must be a number"
[[ "$pg_database" =~ ^[A-Za-z_][A-Za-z0-9_-]*$ ]] || die "IPTO_PG_DATABASE must be a plain identifier"
[[ "$s3_bucket" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || die "IPTO_S3_BUCKET is not a valid bucket name"

s3_root="$state_dir/s3"
s3_pidfile="$s3_root/s3.pid"

# ---- PostgreSQL binaries
find_pg_bindir() {
  local dir
  if [ -n "${IPTO_PG_BINDIR:-}" ]; then
    printf '%s\n' "$IPTO_PG_BINDIR"; return 0
  fi
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then printf '%s\n' "$dir"; return 0; fi
  fi
  if command -v dpkg >/dev/null 2>&1; then
    dir="$(dpkg -L postgresql-15 2>/dev/null | grep '/bin/initdb$' | head -n 1 || true)"
    if [ -n "$dir" ]; then dirname "$dir"; return 0; fi
  fi
  return 1
}
pg_bindir="$(find_pg_bindir)" || die "PostgreSQL server binaries not found: install postgresql-15 or set IPTO_PG_BINDIR"

# ---- where the PostgreSQL cluster lives, and as whom it runs
# initdb and the server refuse to run as root, so as root they run as the 'postgres' OS user, which must be
# able to reach its directories. When the state directory sits below a directory that user cannot enter
# (a checkout under a private home, say), the cluster goes below that user's home instead, in a directory
# named after the state directory. up.sh records the choice in <state>/postgres.location.
pg_location_file="$state_dir/postgres.location"

pg_os_user_can_enter() {
  [ "$(id -u)" -ne 0 ] && return 0
  runuser -u postgres -- test -x "$1" 2>/dev/null
}

choose_pg_root() {
  if [ -s "$pg_location_file" ]; then cat "$pg_location_file"; return 0; fi
  if pg_os_user_can_enter "$state_dir"; then
    printf '%s\n' "$state_dir/postgres"
  else
    local home tag
    home="$(getent passwd postgres | cut -d: -f6)"
    [ -n "$home" ] && [ -d "$home" ] || return 1
    tag="$(printf '%s' "$state_dir" | sha256sum | cut -c1-12)"
    printf '%s\n' "$home/ipto-local-$tag"
  fi
}

set_pg_paths() {
  pg_root="$1"
  pg_data="$pg_root/data"
  pg_run="$pg_root/run"
}

pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$pg_root" && runuser -u postgres -- "$@")
  else
    (cd "$pg_root" && "$@")
  fi
}

pg_own() {
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$1"; fi
}

# Prints the pid from the data directory's lock file if that process is alive and is a PostgreSQL server
# (after a crash the file may name a pid that now belongs to something else).
pg_postmaster_pid() {
  local pid
  [ -n "${pg_data:-}" ] && [ -r "$pg_data/postmaster.pid" ] || return 1
  pid="$(head -n 1 "$pg_data/postmaster.pid" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  process_alive "$pid" || return 1
  [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = postgres ] || return 1
  printf '%s\n' "$pid"
}

psql_admin() {
  PGOPTIONS='-c client_min_messages=warning' \
    "$pg_bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres "$@"
}

# ---- S3 emulator
# Prints the emulator's pid if the pid file names a live process that runs our launcher.
s3_pid() {
  local pid
  [ -r "$s3_pidfile" ] || return 1
  pid="$(cat "$s3_pidfile" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  process_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 's3/launch.js' || return 1
  printf '%s\n' "$pid"
}

# ---- misc
# True while the process exists and has not exited. A daemon whose parent is gone is reaped by init only
# some time after it exits; until then kill -0 still succeeds on the zombie.
process_alive() {
  local state
  state="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "${state#Z}" = "$state" ]
}

port_answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints one export line, single-quoting the value when the shell would otherwise split or expand it.
emit() {
  local name="$1" value="$2"
  if [[ "$value" =~ ^[A-Za-z0-9_./:=@,+-]*$ ]]; then
    printf 'export %s=%s\n' "$name" "$value"
  else
    printf "export %s='%s'\n" "$name" "${value//\'/\'\\\'\'}"
  fi
}
