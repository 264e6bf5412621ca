#!/usr/bin/env bash
# How accepted creates settle in one service as its JIT warms up (issue 14): starts this worktree's service (Release,
# SQLite, engine /bin/true) on fresh data and runs W consecutive windows of S seconds of creates (wrk, C connections),
# printing per window the creates per second and the service's CPU time per create (user + system, from
# /proc/<pid>/stat; the worker's operations of earlier creates included, their engine processes not).
# Usage: bench/creates-warmup.sh [windows (default 8)] [seconds (default 8)] [connections (default 64)]
#   PLATFORM_BENCH_DOTNET_ENV="NAME=value ..."  extra environment for the service (e.g. DOTNET_TieredCompilation=0)
set -euo pipefail
cd "$(dirname "$0")/.."
windows=${1:-8}
seconds=${2:-8}
connections=${3:-64}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }
dotnet build -c Release src/AutomationApi >/dev/null
key="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export BENCH_KEY=$key
work=$(mktemp -d)
port=${PLATFORM_BENCH_PORT:-5111}
url="http://127.0.0.1:$port"
Platform__Auth__BootstrapAdminKey="$key" Platform__DataDirectory="$work/data" Platform__PulumiPath=/bin/true Platform__EngineRetries=0 \
Logging__LogLevel__Default=Warning \
  env ${PLATFORM_BENCH_DOTNET_ENV:-} dotnet src/AutomationApi/bin/Release/net10.0/Platform.AutomationApi.dll --urls "$url" >"$work/service.log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null; wait $service 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 600); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
cat >"$work/create.lua" <<'LUA'
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
local counter = 0
local round = os.getenv("BENCH_ROUND") or "0"
function request()
  counter = counter + 1
  local name = string.format("c%s-%d-%d", round, id, counter)
  local body = "apiVersion: platform/v1\nkind: Environment\nmetadata: { name: " .. name ..
    ", team: bench, costCenter: cc-1 }\nspec:\n  tier: dev\n  services:\n    - { name: web, type: web, image: \"registry.example.com/web:1.0.0\", host: shop }\n"
  return wrk.format("POST", "/v1/environments", { ["Content-Type"] = "application/yaml", ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY") }, body)
end
LUA
ticks=$(getconf CLK_TCK)
echo "$(date -u +%FT%TZ); $(nproc) cores; $windows windows of $seconds s at $connections connections; ${PLATFORM_BENCH_DOTNET_ENV:-default runtime settings}"
for window in $(seq "$windows"); do
  read -r user0 system0 < <(awk '{print $14, $15}' "/proc/$service/stat")
  BENCH_ROUND=$window wrk -t2 -c"$connections" -d"${seconds}s" -s "$work/create.lua" "$url/v1/environments" >"$work/wrk.txt" 2>&1
  read -r user1 system1 < <(awk '{print $14, $15}' "/proc/$service/stat")
  count=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
  awk -v w="$window" -v n="$count" -v cpu=$(( (user1 - user0) + (system1 - system0) )) -v t="$ticks" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
    '/Requests\/sec/ { printf "window %d: %.0f creates/s, %.2f ms CPU per create, load %s\n", w, $2, cpu * 1000 / t / n, load }' "$work/wrk.txt"
done
