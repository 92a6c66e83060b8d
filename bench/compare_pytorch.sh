#!/usr/bin/env bash
# Side-by-side in one run: NerfSharp's `nerf bench` and a PyTorch CPU implementation of the same training
# iteration (bench/pytorch/nerf_step.py), then the ratio. Needs Debian's PyTorch with an optimised BLAS:
#   apt-get install python3-torch libopenblas0-pthread   (without OpenBLAS, Debian's torch uses the reference BLAS, ~25x slower)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
iters="${1:-3}"
ours=$("$root/nerf" bench --iters "$iters" --warmup 1 2>/dev/null)
echo "$ours"
theirs=$(/usr/bin/python3 "$root/bench/pytorch/nerf_step.py" "$iters")
echo "$theirs"
a=$(echo "$ours" | sed -n 's/.*seconds per iteration: mean \([0-9.]*\), best \([0-9.]*\).*/\2/p')
b=$(echo "$theirs" | sed -n 's/.*seconds per iteration: mean \([0-9.]*\), best \([0-9.]*\).*/\2/p')
awk -v a="$a" -v b="$b" 'BEGIN { printf "best seconds per iteration: NerfSharp %.3f, PyTorch %.3f -> NerfSharp is %.2fx faster\n", a, b, b / a }'
