#!/usr/bin/env python3
"""Dask's side of the large-value comparison: round trips of one bytes value (sent as the argument, returned as the result).

Debian's python3-distributed (bench/cluster/run.sh installs it). Prints one JSON object
{"<MB>": {"value": MB/s median (both directions), "min": ..., "max": ..., "ms": median ms}} on stdout.
Usage: python3 dask_sizes.py WORKERS RUNS MB [MB ...]
"""
import json
import os
import statistics
import sys
import time

from distributed import Client, LocalCluster


def echo(data):
    return data


def round_trips(client, megabytes, runs):
    data = os.urandom(megabytes * 1_000_000)
    times = []
    for run in range(runs + 1):
        start = time.perf_counter()
        back = client.submit(echo, data, pure=False).result()
        elapsed = time.perf_counter() - start
        if back != data:
            raise ValueError(f"the {megabytes} MB value came back different")
        if run > 0:  # the first is a warm-up
            times.append(elapsed)
        del back
    rates = [2 * megabytes / t for t in times]
    return {"value": statistics.median(rates), "min": min(rates), "max": max(rates), "ms": statistics.median(times) * 1000}


def main():
    workers, runs, sizes = int(sys.argv[1]), int(sys.argv[2]), [int(s) for s in sys.argv[3:]]
    results = {}
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        for megabytes in sizes:
            try:
                results[str(megabytes)] = round_trips(client, megabytes, runs)
            except Exception as error:  # a size Dask cannot move is reported, not fatal to the comparison
                results[str(megabytes)] = {"error": f"{type(error).__name__}: {error}"[:200]}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
