#!/usr/bin/env bash
# Load test of the Automation API's read and write paths, on loopback only, bounded in time (issue 14).
# Starts the service (Release, SQLite) on a temporary data directory, stores N environments, then measures each path
# with wrk at C connections. GET /healthz of the same service in the same run is the baseline: every row is reported
# as a ratio of its throughput, with its own p99 latency.
# The engine is /bin/true by default (every engine call returns at once and the operation then fails), so the
# queued operations of the stored environments cost next to nothing while the request paths are measured; set
# PLATFORM_BENCH_ENGINE=tests/AutomationApi.Tests/FakePulumi/pulumi to provision them with the scripted stand-in.
# PLATFORM_BENCH_EXTRA_ROWS=N adds N more stored environments (copies, written straight into the database) to show
# how list pages scale with the stored count.
# PLATFORM_BENCH_BUILD=DIR runs another build's service instead (a directory holding its Platform.AutomationApi.dll,
# e.g. an older commit's `dotnet build -c Release src/AutomationApi` output copied aside), to compare builds run by run.
# The stored environments' operations are waited for (the last one queued, at most 120 s) before anything is measured,
# so the read rows measure reads, not the engine's process starts beside them. PLATFORM_BENCH_READS_ONLY=1 measures
# only /healthz and the two environment reads (longer runs of the rows issue 14's read targets are about).
# PLATFORM_BENCH_WRITES=N writes to the environment the by-name row reads N times a second while the rows run (an
# extend: every write drops its cached read and every cached list page), so cache misses are part of what is measured.
# Every request but /healthz sends the run's admin key (Platform__Auth__BootstrapAdminKey), as a real client would.
# Usage: bench/load.sh [seconds-per-path (default 10)] [connections (default 64)] [stored environments (default 1000)]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-64}
stored=${3:-1000}
port=${PLATFORM_BENCH_PORT:-5099}
engine=${PLATFORM_BENCH_ENGINE:-/bin/true}
url="http://127.0.0.1:$port"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }; }

data=$(mktemp -d)
key="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
auth="Authorization: Bearer $key"
build=${PLATFORM_BENCH_BUILD:-}
if [ -z "$build" ]; then
  dotnet build -c Release src/AutomationApi >/dev/null
  build=src/AutomationApi/bin/Release/net10.0
fi
Platform__Auth__BootstrapAdminKey="$key" Platform__DataDirectory="$data" Platform__PulumiPath="$engine" Platform__EngineRetries=0 \
Platform__WorkerPollInterval=00:00:00.200 Logging__LogLevel__Default=Warning \
  dotnet "$build/Platform.AutomationApi.dll" --urls "$url" >"$data/service.log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null; wait $service 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 150); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

spec() { # $1: environment name
  printf 'apiVersion: platform/v1\nkind: Environment\nmetadata: { name: %s, team: bench, costCenter: cc-1 }\nspec:\n  tier: dev\n  services:\n    - { name: web, type: web, image: "registry.example.com/web:1.0.0", host: shop }\n' "$1"
}
export -f spec
export url auth
started=$(date +%s)
seq 1 "$stored" | xargs -P 4 -I{} bash -c 'spec "bench-{}" | curl -fs -o /dev/null -X POST "$url/v1/environments" -H "$auth" -H "content-type: application/yaml" --data-binary @-'
operation=$(spec bench-probe | curl -fs -X POST "$url/v1/environments" -H "$auth" -H 'content-type: application/yaml' --data-binary @- | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4 || true)
read_name="bench-$(( (stored + 1) / 2 ))"
extra=${PLATFORM_BENCH_EXTRA_ROWS:-0}
if [ "$extra" -gt 0 ]; then
  # More stored rows than the API can create in a bench run: copies of a stored environment under new names, written
  # straight into the SQLite file (the list path reads rows, whatever made them).
  python3 - "$data/platform.db" "$extra" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=60)
columns = [row[1] for row in db.execute('PRAGMA table_info("Environments")')]
names = ", ".join('"%s"' % c for c in columns)
values = ", ".join("printf('env_seed%08d', n)" if c == "Id" else "printf('seed-%08d', n)" if c == "Name" else '"%s"' % c for c in columns)
db.execute("WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %d) "
           "INSERT INTO \"Environments\" (%s) SELECT %s FROM seq, (SELECT * FROM \"Environments\" LIMIT 1)" % (int(sys.argv[2]), names, values))
