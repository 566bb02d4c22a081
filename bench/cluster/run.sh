#!/usr/bin/env bash
# ClusterExecutor throughput through 1 and then 2 local silos (samples/ClusterWorker, localhost clustering, each silo
# its own process), best of 3 runs per line. Writes bench/results/cluster.md.
# Usage: bash bench/cluster/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build -c Release samples/ClusterWorker -nologo -v quiet
dll=samples/ClusterWorker/bin/Release/net10.0/ClusterWorker.dll
tmp="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

group() { python3 -c "print(f'{int(\"$1\"):,}')"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_silo SILO_PORT GATEWAY_PORT [PRIMARY_PORT]: starts a silo and waits until it is ready.
start_silo() {
  local log="$tmp/silo-$1.log"
  dotnet "$dll" --cluster localhost --silo-port "$1" --gateway-port "$2" ${3:+--primary-port "$3"} --parent-pid $$ >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do
    if grep -q "silo ready" "$log"; then return 0; fi
    sleep 0.1
  done
  cat "$log" >&2
  return 1
}

# best SILOS WORK ITEMS CHUNK GATEWAY...: runs the sample's client and prints the best items/s of 3 runs.
best() {
  local silos=$1 work=$2 items=$3 chunk=$4
  shift 4
  local gateways=()
  for port in "$@"; do gateways+=(--gateway-port "$port"); done
  dotnet "$dll" --client "${gateways[@]}" --work "$work" --items "$items" --chunk-size "$chunk" --repeat 3 >"$tmp/client.log"
  local rate
  rate=$(grep -E "items/s" "$tmp/client.log" | sed -E 's/.*, ([0-9,]+) items\/s.*/\1/' | tr -d , | sort -n | tail -1)
  echo "| $silos | $work | $(group "$items") | $chunk | $(group "$rate") |"
}

silo1=$(free_port) gateway1=$(free_port) silo2=$(free_port) gateway2=$(free_port)
start_silo "$silo1" "$gateway1"
rows=()
rows+=("$(best 1 noop 1000000 100 "$gateway1")")
rows+=("$(best 1 noop 1000000 1000 "$gateway1")")
rows+=("$(best 1 primes 100000 100 "$gateway1")")
start_silo "$silo2" "$gateway2" "$silo1"
sleep 2 # let the client see both silos from its first refresh
rows+=("$(best 2 noop 1000000 100 "$gateway1" "$gateway2")")
rows+=("$(best 2 noop 1000000 1000 "$gateway1" "$gateway2")")
rows+=("$(best 2 primes 100000 100 "$gateway1" "$gateway2")")

{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(uname -sm), with \`bash bench/cluster/run.sh\`: client and silos on this one machine, best of 3."
  echo
  echo "| Silos | Work | Items | chunkSize | Items/s |"
  echo "|---:|---|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} | tee bench/results/cluster.md
