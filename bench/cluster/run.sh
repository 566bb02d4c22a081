#!/usr/bin/env bash
# ClusterExecutor throughput through one local silo (samples/ClusterWorker, its own process) with work isolated in
# the silo's worker processes (the default) and in the silo process (the opt-in), beside Dask's LocalCluster with as
# many worker processes, in the same run. Median of 5 runs, range beside it. Writes bench/results/cluster.md.
# Usage: bash bench/cluster/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# Dask from Debian's packages, so Debian's own python3 (not a python3 that comes first on PATH).
dask_python=/usr/bin/python3
if ! "$dask_python" -c "import distributed" 2>/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  { $sudo apt-get install -y -q python3-distributed || { $sudo apt-get update -q && $sudo apt-get install -y -q python3-distributed; }; } >/dev/null
fi
dotnet build -c Release samples/ClusterWorker -nologo -v quiet
dll=samples/ClusterWorker/bin/Release/net10.0/ClusterWorker.dll
workers=$(nproc)
runs=5
tmp="$(mktemp -d)"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_silo MODE: starts one silo (isolated or in-silo) on free ports and waits until it is ready; sets $pid, $gateway.
start_silo() {
  local silo_port log="$tmp/silo-$1.log"
  silo_port=$(free_port) gateway=$(free_port)
  local extra=()
  [ "$1" = "in-silo" ] && extra=(--in-silo)
  dotnet "$dll" --cluster localhost --silo-port "$silo_port" --gateway-port "$gateway" --max-workers "$workers" --parent-pid $$ "${extra[@]}" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    if grep -q "silo ready" "$log"; then return 0; fi
    sleep 0.1
  done
  cat "$log" >&2
  return 1
}

stop_silo() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

# measure NAME WORK ITEMS CHUNK: the client's items/s over $runs runs, as JSON {value (median), min, max, items}.
measure() {
  dotnet "$dll" --client --gateway-port "$gateway" --work "$2" --items "$3" --chunk-size "$4" --repeat $((runs + 1)) >"$tmp/client.log"
  grep -E "items/s" "$tmp/client.log" | tail -n "$runs" | sed -E 's/.*, ([0-9,]+) items\/s.*/\1/' | tr -d , \
    | python3 -c "import json, statistics, sys; r = [float(x) for x in sys.stdin]; print(json.dumps({'$1': {'value': statistics.median(r), 'min': min(r), 'max': max(r), 'items': $3}}))"
}

run_all() {
  measure noop_chunk1 noop 20000 1
  measure noop_chunk100 noop 1000000 100
  measure noop_chunk1000 noop 1000000 1000
  measure primes_chunk100 primes 100000 100
}

echo "Dask..." >&2
"$dask_python" bench/cluster/dask_bench.py "$workers" "$runs" > "$tmp/dask.json"
echo "isolated..." >&2
start_silo isolated
run_all > "$tmp/isolated.jsonl"
stop_silo
echo "in-silo..." >&2
start_silo in-silo
run_all > "$tmp/in-silo.jsonl"
stop_silo

python3 - "$tmp" "$workers" "$runs" <<'REPORT' | tee bench/results/cluster.md
import json, subprocess, sys, datetime, os
tmp, workers, runs = sys.argv[1], sys.argv[2], sys.argv[3]
dask = json.load(open(f"{tmp}/dask.json"))
def lines(name):
    merged = {}
    for line in open(f"{tmp}/{name}.jsonl"):
        merged.update(json.loads(line))
    return merged
isolated, in_silo = lines("isolated"), lines("in-silo")
def fmt(e):
    return f"{e['value']:,.0f} ({e['min']:,.0f}–{e['max']:,.0f})"
rows = [
    ("noop_chunk1", "no-op, one call per item (chunkSize 1; Dask: client.map per item)"),
    ("noop_chunk100", "no-op, chunks of 100"),
    ("noop_chunk1000", "no-op, chunks of 1,000"),
    ("primes_chunk100", "primes from 1,000,000,000, chunks of 100"),
]
print(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, {os.uname().sysname} {os.uname().machine}, "
      f"with `bash bench/cluster/run.sh`: one silo and the client on this machine, {workers} worker processes on each side; items/s, median of {runs} runs (range). "
      "Ratio: isolated ConcurrentFutures over Dask.")
print()
print("| Workload | Dask LocalCluster | ConcurrentFutures, isolated (default) | ConcurrentFutures, in-silo | Ratio |")
print("|---|---:|---:|---:|---:|")
for key, description in rows:
    print(f"| {description} | {fmt(dask[key])} | {fmt(isolated[key])} | {fmt(in_silo[key])} | {isolated[key]['value'] / dask[key]['value']:,.1f}× |")
REPORT
