#!/usr/bin/env bash
# ClusterExecutor throughput through one local silo (samples/ClusterWorker, its own process) with work isolated in
# the silo's worker processes (the default) and in the silo process (the opt-in), beside Dask's LocalCluster with as
# many worker processes, in the same run. Median of 5 runs after 2 warm-up runs (both sides), range beside it. Then round trips of large values (1 MB to
# 1 GB, sent as the argument and returned) through one silo (through its shared memory, the default for a client on
# its machine, and over TCP as between machines) and through two, beside Dask with one and two workers, on each side one client for the sizes up to 50 MB and one for the larger, median of 11 runs (up to 50 MB) or 5 after
# 3 s of warm-up round trips of the size, and the peak memory of a 300 MB round trip. Writes bench/results/cluster.md.
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
bash bench/readytorun.sh samples/ClusterWorker/bin/Release/net10.0 # the library as the package ships it
dll=samples/ClusterWorker/bin/Release/net10.0/ClusterWorker.dll
workers=$(nproc)
runs=5
tmp="$(mktemp -d)"
pid=""
pid2=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  [ -n "$pid2" ] && kill "$pid2" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_silo MODE: starts one silo (isolated or in-silo) on free ports and waits until it is ready; sets $pid, $gateway.
start_silo() {
  local silo_port log="$tmp/silo-$1.log"
  silo_port=$(free_port) gateway=$(free_port)
  primary_port=$silo_port
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

stop_silo() {
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  if [ -n "$pid2" ]; then kill "$pid2"; wait "$pid2" 2>/dev/null || true; pid2=""; fi
}

# start_second: a second (isolated) silo joining the one started by start_silo; sets $pid2.
start_second() {
  local silo_port log="$tmp/silo-second.log"
  silo_port=$(free_port)
  : >"$log"
  dotnet "$dll" --cluster localhost --silo-port "$silo_port" --gateway-port "$(free_port)" --primary-port "$primary_port" --max-workers "$workers" --parent-pid $$ >"$log" 2>&1 &
  pid2=$!
  for _ in $(seq 1 600); do
    if grep -q "silo ready" "$log"; then sleep 3; return 0; fi # and a membership refresh for the client to see it
    sleep 0.1
  done
  cat "$log" >&2
  return 1
}

small_sizes=(1 10 50)
large_sizes=(150 300 1000)
# Two silos (or Dask workers) up to 300 MB: both, their workers, the client and its copies of 1 GB do not fit this
# machine's memory at once.
two_large_sizes=(150 300)
small_size_runs=11 # the small sizes' medians swing most (1 MB: 55-350 MB/s within 5 runs)
size_runs=5
size_warmup_seconds=3 # as the comparison: a client still compiling its code read 1 MB round trips at 6 ms, 3-4 after 3 s

# measure_sizes NAME RUNS MB...: MB/s of echo round trips per size, one client for these sizes (as on Dask's side), each
# size's round trips for $size_warmup_seconds first (at least three: the first round trips of a large size fault in
# fresh memory on both sides), then RUNS measured; JSON lines
# {NAME: {MB: {value, min, max, ms}}}. The client gets the arguments in $client_extra too (e.g. --no-shared-memory).
client_extra=""
measure_sizes() {
  local name=$1 repeat=$2
  shift 2
  # shellcheck disable=SC2086 # client_extra is a list of words
  dotnet "$dll" --client --gateway-port "$gateway" --work echo --megabytes "$(IFS=,; echo "$*")" --warmup-seconds "$size_warmup_seconds" --repeat "$repeat" $client_extra >"$tmp/client.log"
  for mb in "$@"; do
    grep -E "^echo: $mb MB," "$tmp/client.log" | sed -E 's/.*MB, ([0-9.]+) ms, ([0-9]+) MB\/s.*/\1 \2/' \
      | python3 -c "import json, statistics, sys; r = [tuple(map(float, l.split())) for l in sys.stdin]; print(json.dumps({'$name': {'$mb': {'value': statistics.median(x[1] for x in r), 'min': min(x[1] for x in r), 'max': max(x[1] for x in r), 'ms': statistics.median(x[0] for x in r)}}}))"
  done
}

# measure_memory: 300 MB round trips on a fresh silo, in copies of the value: the silo process's peak RSS beyond its
# idle RSS, the peak of shared memory in use (/dev/shm, where the silo and its workers pass values) beyond before, the
# largest rise of one of its worker processes' peak RSS, and the client's own report.
measure_memory() {
  local idle workers_before
  idle=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  workers_before=$(for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do echo "$c $(awk '/VmRSS/ {print $2}' /proc/"$c"/status 2>/dev/null)"; done)
  python3 -c '
import os, sys, time
base = None; peak = 0
while not os.path.exists(sys.argv[1]):
    s = os.statvfs("/dev/shm"); used = (s.f_blocks - s.f_bfree) * s.f_frsize
    base = used if base is None else base; peak = max(peak, used); time.sleep(0.005)
print((peak - base) / 300e6)' "$tmp/memory.done" >"$tmp/shm.txt" &
  local sampler=$!
  dotnet "$dll" --client --gateway-port "$gateway" --work echo --megabytes 300 --repeat 3 >"$tmp/client.log"
  touch "$tmp/memory.done"
  wait "$sampler"
  local peak
  peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  echo "$workers_before" >"$tmp/workers.txt"
  python3 - "$tmp" "$peak" "$idle" <<'MEMORY'
import json, sys
tmp, peak, idle = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def hwm(pid):
    try:
        return next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM"))
    except (OSError, StopIteration):
        return None
# A child listed without a resident size had already exited (a worker ended by its pool, not yet reaped): no rise to read.
rises = [(hwm(p) - int(b)) / 300000 for p, b in (l.split() for l in open(f"{tmp}/workers.txt") if len(l.split()) == 2) if hwm(p) is not None]
log = open(f"{tmp}/client.log").read()
def reported(what):  # the rest of the client's line "echo WHAT: ..."
    return log.split(f"echo {what}: ")[1].splitlines()[0].strip()
print(json.dumps({"silo_copies": (peak - idle) / 300000, "shm_copies": float(open(f"{tmp}/shm.txt").read()),
                  "worker_copies": max(rises, default=0.0), "client": reported("memory"), "stall": reported("stall"),
                  "paused": reported("paused"), "copy": reported("copy")}))
MEMORY
}

# measure NAME WORK ITEMS CHUNK: the client's items/s over $runs runs after $warmup_runs warm-up runs (tiered JIT,
# the thread pool and the silo's slot activations settle over the first runs; Dask gets as many), as JSON
# {value (median), min, max, items}.
warmup_runs=2
measure() {
  dotnet "$dll" --client --gateway-port "$gateway" --work "$2" --items "$3" --chunk-size "$4" --repeat $((runs + warmup_runs)) >"$tmp/client.log"
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

echo "large values: Dask..." >&2
"$dask_python" bench/cluster/dask_sizes.py 1 "$small_size_runs" "$size_warmup_seconds" "${small_sizes[@]}" 2>/dev/null > "$tmp/dask-sizes-1.json"
"$dask_python" bench/cluster/dask_sizes.py 1 "$size_runs" "$size_warmup_seconds" "${large_sizes[@]}" 2>/dev/null > "$tmp/dask-sizes-1-large.json"
"$dask_python" bench/cluster/dask_sizes.py 2 "$small_size_runs" "$size_warmup_seconds" "${small_sizes[@]}" 2>/dev/null > "$tmp/dask-sizes-2.json"
"$dask_python" bench/cluster/dask_sizes.py 2 "$size_runs" "$size_warmup_seconds" "${two_large_sizes[@]}" 2>/dev/null > "$tmp/dask-sizes-2-large.json"
echo "large values: one silo..." >&2
start_silo isolated
measure_memory > "$tmp/memory.json"
measure_sizes one "$small_size_runs" "${small_sizes[@]}" > "$tmp/sizes.jsonl"
measure_sizes one "$size_runs" "${large_sizes[@]}" >> "$tmp/sizes.jsonl"
# The same silo, the values over the connection to its payload port, as between machines (the client here would
# otherwise pass them through the silo's shared memory).
client_extra="--no-shared-memory"
measure_sizes tcp "$small_size_runs" "${small_sizes[@]}" >> "$tmp/sizes.jsonl"
measure_sizes tcp "$size_runs" "${large_sizes[@]}" >> "$tmp/sizes.jsonl"
client_extra=""
echo "large values: two silos..." >&2
start_second
measure_sizes two "$small_size_runs" "${small_sizes[@]}" >> "$tmp/sizes.jsonl"
measure_sizes two "$size_runs" "${two_large_sizes[@]}" >> "$tmp/sizes.jsonl"
stop_silo

python3 - "$tmp" "$workers" "$runs" "$size_runs" "$size_warmup_seconds" "$small_size_runs" <<'REPORT' | tee bench/results/cluster.md
import json, subprocess, sys, datetime, os
tmp, workers, runs, size_runs, size_warmup_seconds, small_size_runs = sys.argv[1:7]
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
      f"with `bash bench/cluster/run.sh`: one silo and the client on this machine, {workers} worker processes on each side; items/s, median of {runs} runs after 2 warm-up runs on each side (range). "
      "Ratio: isolated ConcurrentFutures over Dask.")
print()
print("| Workload | Dask LocalCluster | ConcurrentFutures, isolated (default) | ConcurrentFutures, in-silo | Ratio |")
print("|---|---:|---:|---:|---:|")
for key, description in rows:
    print(f"| {description} | {fmt(dask[key])} | {fmt(isolated[key])} | {fmt(in_silo[key])} | {isolated[key]['value'] / dask[key]['value']:,.1f}× |")

sizes = {"one": {}, "two": {}, "tcp": {}}
for line in open(f"{tmp}/sizes.jsonl"):
    for name, by_size in json.loads(line).items():
        sizes[name].update(by_size)
dask1 = {**json.load(open(f"{tmp}/dask-sizes-1.json")), **json.load(open(f"{tmp}/dask-sizes-1-large.json"))}
dask2 = {**json.load(open(f"{tmp}/dask-sizes-2.json")), **json.load(open(f"{tmp}/dask-sizes-2-large.json"))}
memory = json.load(open(f"{tmp}/memory.json"))
print()
print("Large values: `Submit(Echo, byte[])` round trips (the value sent as the argument and returned as the result; MB/s counts both "
      "directions), isolated silos (the default); Dask: `client.submit(echo, data)` on a LocalCluster of as many worker processes. "
      "The client runs on the silos' machine, so by default it passes values through the silo's shared memory; "
      "\"over TCP\": the same silo with `ShareMemoryWithLocalSilos = false`, every value over the connection to its payload port, as between machines. "
      f"On each side one client for the sizes up to 50 MB and one for the larger; per size, median of {small_size_runs} runs up to 50 MB and {size_runs} above, after {size_warmup_seconds} s of round trips of that size (at least three), on each side (MB/s range).")
print()
print("| Size | Dask, 1 worker | ConcurrentFutures, 1 silo | Ratio | 1 silo, over TCP | Ratio | Dask, 2 workers | ConcurrentFutures, 2 silos | Ratio |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for mb in sorted(sizes["one"], key=int):
    one, two, tcp, d1, d2 = sizes["one"][mb], sizes["two"].get(mb), sizes["tcp"].get(mb), dask1.get(mb), dask2.get(mb)
    def ratio(a, b):
        return f"{a['value'] / b['value']:,.1f}×" if a and b and "value" in b else "—"
    def rt(e):
        if not e:
            return "not run (memory)"
        if "error" in e:
            return f"failed: {e['error']}"
        return f"{e['ms']:,.0f} ms, {e['value']:,.0f} MB/s ({e['min']:,.0f}–{e['max']:,.0f})"
    label = f"{int(mb) // 1000} GB" if int(mb) >= 1000 else f"{mb} MB"
    print(f"| {label} | {rt(d1)} | {rt(one)} | {ratio(one, d1)} | {rt(tcp)} | {ratio(tcp, d1)} | {rt(d2)} | {rt(two)} | {ratio(two, d2)} |")
print()
print(f"Memory of 300 MB round trips (3 in a row), in copies of the value: the silo process's peak RSS rose by {memory['silo_copies']:.1f} "
      f"above its idle RSS; shared memory in use (the slabs the silo and its worker pass the value through) by at most {memory['shm_copies']:.1f}; "
      f"the busiest worker process's peak RSS by {memory['worker_copies']:.1f} (the slabs it maps, the argument it reads and the result it writes); "
      f"the client: {memory['client']}. Other work meanwhile: {memory['stall']} (a no-op each, one after another, on the same silo; {memory['paused']}); in the client then, {memory['copy']}. 1 GB is not run with two silos or workers: "
      "both silos, their workers, the client and their copies of it do not fit this machine's memory at once.")
REPORT
