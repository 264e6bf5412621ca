#!/usr/bin/env bash
# The benchmarks in their short mode, to prove they still run (CI runs this after ./test.sh; well under 2 minutes).
# Figures from a short run mean nothing: docs/performance.md has the real ones and the commands behind them.
#   1. the synthesis probe at 10 and 100 generated services (every stage once), the allocation probe at 100, and the
#      growth probe (sizes paired in time) from 10 to 50 services, three rounds, with and without collections
#   2. the BenchmarkDotNet synthesis benchmark at 10 services, one in-process dry iteration
#   3. the HTTP load script: 1 s per path at 64 connections with 5 stored environments (needs wrk; installed when
#      apt-get can, otherwise reported as skipped)
#   4. the dispatch benchmark (queued -> running) with 20 operations
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
started=$(date +%s)

echo "==> bench (short): build"
dotnet build -c Release bench/Benchmarks >/dev/null

echo "==> bench (short): synthesis probe, 10 and 100 services"
dotnet bench/Benchmarks/bin/Release/net10.0/Platform.Benchmarks.dll probe 10 100

echo "==> bench (short): bytes allocated per type by compiling 100 services"
dotnet bench/Benchmarks/bin/Release/net10.0/Platform.Benchmarks.dll allocations compile 100 | sed -n '1,6p'

echo "==> bench (short): growth 10 -> 50 services, sizes paired in time, 3 rounds (and without collections)"
dotnet bench/Benchmarks/bin/Release/net10.0/Platform.Benchmarks.dll growth 10 50 3 | tail -1
dotnet bench/Benchmarks/bin/Release/net10.0/Platform.Benchmarks.dll growth 10 50 3 nogc | tail -1

echo "==> bench (short): BenchmarkDotNet synthesis, 10 services, dry job in process"
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
PLATFORM_BENCH_SIZES=10 dotnet bench/Benchmarks/bin/Release/net10.0/Platform.Benchmarks.dll \
  --filter '*SynthesisBenchmarks*' --job Dry --inProcess --artifacts "$results" >"$results/bdn.log" 2>&1 ||
  { tail -40 "$results/bdn.log"; echo "bench (short): BenchmarkDotNet run failed" >&2; exit 1; }
grep -E '^\| *(Method|Synthesise)' "$results/bdn.log"

echo "==> bench (short): HTTP load, 1 s per path, 64 connections, 5 stored"
# apt-get install alone fails on a machine whose package lists were never fetched (a fresh one where PostgreSQL came
# preinstalled, so .ci/postgres.sh did not update them): then the lists are updated once and the install tried again.
if command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 ||
  { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; }; then
  bash bench/load.sh 1 64 5
  echo "==> bench (short): accepted creates, 1 s after a 1 s warm-up, 8 connections, one round"
  PLATFORM_BENCH_WARMUP=1 bash bench/creates.sh 1 8 1
else
  echo "SKIPPED: wrk is not installed and apt-get could not install it"
fi
echo "==> bench (short): dispatch latency, 20 operations"
dotnet build -c Release bench/Dispatch >/dev/null
dotnet bench/Dispatch/bin/Release/net10.0/Platform.DispatchBench.dll 20

echo "bench (short): done in $(( $(date +%s) - started )) s"
