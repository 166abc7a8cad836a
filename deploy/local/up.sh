#!/usr/bin/env bash
# Starts the local services of IPTO's cluster mode, both bound to 127.0.0.1 only:
#   * PostgreSQL 15 (the Debian packages' binaries) with its own data directory under the state directory;
#   * the S3 emulator (deploy/local/s3/launch.js) with one bucket.
# Then prints, on stdout and nothing else, the environment the Api/Silo need, as export lines:
#     eval "$(deploy/local/up.sh)"
# and writes the same lines to <state>/env.sh. Everything meant for people goes to stderr.
#
# Idempotent: a service whose pid file names a live process that answers on its port is left alone.
# The schema is not applied here: every IPTO process applies deploy/sql at start-up (under an advisory lock).
#
# Settings (environment):
#   IPTO_LOCAL_STATE    state directory (default: deploy/local/.state)
#   IPTO_PG_PORT        PostgreSQL port (default 55432)
#   IPTO_PG_DATABASE    database to create if missing (default ipto)
#   IPTO_PG_BINDIR      PostgreSQL server binaries (default: found with pg_config / dpkg)
#   IPTO_S3_PORT        emulator port (default 4569)
#   IPTO_S3_BUCKET      bucket created at start (default ipto)
#   IPTO_S3_ACCESS_KEY, IPTO_S3_SECRET_KEY   key pair the emulator accepts besides S3RVER/S3RVER
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$here/common.sh"

started_at=$SECONDS

# ---------------------------------------------------------------- PostgreSQL
pg_answers() {
  "$pg_bindir/pg_isready" -q -h 127.0.0.1 -p "$pg_port" -t 2 >/dev/null 2>&1
}

start_postgres() {
  local pid
  if pid="$(pg_postmaster_pid)"; then
    # ours is up (or still starting / recovering): give it a moment to accept connections
    for _ in $(seq 1 100); do
      if pg_answers; then
        say "PostgreSQL already running (pid $pid, port $pg_port)"
        return 0
      fi
      sleep 0.1
    done
    die "PostgreSQL (pid $pid) is running but does not answer on 127.0.0.1:$pg_port; see $pg_root/postgres.log or run down.sh"
  fi
  if port_answers "$pg_port"; then
    die "port $pg_port is taken by a process that is not this state directory's PostgreSQL (set IPTO_PG_PORT)"
  fi

  mkdir -p "$pg_root"
  if [ ! -s "$pg_data/PG_VERSION" ]; then
    say "initialising a PostgreSQL cluster in $pg_data"
    rm -rf "$pg_data"
    mkdir -p "$pg_data" "$pg_run"
    pg_own "$pg_root"
    chmod 700 "$pg_data"
    pg_as_owner "$pg_bindir/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      --no-instructions >"$pg_root/initdb.log" 2>&1 \
      || { cat "$pg_root/initdb.log" >&2; die "initdb failed"; }
  fi
  mkdir -p "$pg_run"
  pg_own "$pg_root"

  # A crash may leave a stale postmaster.pid behind; pg_ctl and the postmaster handle that themselves.
  # The socket path must fit in sockaddr_un (107 bytes); in a very deep checkout we go without the socket.
  local socket_dirs="$pg_run"
  if [ "${#pg_run}" -gt 90 ]; then
    say "warning: $pg_run is too long a path for a unix socket; PostgreSQL listens on TCP only"
    socket_dirs="''"
  fi
  say "starting PostgreSQL on 127.0.0.1:$pg_port"
  pg_as_owner "$pg_bindir/pg_ctl" -D "$pg_data" -l "$pg_root/postgres.log" -w -t 60 -s \
    -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$socket_dirs" start >&2 \
    || { tail -n 30 "$pg_root/postgres.log" >&2 || true; die "PostgreSQL did not start"; }
}

ensure_database() {
  local exists
  exists="$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$pg_database'")"
  if [ "$exists" != "1" ]; then
    say "creating database $pg_database"
    psql_admin -d postgres -c "CREATE DATABASE \"$pg_database\"" >/dev/null
  fi
}

# ---------------------------------------------------------------- S3 emulator
start_s3() {
  local pid
  if pid="$(s3_pid)"; then
    for _ in $(seq 1 50); do
      if port_answers "$s3_port"; then
        say "S3 emulator already running (pid $pid, port $s3_port)"
        return 0
      fi
      sleep 0.1
    done
    die "the S3 emulator (pid $pid) is running but does not answer on port $s3_port; see $s3_root/s3.log or run down.sh"
  fi
  rm -f "$s3_pidfile"
  if port_answers "$s3_port"; then
    die "port $s3_port is taken by a process that is not this state directory's S3 emulator (set IPTO_S3_PORT)"
  fi
  command -v node >/dev/null || die "node is not installed"
  if [ ! -d "$here/s3/node_modules/@20minutes/s3rver" ]; then
    say "installing the S3 emulator (npm ci)"
    npm ci --prefix "$here/s3" --no-audit --no-fund --no-update-notifier --loglevel=error >&2
  fi

  mkdir -p "$s3_root/data"
  say "starting the S3 emulator on 127.0.0.1:$s3_port (bucket $s3_bucket)"
  # setsid: not in our process group, so a Ctrl-C in the calling shell does not reach it; the working
  # directory is the state directory so the daemon pins nothing else.
  (
    cd "$s3_root"
    IPTO_S3_ACCESS_KEY="$s3_access_key" IPTO_S3_SECRET_KEY="$s3_secret_key" \
      exec setsid node --openssl-legacy-provider "$here/s3/launch.js" \
        --directory "$s3_root/data" --address 127.0.0.1 --port "$s3_port" --bucket "$s3_bucket" \
        </dev/null >"$s3_root/s3.log" 2>&1
  ) &
  pid="$!"
  echo "$pid" >"$s3_pidfile"
  for _ in $(seq 1 150); do
    if port_answers "$s3_port"; then return 0; fi
    if ! process_alive "$pid"; then
      cat "$s3_root/s3.log" >&2 || true
      rm -f "$s3_pidfile"
      die "the S3 emulator exited during start-up"
    fi
    sleep 0.1
  done
  die "the S3 emulator did not answer on port $s3_port within 15 s (log: $s3_root/s3.log)"
}

# ---------------------------------------------------------------- environment
write_environment() {
  local lines
  lines="$(
    emit Ipto__Mode cluster
    emit Ipto__Postgres__ConnectionString "Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$pg_database"
    emit Ipto__ObjectStore__Provider s3
    emit Ipto__S3__ServiceUrl "http://127.0.0.1:$s3_port"
    emit Ipto__S3__Bucket "$s3_bucket"
    emit Ipto__S3__Region us-east-1
    emit Ipto__S3__AccessKey "$s3_access_key"
    emit Ipto__S3__SecretKey "$s3_secret_key"
    emit Ipto__S3__ForcePathStyle true
  )"
  printf '%s\n' "$lines" >"$state_dir/env.sh.tmp"
  mv -f "$state_dir/env.sh.tmp" "$state_dir/env.sh"
  printf '%s\n' "$lines"
}

mkdir -p "$state_dir"
pg_root_choice="$(choose_pg_root)" || die "no directory the postgres OS user can use for the cluster"
set_pg_paths "$pg_root_choice"
printf '%s\n' "$pg_root" >"$pg_location_file"
start_postgres
ensure_database
start_s3
write_environment
say "ready in $((SECONDS - started_at)) s; environment also in $state_dir/env.sh"
