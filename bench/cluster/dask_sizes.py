#!/usr/bin/env python3
"""Dask's side of the large-value comparison: round trips of one bytes value (sent as the argument, returned as the result).

Debian's python3-distributed (bench/cluster/run.sh installs it). Prints one JSON object
{"<MB>": {"value": MB/s median (both directions), "min": ..., "max": ..., "ms": median ms}} on stdout.
For each size: round trips for WARMUP_SECONDS first (at least three), then RUNS measured ones.
Usage: python3 dask_sizes.py WORKERS RUNS WARMUP_SECONDS MB [MB ...]
"""
import json
import os
import statistics
import sys
import time

from distributed import Client, LocalCluster


def echo(data):
    return data


def round_trip(client, data):
    start = time.perf_counter()
    back = client.submit(echo, data, pure=False).result()
    elapsed = time.perf_counter() - start
    if back != data:
        raise ValueError(f"the {len(data):,}-byte value came back different")
    return elapsed


def round_trips(client, megabytes, runs, warmup_seconds):
    data = os.urandom(megabytes * 1_000_000)
    warmup = time.perf_counter()
    done = 0
    while done < 3 or time.perf_counter() - warmup < warmup_seconds:
        round_trip(client, data)
        done += 1
    times = [round_trip(client, data) for _ in range(runs)]
    rates = [2 * megabytes / t for t in times]
    return {"value": statistics.median(rates), "min": min(rates), "max": max(rates), "ms": statistics.median(times) * 1000}


def main():
    workers, runs, warmup_seconds, sizes = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), [int(s) for s in sys.argv[4:]]
    results = {}
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        for megabytes in sizes:
            try:
                results[str(megabytes)] = round_trips(client, megabytes, runs, warmup_seconds)
            except Exception as error:  # a size Dask cannot move is reported, not fatal to the comparison
                results[str(megabytes)] = {"error": f"{type(error).__name__}: {error}"[:200]}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
