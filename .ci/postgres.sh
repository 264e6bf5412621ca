#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the store tests and prints the connection string.
# Installs Debian's server package when the machine has none. Port 55432 (PLATFORM_PG_PORT), or the next free one
# when another server already holds it.
# Usage: conn=$(bash .ci/postgres.sh [file])   file, when given, receives the server's data directory
#        bash .ci/postgres.sh stop DATA_DIR    stops that server and removes its data directory
#        bash .ci/postgres.sh halt DATA_DIR    stops that server, keeping its data (a restart test's outage)
#        bash .ci/postgres.sh resume DATA_DIR  starts a halted server again on its port
set -euo pipefail
bin=""
find_bin() { bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true); }
# The server refuses to run as root; run it as the postgres user the package creates (or create one), from /, since
# the postgres user may not be allowed into the caller's directory.
run() { if [ "$(id -u)" = 0 ]; then (cd / && su postgres -s /bin/sh -c "$*"); else sh -c "$*"; fi; }

start_server() { # $1: data directory, $2: port
  run "'$bin/pg_ctl' -D '$1/db' -o \"-p $2 -k '$1' -c listen_addresses=127.0.0.1 -c fsync=off -c autovacuum=off\" -l '$1/log' -w start >/dev/null"
}

if [ "${1:-}" = halt ] || [ "${1:-}" = resume ]; then
  data=${2:?usage: postgres.sh halt|resume DATA_DIR}
  case "$data" in /tmp/platform-pg.*) ;; *) echo "not a data directory of this script: $data" >&2; exit 1 ;; esac
  find_bin
  if [ "$1" = halt ]; then
    run "'$bin/pg_ctl' -D '$data/db' -m fast -w stop >/dev/null"
  else
    start_server "$data" "$(cat "$data/port")"
  fi
  exit 0
fi

if [ "${1:-}" = stop ]; then
  data=${2:?usage: postgres.sh stop DATA_DIR}
  case "$data" in /tmp/platform-pg.*) ;; *) echo "not a data directory of this script: $data" >&2; exit 1 ;; esac
  find_bin
  [ -f "$data/db/postmaster.pid" ] && run "'$bin/pg_ctl' -D '$data/db' -m fast -w stop >/dev/null" || true
  rm -rf "$data"
  exit 0
fi

find_bin
if [ -z "$bin" ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2
  find_bin
fi
[ -n "$bin" ] || { echo "no PostgreSQL server binaries found" >&2; exit 1; }

in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=${PLATFORM_PG_PORT:-55432}
if [ -z "${PLATFORM_PG_PORT:-}" ]; then
  while in_use "$port"; do
    port=$((port + 1))
    [ "$port" -lt 55532 ] || { echo "no free port from 55432 to 55531" >&2; exit 1; }
  done
fi

data=$(mktemp -d /tmp/platform-pg.XXXXXX)
[ -z "${1:-}" ] || echo "$data" >"$1"
id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
chown postgres "$data"
run "'$bin/initdb' -D '$data/db' -U postgres --auth=trust -E UTF8 >/dev/null"
echo "$port" >"$data/port"
start_server "$data" "$port"
run "'$bin/psql' -h 127.0.0.1 -p $port -U postgres -qc \"CREATE ROLE platform LOGIN PASSWORD 'platform' CREATEDB\"" >&2
echo "Host=127.0.0.1;Port=$port;Username=platform;Password=platform;Database=platform_test"
