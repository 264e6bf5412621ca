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
limit=1048576   # the default Platform:Limits:MaxRequestBodyBytes
port=${PLATFORM_BENCH_PORT:-5098}
url="http://127.0.0.1:$port"

data=$(mktemp -d)
dotnet build -c Release src/AutomationApi >/dev/null
dotnet build -c Release bench/Fuzz >/dev/null
key=test-admin-key-0123456789abcdef # RawHttp.AdminKey: the fuzz requests send it
Platform__Auth__BootstrapAdminKey="$key" Platform__DataDirectory="$data" Platform__PulumiPath="$PWD/tests/AutomationApi.Tests/FakePulumi/pulumi" \
Platform__WorkerPollInterval=00:00:00.200 Platform__Limits__MaxRequestBodyBytes=$limit Logging__LogLevel__Default=Warning \
  dotnet src/AutomationApi/bin/Release/net10.0/Platform.AutomationApi.dll --urls "$url" >"$data/service.log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null; wait $service 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 150); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

# The large valid spec of issue 11: 6,400 services (~0.8 MB) for an environment that does not exist (PUT: 404),
# then as a create (POST: 400, over the service limit). Before the fix each compiled for 16-18 s at 1.4 GB.
big="$data/big.yaml"
{ printf 'apiVersion: platform/v1\nkind: Environment\nmetadata: { name: big-dev, team: bench, costCenter: cc-1 }\nspec:\n  tier: dev\n  services:\n'
  awk 'BEGIN { for (i = 0; i < 6400; i++) printf "    - { name: worker-%d, type: worker, image: \"registry.example.com/a/b:1.0.0\", env: { LOG_LEVEL: info, REGION: eu-west-1 } }\n", i }'
} >"$big"
for method in PUT POST; do
  target=$([ "$method" = PUT ] && echo "$url/v1/environments/big-dev" || echo "$url/v1/environments")
  printf '6,400 services, %s (%s bytes): ' "$method" "$(wc -c <"$big")"
  curl -s -o /dev/null -w '%{http_code} in %{time_total} s\n' -X "$method" "$target" -H "Authorization: Bearer $key" -H 'content-type: application/yaml' --data-binary @"$big"
done

status=0
dotnet bench/Fuzz/bin/Release/net10.0/Platform.Fuzz.dll "$url" "$count" "$seconds" "$seed" "$limit" || status=$?
curl -fs "$url/healthz" >/dev/null && echo "service: still answering /healthz" || { echo "service: NOT answering"; status=1; }
echo "service peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$service/status)"
errors=$(grep -cE '^(fail|crit):' "$data/service.log" || true)
echo "service log lines at error or critical level: $errors"
[ "$errors" -eq 0 ] || { grep -E -A3 '^(fail|crit):' "$data/service.log" | head -40; status=1; }
exit "$status"
