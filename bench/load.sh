#!/usr/bin/env bash
# Load test of the Automation API's request paths, on loopback only, bounded in time.
# Starts the service (Release) on a temporary data directory with the scripted stand-in for the pulumi CLI,
# creates a few environments, then measures each path with wrk. /healthz is the baseline; every other row is
# reported as a ratio of its throughput, measured in the same run.
# Usage: bench/load.sh [seconds-per-path (default 10)] [connections (default 16)]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-16}
port=${PLATFORM_BENCH_PORT:-5099}
url="http://127.0.0.1:$port"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }; }

data=$(mktemp -d)
dotnet build -c Release src/AutomationApi >/dev/null
Platform__DataDirectory="$data" Platform__PulumiPath="$PWD/tests/AutomationApi.Tests/FakePulumi/pulumi" \
Platform__WorkerPollInterval=00:00:00.200 Logging__LogLevel__Default=Warning \
  dotnet src/AutomationApi/bin/Release/net10.0/Platform.AutomationApi.dll --urls "$url" >"$data/service.log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null; wait $service 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

spec() { # $1: environment name
  printf 'apiVersion: platform/v1\nkind: Environment\nmetadata: { name: %s, team: bench, costCenter: cc-1 }\nspec:\n  tier: dev\n  services:\n    - { name: web, type: web, image: "registry.example.com/web:1.0.0", host: shop }\n' "$1"
}
for i in $(seq 1 20); do
  spec "bench-$i" | curl -fs -X POST "$url/v1/environments" -H 'content-type: application/yaml' --data-binary @- >/dev/null
done
for _ in $(seq 150); do
  ready=$(curl -fs "$url/v1/environments?status=ready&limit=50" | grep -o '"name":"bench-' | wc -l)
  [ "$ready" -ge 20 ] && break; sleep 0.2
done
echo "environments ready: $ready of 20"

# A POST body for the validation path: one invalid spec (every error collected, nothing stored).
lua=$(mktemp --suffix=.lua)
cat >"$lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/yaml"
wrk.body = "apiVersion: platform/v1\nkind: Environment\nmetadata: { name: Bad_Name, team: bench, costCenter: cc-1 }\nspec:\n  tier: dev\n  services:\n    - { name: web, type: web, image: web:latest, uses: [nothing] }\n"
LUA

measure() { # wrk arguments; prints requests/s
  local rps
  rps=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" 2>/dev/null | awk '/Requests\/sec/ {print $2}')
  echo "${rps:-0}"
}
base=$(measure "$url/healthz")
printf '%-44s %10s %8s\n' "path" "req/s" "ratio"
printf '%-44s %10.0f %8.2f\n' "GET /healthz (baseline)" "$base" 1
for path in "/v1/golden-paths" "/v1/environments?limit=20" "/v1/environments/bench-7"; do
  rps=$(measure "$url$path")
  printf '%-44s %10.0f %8.2f\n' "GET $path" "$rps" "$(awk -v a="$rps" -v b="$base" 'BEGIN{print a/b}')"
done
rps=$(measure -s "$lua" "$url/v1/environments")
printf '%-44s %10.0f %8.2f\n' "POST /v1/environments (invalid spec, 400)" "$rps" "$(awk -v a="$rps" -v b="$base" 'BEGIN{print a/b}')"
rm -f "$lua"
