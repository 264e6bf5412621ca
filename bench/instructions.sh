#!/usr/bin/env bash
# Instructions, not seconds: what one plan synthesis (validate + compile + guardrails + cost + render, as the growth
# probe runs it) executes at each size, counted by valgrind's callgrind. The count is the same for the same build and
# input whatever else the machine does, so a growth measured this way carries none of this virtual machine's speed
# drift, and none of the memory hierarchy either: set beside the growth in time (`growth`), it separates the work the
# code does from what the caches, page faults and the collector's copying add to it.
# Each size runs twice, one and two syntheses after a 10-service warm-up, and the difference is one synthesis. The JIT
# compiles every method fully on first call (DOTNET_TieredCompilation=0), so both runs execute the same code.
# Slow: valgrind runs the process about 50 times slower (1,000 and 5,000 services: about 15 minutes on 2 cores).
# Usage: bench/instructions.sh <services> <services> [VAR=value ...]
#   e.g. bench/instructions.sh 1000 5000 DOTNET_GCgen0size=0x40000000   (a 1 GB gen0 budget: no collection at all)
set -euo pipefail
cd "$(dirname "$0")/.."
small=$1 large=$2
shift 2
command -v valgrind >/dev/null || { echo "instructions: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release bench/Benchmarks >/dev/null
dll=bench/Benchmarks/bin/Release/net10.0/Platform.Benchmarks.dll

count() { # count <services> <syntheses> [VAR=value ...]: callgrind's totals per object file (JIT-compiled code has none: "???")
  local services=$1 syntheses=$2 run="$work/$1-$2"
  shift 2
  env DOTNET_TieredCompilation=0 DOTNET_TieredPGO=0 DOTNET_EnableWriteXorExecute=0 "$@" \
    valgrind --tool=callgrind --callgrind-out-file="$run.out" dotnet "$dll" repeat "$services" "$syntheses" >"$run.log" 2>&1 ||
    { tail -20 "$run.log" >&2; echo "instructions: the run of $services services x $syntheses failed" >&2; return 1; }
  callgrind_annotate --threshold=100 "$run.out" | awk '/^ *[0-9,]+ \(/ && /\[/ {
      n = $1; gsub(",", "", n); object = $0; sub(/.*\[/, "", object); sub(/\].*/, "", object); sub(/.*\//, "", object)
      total[object] += n }
    END { for (o in total) printf "%s %.0f\n", o, total[o] }' >"$run.txt"
}

echo "start: $(date -u +%FT%H:%MZ), $(nproc) cores${*:+, $*}"
# Two processes at a time (the two counts of a size): valgrind runs each on one core.
for services in "$small" "$large"; do
  count "$services" 1 "$@" & one=$!
  count "$services" 2 "$@" & two=$!
  wait "$one" && wait "$two"
done

per_synthesis() { # per_synthesis <services>: "object instructions" of one synthesis, largest first
  awk 'NR == FNR { one[$1] = $2; next } { printf "%s %.0f\n", $1, $2 - one[$1] }' "$work/$1-1.txt" "$work/$1-2.txt" | sort -k2 -rn
}
per_synthesis "$small" >"$work/small"
per_synthesis "$large" >"$work/large"
echo "end: $(date -u +%FT%H:%MZ)"
resources() { awk '$1 == "resources" { print $2 }' "$work/$1-1.log"; }
echo "plan resources: $(resources "$small") -> $(resources "$large") ($(awk -v a="$(resources "$small")" -v b="$(resources "$large")" 'BEGIN { printf "%.2f", b / a }') x)"
awk -v small="$small" -v large="$large" '
  NR == FNR { a[$1] = $2; sa += $2; next } { b[$1] = $2; sb += $2 }
  END {
    printf "%-28s %14s %14s %8s\n", "instructions per synthesis", small " services", large " services", "growth"
    name["???"] = "JIT-compiled code"; name["libcoreclr.so"] = "runtime (collector, helpers)"; name["libc.so.6"] = "libc (memset, memmove)"
    for (o in a) if (o in name && a[o] > 0) printf "%-28s %14.0f %14.0f %7.2f x\n", name[o], a[o], b[o], b[o] / a[o]
    printf "%-28s %14.0f %14.0f %7.2f x\n", "total", sa, sb, sb / sa
  }' "$work/small" "$work/large"
