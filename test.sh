#!/usr/bin/env bash
# Runs every NerfSharp test, the way CI does: installs what tests need (ffmpeg, libjpeg-turbo-progs, colmap, chromium), builds in Release,
# runs the suite, then re-runs the SIMD kernel tests with AVX-512 disabled (Vector256 path; .NET 10 reads DOTNET_EnableAVX512,
# older runtimes DOTNET_EnableAVX512F) and with
# AVX2 disabled (narrower/scalar fallbacks).
# Ends with one line: "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
# Tools the tests call: ffmpeg (video tests), djpeg/cjpeg (libjpeg-turbo-progs: the JPEG reference decoder and test files)
# colmap (CPU structure-from-motion for `nerf process`) and chromium (the web viewer's browser tests, driven by Playwright's
# driver from its NuGet package: no browser download).
need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v djpeg >/dev/null 2>&1 && command -v cjpeg >/dev/null 2>&1 || need+=(libjpeg-turbo-progs)
command -v colmap >/dev/null 2>&1 || need+=(colmap)
[ -x /usr/bin/chromium ] || [ -n "${NERF_CHROMIUM:-}" ] || need+=(chromium)
if [ "${#need[@]}" -gt 0 ]; then
  echo "test.sh: installing ${need[*]} (needed by the tests)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null;
  else sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
fi
# The export tests validate .glb files with the Khronos glTF validator (npm package gltf-validator, run by node).
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || {
  echo "test.sh: installing nodejs npm (needed by the glTF export tests)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null;
  else sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; fi
}
export NERFSHARP_NPM_PREFIX="${NERFSHARP_NPM_PREFIX:-$HOME/.cache/nerfsharp-npm}"
[ -d "$NERFSHARP_NPM_PREFIX/node_modules/gltf-validator" ] || npm install --prefix "$NERFSHARP_NPM_PREFIX" --no-audit --no-fund -s gltf-validator@2.0.0-dev.3.10 >&2
dotnet build NerfSharp.slnx -c Release -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }
log=$(mktemp)
status=0
dotnet test tests/NerfSharp.Tests -c Release --no-build -nologo 2>&1 | tee "$log" || status=1
DOTNET_EnableAVX512=0 DOTNET_EnableAVX512F=0 dotnet test tests/NerfSharp.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~NerfSharp.Tests.Kernels" 2>&1 | tee -a "$log" || status=1
DOTNET_EnableAVX2=0 dotnet test tests/NerfSharp.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~NerfSharp.Tests.Kernels" 2>&1 | tee -a "$log" || status=1
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
passed=${passed:-0}; failed=${failed:-0}
if [ "$passed" = 0 ] && [ "$failed" = 0 ]; then failed=1; status=1; fi
echo "$passed passed, $failed failed"
[ "$status" = 0 ] && [ "$failed" = 0 ]
