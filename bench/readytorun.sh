#!/usr/bin/env bash
# Puts ConcurrentFutures.dll as the package ships it for linux-x64 — a ReadyToRun image (see src/ConcurrentFutures's
# csproj) — into each given build output, so benchmarks measure what users run rather than the IL-only project build.
# Usage: bash bench/readytorun.sh OUTPUT_DIR...
set -euo pipefail
dirs=()
for dir in "$@"; do dirs+=("$(realpath "$dir")"); done
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
dotnet publish src/ConcurrentFutures -c Release -r linux-x64 --self-contained false -o "$out" -nologo -v quiet >/dev/null
for dir in "${dirs[@]}"; do
  cp "$out/ConcurrentFutures.dll" "$dir/ConcurrentFutures.dll"
done