db.commit()
PY
  stored=$(( stored + extra ))
fi
if [ -n "$operation" ]; then
  for _ in $(seq 600); do
    curl -fs "$url/v1/operations/$operation" -H "$auth" | grep -Eq '"state":"(queued|running)"' || break
    sleep 0.2
  done
fi
echo "stored $stored environments in $(( $(date +%s) - started )) s (their operations done); $(nproc) cores; $seconds s per path at $connections connections"

lua=$(mktemp -d)
# An invalid spec: every error collected, nothing stored (400).
cat >"$lua/invalid.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/yaml"
wrk.body = "apiVersion: platform/v1\nkind: Environment\nmetadata: { name: Bad_Name, team: bench, costCenter: cc-1 }\nspec:\n  tier: dev\n  services:\n    - { name: web, type: web, image: web:latest, uses: [nothing] }\n"
LUA
# Valid creates, each with a name of its own (202 Accepted: stored and queued).
cat >"$lua/create.lua" <<'LUA'
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
local counter = 0
function request()
  counter = counter + 1
  local name = string.format("load-%d-%d", id, counter)
  local body = "apiVersion: platform/v1\nkind: Environment\nmetadata: { name: " .. name ..
    ", team: bench, costCenter: cc-1 }\nspec:\n  tier: dev\n  services:\n    - { name: web, type: web, image: \"registry.example.com/web:1.0.0\", host: shop }\n"
  return wrk.format("POST", "/v1/environments", { ["Content-Type"] = "application/yaml", ["Authorization"] = wrk.headers["Authorization"] }, body)
end
LUA

measure() { # wrk arguments; prints "requests/s p99-ms non-2xx"
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "$auth" "$@" 2>/dev/null | awk '
    /Requests\/sec/ { rps = $2 }
    $1 == "99%" { v = $2; unit = v; gsub(/[0-9.]/, "", unit); gsub(/[a-z]/, "", v)
                  p99 = unit == "us" ? v / 1000 : unit == "s" ? v * 1000 : unit == "m" ? v * 60000 : v }
    /Non-2xx/ { non2xx = $NF }
    END { printf "%s %s %s\n", rps + 0, p99 + 0, non2xx + 0 }'
}
row() { # label, then wrk arguments
  local label=$1; shift
  read -r rps p99 non2xx < <(measure "$@")
  printf '%-52s %10.0f %7.3f %9.1f %9s\n' "$label" "$rps" "$(awk -v a="$rps" -v b="$base" 'BEGIN{print a/b}')" "$p99" "$non2xx"
}
read -r base base_p99 _ < <(measure "$url/healthz")
printf '%-52s %10s %7s %9s %9s\n' "path" "req/s" "ratio" "p99 ms" "non-2xx"
printf '%-52s %10.0f %7.3f %9.1f %9s\n' "GET /healthz (baseline)" "$base" 1 "$base_p99" 0
writes=${PLATFORM_BENCH_WRITES:-0}
if [ "$writes" != 0 ]; then
  pause=$(awk -v n="$writes" 'BEGIN { printf "%.3f", 1 / n }')
  ( while :; do
      curl -fs -o /dev/null -X POST "$url/v1/environments/$read_name/extend" -H "$auth" -H 'content-type: application/json' --data '{"ttl":"3d"}' || true
      sleep "$pause"
    done ) &
  writer=$!
  trap 'kill $writer 2>/dev/null; kill $service 2>/dev/null; wait $service 2>/dev/null; rm -rf "$data"' EXIT
fi
reads_only=${PLATFORM_BENCH_READS_ONLY:-0}
[ "$reads_only" = 1 ] || row "GET /v1/golden-paths" "$url/v1/golden-paths"
row "GET /v1/environments?limit=50 ($stored stored)" "$url/v1/environments?limit=50"
row "GET /v1/environments/{name}" "$url/v1/environments/$read_name"
if [ "$reads_only" = 1 ]; then
  rm -rf "$lua"
  echo "service peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$service/status)"
  exit 0
fi
[ -n "$operation" ] && row "GET /v1/operations/{id}" "$url/v1/operations/$operation"
row "POST /v1/environments (invalid spec, 400)" -s "$lua/invalid.lua" "$url/v1/environments"
row "POST /v1/environments (accepted creates, 202)" -s "$lua/create.lua" "$url/v1/environments"
rm -rf "$lua"
echo "service peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$service/status)"
