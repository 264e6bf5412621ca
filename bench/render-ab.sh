#!/usr/bin/env bash
# CPU (user + sys) and peak RSS of `platform render` for two builds of the CLI, run alternately so both see the same
# machine load. Usage: bench/render-ab.sh <old Platform.Cli.dll> <new Platform.Cli.dll> <spec.yaml> [runs=3]
# A spec of N generated services: dotnet run -c Release --project bench/Benchmarks -- spec N > spec.yaml
set -euo pipefail
old=$1 new=$2 spec=$3 runs=${4:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for _ in $(seq "$runs"); do
  for build in old new; do
    rm -rf "$work/out"
    /usr/bin/time -f "%U %S %M" -a -o "$work/$build" dotnet "${!build}" render "$spec" --out "$work/out" > /dev/null
  done
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for build in old new; do
  rss=$(awk '$3 > m { m = $3 } END { print int(m / 1024) }' "$work/$build")
  awk '{ printf "%.2f\n", $1 + $2 }' "$work/$build" | sort -n | awk -v b="$build" -v rss="$rss" '{ cpu[NR] = $1 }
    END { printf "%s: %d runs, CPU median %.2f s (min %.2f), peak RSS %s MB\n", b, NR, cpu[int((NR + 1) / 2)], cpu[1], rss }'
done
