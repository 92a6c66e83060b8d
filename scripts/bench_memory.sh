#!/usr/bin/env bash
# Peak resident memory of training on full-resolution lego (100 images 800x800) with and without --max-memory.
# Usage: scripts/bench_memory.sh [LIMIT] [STEPS]   (defaults 2G and 2; needs ../shared/data/nerf_synthetic/lego and GNU time)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
limit="${1:-2G}"
steps="${2:-2}"
data="${NERFSHARP_SHARED:-$root/../shared}/data/nerf_synthetic/lego"
dotnet build src/NerfSharp.Cli -c Release -nologo -v quiet >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for flags in "" "--max-memory $limit"; do
  # shellcheck disable=SC2086
  /usr/bin/time -v dotnet src/NerfSharp.Cli/bin/Release/net10.0/nerf.dll train --data "$data" --out "$work/run$RANDOM" \
    --steps "$steps" --white_bkgd $flags >"$work/log" 2>&1
  peak_kb="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/log")"
  loss="$(sed -n 's/^done: step [0-9]*, loss \([0-9.]*\).*/\1/p' "$work/log")"
  echo "train lego 800x800 ${flags:-(no limit)}: peak RSS $((peak_kb / 1024)) MiB, loss after $steps steps $loss"
done
