#!/usr/bin/env python3
"""Python's side of the ConcurrentFutures comparison: the same workloads with concurrent.futures.

Standard library only. Prints one JSON object {workload: {"value": float, "unit": str}} on stdout.
Usage: python3 python_bench.py [--quick] [--only NAME[,NAME...]]
"""
import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor


def noop():
    return 1


def best_of(runs, fn):
    """Runs fn() `runs` times and returns the best (smallest) duration in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def thread_roundtrip(quick):
    n = 2_000 if quick else 20_000
    with ThreadPoolExecutor(max_workers=2) as executor:
        executor.submit(noop).result()

        def run():
            for _ in range(n):
                executor.submit(noop).result()

        seconds = best_of(3, run)
    return {"value": seconds / n * 1e6, "unit": "us/op"}


def thread_batch(quick):
    n = 1_000
    rounds = 5 if quick else 30
    with ThreadPoolExecutor(max_workers=2) as executor:
        executor.submit(noop).result()

        def run():
            for _ in range(rounds):
                futures = [executor.submit(noop) for _ in range(n)]
                for f in futures:
                    f.result()

        seconds = best_of(3, run)
    return {"value": seconds / (n * rounds) * 1e6, "unit": "us/op"}


WORKLOADS = {
    "thread_submit_result_roundtrip": thread_roundtrip,
    "thread_submit_result_batch": thread_batch,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] or list(WORKLOADS)
    results = {name: WORKLOADS[name](args.quick) for name in names}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
