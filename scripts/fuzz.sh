#!/usr/bin/env bash
# Fuzzes every parser (PNG, Blender transforms JSON, nerf-pytorch config, safetensors checkpoint) with more seeded
# mutations than CI does and prints, per parser, inputs / accepted / rejected with a clear error / failures.
# Usage: scripts/fuzz.sh [INPUTS_PER_PARSER]   (default 3000; CI runs 300)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
count="${1:-3000}"
report="$(mktemp)"
dotnet build NerfSharp.slnx -c Release -nologo -v quiet >/dev/null || { echo "fuzz.sh: build failed" >&2; exit 1; }
NERFSHARP_FUZZ_COUNT="$count" NERFSHARP_FUZZ_REPORT="$report" \
  dotnet test tests/NerfSharp.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~NerfSharp.Tests.Fuzzing.ParserFuzzTests" >/dev/null 2>&1
status=$?
if [ -s "$report" ]; then cat "$report"; else echo "fuzz.sh: no report written (see dotnet test output)"; status=1; fi
rm -f "$report"
exit $status
