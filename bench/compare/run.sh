#!/usr/bin/env bash
# One command for the README's performance table: the same workloads in Python 3 (standard library) and C#,
# on this machine, in this run. Writes bench/results/latest.md and latest.json.
# Usage: bash bench/compare/run.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/../.."
quick=()
if [ "${1:-}" = "--quick" ]; then quick=(--quick); fi

dotnet build -c Release bench/ConcurrentFutures.Compare -nologo -v quiet
bash bench/readytorun.sh bench/ConcurrentFutures.Compare/bin/Release/net10.0 # the library as the package ships it
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "Python..." >&2
python3 bench/compare/python_bench.py "${quick[@]}" > "$tmp/python.json"
echo "C#..." >&2
dotnet bench/ConcurrentFutures.Compare/bin/Release/net10.0/ConcurrentFutures.Compare.dll "${quick[@]}" > "$tmp/csharp.json"
# The same 1 MB queue items in an app that opted out of the package's 2 MB large-object threshold (the runtime's
# default, 85,000 bytes; the environment variable overrides the runtimeconfig): each 1 MB array is then a
# large-object-heap allocation, and gen2 collections follow every few megabytes.
DOTNET_GCLOHThreshold=0x14C08 dotnet bench/ConcurrentFutures.Compare/bin/Release/net10.0/ConcurrentFutures.Compare.dll "${quick[@]}" --only queue_1mb_items,dotnet_new_1mb_arrays > "$tmp/csharp-opted-out.json"
python3 - "$tmp/csharp.json" "$tmp/csharp-opted-out.json" <<'MERGE'
import json, sys
results = json.load(open(sys.argv[1]))
opted_out = json.load(open(sys.argv[2]))
results["queue_1mb_items_default_gc"] = opted_out["queue_1mb_items"]
results["dotnet_new_1mb_arrays_default_gc"] = opted_out["dotnet_new_1mb_arrays"]
json.dump(results, open(sys.argv[1], "w"))
MERGE
python3 bench/compare/report.py "$tmp/python.json" "$tmp/csharp.json" bench/results/latest
echo "Scaling chart..." >&2
dotnet bench/ConcurrentFutures.Compare/bin/Release/net10.0/ConcurrentFutures.Compare.dll "${quick[@]}" --scaling bench/results/scaling.svg
