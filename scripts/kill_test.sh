#!/usr/bin/env bash
# SIGKILLs a real `nerf train` at 20 seeded random moments (some during checkpoint writes), resumes after each,
# and checks the run ends bit-identical to an uninterrupted one. Prints "kill points survived: N/20 ...".
# Usage: scripts/kill_test.sh [POINTS] [SEED]      (CI runs the same test with 3 points)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
points="${1:-20}"
seed="${2:-2024}"
report="$(mktemp)"
dotnet build NerfSharp.slnx -c Release -nologo -v quiet >/dev/null || { echo "kill_test.sh: build failed" >&2; exit 1; }
NERFSHARP_KILL_POINTS="$points" NERFSHARP_KILL_SEED="$seed" NERFSHARP_KILL_REPORT="$report" \
  dotnet test tests/NerfSharp.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~KillAtRandomMomentsTests" >/dev/null 2>&1
status=$?
if [ -s "$report" ]; then cat "$report"; else echo "kill_test.sh: the harness wrote no report (see dotnet test output)"; status=1; fi
rm -f "$report"
exit $status
