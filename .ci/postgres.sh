#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the store tests and prints the connection string.
# Installs Debian's server package when the machine has none. Usage: conn=$(bash .ci/postgres.sh)
set -euo pipefail
port=${PLATFORM_PG_PORT:-55432}
bin=""
find_bin() { bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true); }
find_bin
if [ -z "$bin" ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2
  find_bin
fi
[ -n "$bin" ] || { echo "no PostgreSQL server binaries found" >&2; exit 1; }

data=$(mktemp -d /tmp/platform-pg.XXXXXX)
# The server refuses to run as root; run it as the postgres user the package creates (or create one).
id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
chown postgres "$data"
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
run "'$bin/initdb' -D '$data/db' -U postgres --auth=trust -E UTF8 >/dev/null"
run "'$bin/pg_ctl' -D '$data/db' -o \"-p $port -k '$data' -c listen_addresses=127.0.0.1 -c fsync=off\" -l '$data/log' -w start >/dev/null"
run "'$bin/psql' -h 127.0.0.1 -p $port -U postgres -qc \"CREATE ROLE platform LOGIN PASSWORD 'platform' CREATEDB\"" >&2
echo "Host=127.0.0.1;Port=$port;Username=platform;Password=platform;Database=platform_test"
