#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the store tests and prints the connection string.
# Installs Debian's server package when the machine has none. Port 55432 (PLATFORM_PG_PORT), or the next free one
# when another server already holds it.
# Usage: conn=$(bash .ci/postgres.sh [file])   file, when given, receives the server's data directory
#        bash .ci/postgres.sh stop DATA_DIR    stops that server and removes its data directory
set -euo pipefail
bin=""
find_bin() { bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true); }
# The server refuses to run as root; run it as the postgres user the package creates (or create one), from /, since
# the postgres user may not be allowed into the caller's directory.
run() { if [ "$(id -u)" = 0 ]; then (cd / && su postgres -s /bin/sh -c "$*"); else sh -c "$*"; fi; }

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
run "'$bin/pg_ctl' -D '$data/db' -o \"-p $port -k '$data' -c listen_addresses=127.0.0.1 -c fsync=off\" -l '$data/log' -w start >/dev/null"
run "'$bin/psql' -h 127.0.0.1 -p $port -U postgres -qc \"CREATE ROLE platform LOGIN PASSWORD 'platform' CREATEDB\"" >&2
echo "Host=127.0.0.1;Port=$port;Username=platform;Password=platform;Database=platform_test"
