#!/usr/bin/env bash
# CPU (user + sys) and peak RSS of `platform render` for two builds of the CLI, run alternately so both see the same
# machine load. Usage: bench/render-ab.sh <old> <new> <spec.yaml> [runs=3]
# <old>/<new>: a Platform.Cli.dll (run with `dotnet`) or an executable, e.g. an installed tool's `platform`:
#   dotnet pack src/Cli -c Release -o feed && dotnet tool install Platform.Cli --tool-path tools --add-source feed --version <v>
# RENDER_AB_OLD_ENV / RENDER_AB_NEW_ENV: VAR=value pairs set for that side only (runtime knobs, e.g. DOTNET_TieredCompilation=0).
# A spec of N generated services: dotnet run -c Release --project bench/Benchmarks -- spec N > spec.yaml
set -euo pipefail
old=$1 new=$2 spec=$3 runs=${4:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command_of() { case $1 in *.dll) echo "dotnet $1" ;; *) echo "$1" ;; esac; }
echo "start: $(date -u +%FT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$runs"); do
  for build in old new; do
    rm -rf "$work/out"
    env_var="RENDER_AB_${build^^}_ENV"
    # shellcheck disable=SC2046 # word splitting of the command and the VAR=value pairs is intended
    /usr/bin/time -f "%U %S %M" -a -o "$work/$build" env ${!env_var:-} $(command_of "${!build}") render "$spec" --out "$work/out" > /dev/null
  done
done
echo "end: $(date -u +%FT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
for build in old new; do
  rss=$(awk '$3 > m { m = $3 } END { print int(m / 1024) }' "$work/$build")
  awk '{ printf "%.2f\n", $1 + $2 }' "$work/$build" | sort -n | awk -v b="$build" -v rss="$rss" '{ cpu[NR] = $1 }
    END { printf "%s: %d runs, CPU median %.2f s (min %.2f, max %.2f), peak RSS %s MB\n", b, NR, cpu[int((NR + 1) / 2)], cpu[1], cpu[NR], rss }'
done
