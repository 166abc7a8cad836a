#!/usr/bin/env bash
# Stops what deploy/local/up.sh started (same settings, same state directory), by PID:
# PostgreSQL with `pg_ctl stop -m fast`, the S3 emulator with SIGTERM and a wait for it to exit.
# Does nothing for a service that is not running. Data stays in the state directory.
#
#   down.sh              stops both
#   down.sh postgres     stops PostgreSQL only (up.sh starts it again and leaves the running emulator alone)
#   down.sh s3           stops the S3 emulator only
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$here/common.sh"

stop_postgres() {
  if [ ! -s "$pg_location_file" ]; then
    say "PostgreSQL: nothing to stop (no cluster recorded in $state_dir)"
    return 0
  fi
  set_pg_paths "$(cat "$pg_location_file")"
  local pid
  if ! pid="$(pg_postmaster_pid)"; then
    say "PostgreSQL: not running"
    return 0
  fi
  say "stopping PostgreSQL (pid $pid)"
  pg_as_owner "$pg_bindir/pg_ctl" -D "$pg_data" -m fast -w -t 60 -s stop >&2
}

stop_s3() {
  local pid
  if ! pid="$(s3_pid)"; then
    rm -f "$s3_pidfile"
    say "S3 emulator: not running"
    return 0
  fi
  say "stopping the S3 emulator (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    process_alive "$pid" || break
    sleep 0.1
  done
  if process_alive "$pid"; then
    say "the S3 emulator ignored SIGTERM for 10 s; sending SIGKILL to pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do process_alive "$pid" || break; sleep 0.1; done
  fi
  rm -f "$s3_pidfile"
}

services=("$@")
[ "${#services[@]}" -gt 0 ] || services=(s3 postgres)
for service in "${services[@]}"; do
  case "$service" in
    s3) stop_s3 ;;
    postgres) stop_postgres ;;
    *) die "unknown service '$service' (expected postgres or s3)" ;;
  esac
done
