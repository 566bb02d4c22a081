#!/usr/bin/env python3
"""Dask's side of the cluster comparison: the same workloads on a LocalCluster of worker processes.

Debian's python3-distributed (bench/cluster/run.sh installs it). Prints one JSON object
{workload: {"value": items/s median, "min": ..., "max": ..., "items": n}} on stdout.
Usage: python3 dask_bench.py WORKERS RUNS
"""
import json
import math
import statistics
import sys
import time

from distributed import Client, LocalCluster


def noop(x):
    return x


def noop_chunk(xs):
    return [x for x in xs]


def is_prime(n):
    if n < 2:
        return False
    if n == 2:
        return True
    if n % 2 == 0:
        return False
    sqrt_n = int(math.floor(math.sqrt(n)))
    for i in range(3, sqrt_n + 1, 2):
        if n % i == 0:
            return False
    return True


def primes_chunk(ns):
    return [is_prime(n) for n in ns]


WARMUP_RUNS = 2


def chunks(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]


def rate(client, fn, inputs, items, runs):
    """items/s of client.map over inputs (gathered), median and range of `runs` runs after two warm-up runs (as the C# side)."""
    for _ in range(WARMUP_RUNS):
        client.gather(client.map(fn, inputs, pure=False))
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        client.gather(client.map(fn, inputs, pure=False))
        rates.append(items / (time.perf_counter() - start))
    return {"value": statistics.median(rates), "min": min(rates), "max": max(rates), "items": items}


def main():
    workers, runs = int(sys.argv[1]), int(sys.argv[2])
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        results = {
            "noop_chunk1": rate(client, noop, list(range(2_000)), 2_000, runs),
            "noop_chunk100": rate(client, noop_chunk, chunks(list(range(200_000)), 100), 200_000, runs),
            "noop_chunk1000": rate(client, noop_chunk, chunks(list(range(1_000_000)), 1_000), 1_000_000, runs),
            "primes_chunk100": rate(client, primes_chunk, chunks(list(range(1_000_000_000, 1_000_020_000)), 100), 20_000, runs),
        }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
