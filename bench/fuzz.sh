#!/usr/bin/env bash
# The long fuzz run of the Automation API (issue 11), on loopback only, bounded in count and time.
# Starts the service (Release) on a temporary data directory with the scripted stand-in for the pulumi CLI, sends
# the seeded hostile requests of tests/AutomationApi.Tests/Fuzz (the CI test sends 300 of the same), then prints the
# answers by status code, the service's peak RSS and whether it logged anything as an error.
# Usage: bench/fuzz.sh [count (default 5000)] [seconds (default 600)] [seed (default 20261130)]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5000}
seconds=${2:-600}
seed=${3:-20261130}
limit=65536
port=${PLATFORM_BENCH_PORT:-5098}
url="http://127.0.0.1:$port"

data=$(mktemp -d)
dotnet build -c Release src/AutomationApi >/dev/null
dotnet build -c Release bench/Fuzz >/dev/null
Platform__DataDirectory="$data" Platform__PulumiPath="$PWD/tests/AutomationApi.Tests/FakePulumi/pulumi" \
Platform__WorkerPollInterval=00:00:00.200 Platform__Limits__MaxRequestBodyBytes=$limit Logging__LogLevel__Default=Warning \
  dotnet src/AutomationApi/bin/Release/net10.0/Platform.AutomationApi.dll --urls "$url" >"$data/service.log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null; wait $service 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 150); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

status=0
dotnet bench/Fuzz/bin/Release/net10.0/Platform.Fuzz.dll "$url" "$count" "$seconds" "$seed" "$limit" || status=$?
curl -fs "$url/healthz" >/dev/null && echo "service: still answering /healthz" || { echo "service: NOT answering"; status=1; }
echo "service peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$service/status)"
errors=$(grep -cE '^(fail|crit):' "$data/service.log" || true)
echo "service log lines at error or critical level: $errors"
[ "$errors" -eq 0 ] || { grep -E -A3 '^(fail|crit):' "$data/service.log" | head -40; status=1; }
exit "$status"
