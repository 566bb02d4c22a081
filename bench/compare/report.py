#!/usr/bin/env python3
"""Merges python_bench.py and ConcurrentFutures.Compare outputs into bench/results/latest.{md,json}.

Usage: report.py PYTHON.json CSHARP.json OUT_PREFIX
"""
import json
import os
import platform
import sys
from datetime import datetime, timezone

# workload -> (description, the .NET baseline workload or None, True when higher is better)
ROWS = [
    ("worker_rss_idle", "Worker process memory (RSS), idle after its first task", None, False),
    ("worker_rss_100k", "Worker process memory (RSS) after 100,000 no-op tasks", None, False),
    ("parent_rss_100k", "The benchmark (parent) process's memory (RSS) then", None, False),
    ("runtime_rss_hello", "Bare runtime memory (RSS): `dotnet Hello.dll` (Python: `python3 -c ...`) waiting after its line", None, False),
    ("runtime_start_hello", "Bare runtime start: `dotnet Hello.dll` (Python: `python3 -c pass`), to exit", None, False),
    ("thread_submit_result_roundtrip", "Thread pool: no-op submit + result, one at a time", "dotnet_task_run_roundtrip", False),
    ("thread_submit_result_batch", "Thread pool: 1,000 no-op submits, then each result", None, False),
    ("process_submit_noop", "Process pool (2 workers): no-op submits, pipelined", None, True),
    ("process_map_chunk1", "Process pool: map(square, 20k items, chunksize=1)", None, True),
    ("process_map_chunk500", "Process pool: map(square, 200k items, chunksize=500)", None, True),
    ("process_first_result", "New process pool to first result (Python: spawn)", None, False),
    ("process_first_result_fork", "New process pool to first result (Python: fork)", None, False),
    ("process_first_result_prestarted", "The same, a worker prestarted (PrestartWorkers; Python: forkserver, running)", None, False),
    ("process_round_trip_32mb", "32 MB bytes argument and result, round trip", None, True),
    ("process_new_pool_10mb", "10 MB argument and result: a new pool's first 5 calls (its worker up, transfers cold)", None, True),
    ("primes_pool_2_workers", "Tutorial primes, pool of 2, map(chunksize=1)", "primes_parallel_foreach", False),
    ("primes_sequential", "Tutorial primes, sequential", None, False),
    ("queue_round_trip", "Queue put/get round trip with a child process", None, True),
    ("pipe_round_trip", "Pipe send/receive round trip with a child process", None, True),
    ("queue_1mb_items", "1 MB items through a queue from a child process", "dotnet_new_1mb_arrays", True),
    ("queue_1mb_items_default_gc", "The same, the .NET app opted out of the package's 2 MB large-object threshold (Python: as above)", "dotnet_new_1mb_arrays_default_gc", True),
    ("records_round_trip_100k", "100,000 small records (4 fields) as one argument and result, round trip", None, False),
]


def number(value, unit):
    if unit in ("ops/s", "items/s", "round trips/s"):
        return f"{value:,.0f}"
    return f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def fmt(entry):
    """The median, then the spread of the runs behind it."""
    if entry is None:
        return "—"
    value, unit = entry["value"], entry["unit"]
    text = f"{number(value, unit)} {unit}"
    if "min" in entry and entry.get("runs", 2) > 1:
        text += f" ({number(entry['min'], unit)}–{number(entry['max'], unit)})"
    return text


def main():
    python = json.load(open(sys.argv[1]))
    csharp = json.load(open(sys.argv[2]))
    prefix = sys.argv[3]
    os.makedirs(os.path.dirname(prefix), exist_ok=True)
    rows = []
    lines = [
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}. Each figure: the median of 5 or more runs after warm-up (each row's count is in "
        f"latest.json), with the spread of those runs (min–max); the memory rows are one reading each. Ratio: of the medians, "
        f"how many times better ConcurrentFutures is than Python (higher is better).",
        "",
        "| Workload | Python | ConcurrentFutures | .NET baseline | Ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, description, baseline, higher_better in ROWS:
        # 'fork' only exists on the Python side; compare it with our single start-up figure.
        ours = csharp.get(name) or (csharp.get("process_first_result") if name == "process_first_result_fork" else None)
        # The opted-out variant is the same Python workload; only the .NET process's GC setting differs.
        theirs = python.get(name) or (python.get("queue_1mb_items") if name == "queue_1mb_items_default_gc" else None) \
            or (python.get("process_first_result_forkserver") if name == "process_first_result_prestarted" else None)
        base = csharp.get(baseline) if baseline else None
        ratio = None
        if ours and theirs and ours["value"] and theirs["value"]:
            ratio = ours["value"] / theirs["value"] if higher_better else theirs["value"] / ours["value"]
        rows.append({"workload": name, "description": description, "python": theirs, "ours": ours, "baseline": base, "ratio": ratio})
        ratio_text = f"{ratio:,.1f}×" if ratio else "—"
        lines.append(f"| {description} | {fmt(theirs)} | {fmt(ours)} | {fmt(base)} | {ratio_text} |")
    open(prefix + ".md", "w").write("\n".join(lines) + "\n")
    json.dump({"rows": rows, "python": python, "csharp": csharp}, open(prefix + ".json", "w"), indent=2)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
