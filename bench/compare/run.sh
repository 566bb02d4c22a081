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
# The same 1 MB queue items in a process whose large-object threshold is 2 MB (what an app gets with
# System.GC.LOHThreshold in its runtimeconfig): 1 MB arrays then live in gen0 instead of forcing gen2 collections.
DOTNET_GCLOHThreshold=0x200000 dotnet bench/ConcurrentFutures.Compare/bin/Release/net10.0/ConcurrentFutures.Compare.dll "${quick[@]}" --only queue_1mb_items,dotnet_new_1mb_arrays > "$tmp/csharp-loh.json"
python3 - "$tmp/csharp.json" "$tmp/csharp-loh.json" <<'MERGE'
import json, sys
results = json.load(open(sys.argv[1]))
loh = json.load(open(sys.argv[2]))
results["queue_1mb_items_loh"] = loh["queue_1mb_items"]
results["dotnet_new_1mb_arrays_loh"] = loh["dotnet_new_1mb_arrays"]
json.dump(results, open(sys.argv[1], "w"))
MERGE
python3 bench/compare/report.py "$tmp/python.json" "$tmp/csharp.json" bench/results/latest
echo "Scaling chart..." >&2
dotnet bench/ConcurrentFutures.Compare/bin/Release/net10.0/ConcurrentFutures.Compare.dll "${quick[@]}" --scaling bench/results/scaling.svg
