#!/usr/bin/env bash
# Accepted creates per second (POST /v1/environments, 202), one build against another in the same run (issue 14).
# For every round and each build in turn: starts that build's service alone (Release, SQLite, engine /bin/true) on a
# fresh data directory, warms it up, measures GET /healthz (the baseline) and accepted creates, each for S seconds at
# C connections with wrk, and stops it. Alternating the builds round by round spreads the shared machine's load over both.
# Usage: bench/creates.sh [seconds (default 5)] [connections (default 64)] [rounds (default 3)]
#   PLATFORM_BENCH_WARMUP=<seconds>  creates sent before measuring (default 40): the service's code reaches steady state
#                                    only after tiered compilation has recompiled what the create and operation paths
#                                    run (bench/README.md); 2 measures a cold service
#   PLATFORM_BENCH_BASELINE=<dir with Platform.AutomationApi.dll>  the other build (e.g. main's, built into a copy);
#                                                                  without it only this worktree's build is measured
# Prints one line per measurement and, per build, the median creates/s and its ratio to the median /healthz.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
connections=${2:-64}
rounds=${3:-3}
warmup=${PLATFORM_BENCH_WARMUP:-40}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }
dotnet build -c Release src/AutomationApi >/dev/null
builds=("new=$PWD/src/AutomationApi/bin/Release/net10.0")
[ -n "${PLATFORM_BENCH_BASELINE:-}" ] && builds=("old=$PLATFORM_BENCH_BASELINE" "${builds[@]}")

key="bench-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export BENCH_KEY=$key
work=$(mktemp -d)
service=
# (An if, not `[ ] &&`: under set -e the exit trap's stop with no service running would otherwise fail the script.)
stop() { if [ -n "$service" ]; then kill "$service" 2>/dev/null; wait "$service" 2>/dev/null || true; service=; fi; }
alive() { # build name, data directory: a service that died while measured is reported with its log, never silently averaged
  kill -0 "$service" 2>/dev/null && return
  echo "the $1 service exited while measured; the end of its log ($2/service.log):" >&2
  tail -40 "$2/service.log" >&2
  exit 1
}
trap 'stop; rm -rf "$work"' EXIT
port=${PLATFORM_BENCH_PORT:-5110}
url="http://127.0.0.1:$port"
start() { # build directory, data directory: the service on its own fresh data, one at a time (no other service's worker runs meanwhile)
  mkdir -p "$2"
  Platform__Auth__BootstrapAdminKey="$key" Platform__DataDirectory="$2" Platform__PulumiPath=/bin/true Platform__EngineRetries=0 \
  Logging__LogLevel__Default=Warning \
    dotnet "$1/Platform.AutomationApi.dll" --urls "$url" >"$2/service.log" 2>&1 &
  service=$!
  for _ in $(seq 600); do curl -fs "$url/healthz" >/dev/null 2>&1 && return; sleep 0.2; done
  echo "the service did not start: $2/service.log" >&2; exit 1
}

# Valid creates, each with a name of its own: the round is part of it, so rounds never collide.
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
measure() { # wrk arguments; prints "requests/s p99-ms non-2xx"
  wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s --latency "$@" 2>/dev/null | awk '
    /Requests\/sec/ { rps = $2 }
    $1 == "99%" { v = $2; unit = v; gsub(/[0-9.]/, "", unit); gsub(/[a-z]/, "", v)
                  p99 = unit == "us" ? v / 1000 : unit == "s" ? v * 1000 : unit == "m" ? v * 60000 : v }
    /Non-2xx/ { non2xx = $NF }
    END { printf "%s %s %s\n", rps + 0, p99 + 0, non2xx + 0 }'
}
echo "$(date -u +%FT%TZ); $(nproc) cores; $seconds s per measurement at $connections connections after ${warmup} s of creates; $rounds rounds; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-5s %-24s %10s %9s %8s\n' round build path req/s "p99 ms" non-2xx
for round in $(seq "$rounds"); do
  for build in "${builds[@]}"; do
    name=${build%%=*}
    start "${build#*=}" "$work/$name-$round"
    BENCH_ROUND=w wrk -t2 -c"$connections" -d"${warmup}s" -s "$work/create.lua" "$url/v1/environments" >/dev/null 2>&1 || true   # warm-up (JIT), not measured
    read -r rps p99 bad < <(measure "$url/healthz")
    printf '%-6s %-5s %-24s %10.0f %9.1f %8s\n' "$round" "$name" "GET /healthz" "$rps" "$p99" "$bad" | tee -a "$work/results"
    export BENCH_ROUND=$round
    read -r rps p99 bad < <(measure -s "$work/create.lua" "$url/v1/environments")
    printf '%-6s %-5s %-24s %10.0f %9.1f %8s\n' "$round" "$name" "POST (202 creates)" "$rps" "$p99" "$bad" | tee -a "$work/results"
    alive "$name" "$work/$name-$round"
    stop
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for build in "${builds[@]}"; do
  name=${build%%=*}
  awk -v n="$name" '
    function median(a, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                       return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
    $2 == n && $3 == "GET" { h[++nh] = $5 }
    $2 == n && $3 == "POST" { c[++nc] = $6; p[nc] = $7 }
    END { mh = median(h, nh); mc = median(c, nc); mp = median(p, nc)
          printf "%s: creates/s median %.0f, /healthz median %.0f, ratio %.4f, create p99 median %.0f ms\n", n, mc, mh, mc / mh, mp }' "$work/results"
done
