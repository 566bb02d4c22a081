#!/usr/bin/env python3
"""Python's side of the ConcurrentFutures comparison: the same workloads with concurrent.futures.

Standard library only. Prints one JSON object {workload: {"value": float, "unit": str, "min": float, "max": float,
"runs": int}} on stdout: each value is the median of RUNS measured runs (more for the cheap start-up rows) after a
warm-up run, min and max their spread. --quick keeps the method with fewer items per run.
Usage: python3 python_bench.py [--quick] [--only NAME[,NAME...]]
"""
import argparse
import json
import math
import multiprocessing
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

# The tutorial's numbers (the seed's prime example).
PRIMES = [
    112272535095293,
    112582705942171,
    112272535095293,
    115280095190773,
    115797848077099,
    1099726899285419,
]


def noop():
    return 1


# Measured runs per row (after warm-up), the same on the C# side.
RUNS = 5

# Warm-up of the timed rows: at least this many seconds of untimed runs (at most 100 runs), the same on the C# side.
WARM_UP_SECONDS = 3.0


def timed(fn, runs=RUNS, warmups=1):
    """Runs fn() untimed at least `warmups` times and, when warming up at all, for at least WARM_UP_SECONDS (at most 100
    runs), as the C# side does (there, for tiered compilation); then `runs` times. Returns each timed run's duration in
    seconds."""
    warming = time.perf_counter()
    done = 0
    while done < warmups or (warmups > 0 and time.perf_counter() - warming < WARM_UP_SECONDS and done < 100):
        fn()
        done += 1
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        durations.append(time.perf_counter() - start)
    return durations


def summary(per_run, unit):
    """The median of the per-run figures, with their spread."""
    return {"value": statistics.median(per_run), "unit": unit, "min": min(per_run), "max": max(per_run), "runs": len(per_run)}


def thread_roundtrip(quick):
    n = 2_000 if quick else 20_000
    with ThreadPoolExecutor(max_workers=2) as executor:
        executor.submit(noop).result()

        def run():
            for _ in range(n):
                executor.submit(noop).result()

        seconds = timed(run)
    return summary([s / n * 1e6 for s in seconds], "us/op")


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

        seconds = timed(run)
    return summary([s / (n * rounds) * 1e6 for s in seconds], "us/op")


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


def square(x):
    return x * x


def echo(data):
    return data


def process_submit(quick):
    n = 2_000 if quick else 20_000
    with ProcessPoolExecutor(max_workers=2) as executor:
        executor.submit(noop).result()

        def run():
            futures = [executor.submit(noop) for _ in range(n)]
            for f in futures:
                f.result()

        seconds = timed(run)
    return summary([n / s for s in seconds], "ops/s")


def process_map(chunksize, quick, items=20_000):
    n = items // 10 if quick else items
    with ProcessPoolExecutor(max_workers=2) as executor:
        executor.submit(noop).result()
        seconds = timed(lambda: list(executor.map(square, range(n), chunksize=chunksize)))
    return summary([n / s for s in seconds], "items/s")


def process_first_result(method, quick):
    def run():
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context(method)) as executor:
            executor.submit(noop).result()

    return summary([s * 1e3 for s in timed(run, runs=RUNS if quick else 10)], "ms")


def process_round_trip(quick):
    data = b"x" * (32 * 1024 * 1024)
    with ProcessPoolExecutor(max_workers=1) as executor:
        executor.submit(noop).result()
        for _ in range(1 if quick else 10):  # steady state, as for the C# side: both runtimes reuse memory after a while
            executor.submit(echo, data).result()
        seconds = timed(lambda: executor.submit(echo, data).result(), runs=RUNS if quick else 10, warmups=0)
    return summary([2 * len(data) / s / 1e6 for s in seconds], "MB/s")


def process_new_pool_10mb(quick):
    """A new pool whose worker has answered one no-op call: its first 5 calls with a 10 MB argument and result (no
    warm-up of the transfer); each run a new pool; MB/s moved (2 x 10 MB per call)."""
    data = b"x" * (10 * 1024 * 1024)
    rates = []
    for run in range(RUNS + 1):  # the first run warms this process only
        with ProcessPoolExecutor(max_workers=1) as executor:
            executor.submit(noop).result()
            start = time.perf_counter()
            for _ in range(5):
                executor.submit(echo, data).result()
            seconds = time.perf_counter() - start
        if run > 0:
            rates.append(5 * 2 * len(data) / seconds / 1e6)
    return summary(rates, "MB/s")


def primes(workers, quick):
    with ProcessPoolExecutor(max_workers=workers) as executor:
        executor.submit(noop).result()
        seconds = timed(lambda: list(executor.map(is_prime, PRIMES, chunksize=1)))
    return summary([s * 1e3 for s in seconds], "ms")


def primes_sequential(quick):
    seconds = timed(lambda: [is_prime(n) for n in PRIMES])
    return summary([s * 1e3 for s in seconds], "ms")


def _queue_echo(inbox, outbox):
    while True:
        item = inbox.get()
        if item is None:
            return
        outbox.put(item)


def _pipe_echo(conn):
    while True:
        item = conn.recv()
        if item is None:
            return
        conn.send(item)


def _queue_produce(outbox, count, size):
    data = b"x" * size
    for _ in range(count):
        outbox.put(data)


def queue_round_trip(quick):
    n = 2_000 if quick else 10_000
    inbox, outbox = multiprocessing.Queue(), multiprocessing.Queue()
    child = multiprocessing.Process(target=_queue_echo, args=(inbox, outbox))
    child.start()

    def run():
        for i in range(n):
            inbox.put(i)
            outbox.get()

    seconds = timed(run)
    inbox.put(None)
    child.join()
    return summary([n / s for s in seconds], "round trips/s")


def pipe_round_trip(quick):
    n = 2_000 if quick else 10_000
    parent, child_end = multiprocessing.Pipe()
    child = multiprocessing.Process(target=_pipe_echo, args=(child_end,))
    child.start()

    def run():
        for i in range(n):
            parent.send(i)
            parent.recv()

    seconds = timed(run)
    parent.send(None)
    child.join()
    return summary([n / s for s in seconds], "round trips/s")


def queue_1mb_items(quick):
    n = 50 if quick else 200
    rates = []
    for run in range(1 + RUNS):  # a fresh queue and child each run; the first is the warm-up
        outbox = multiprocessing.Queue()
        child = multiprocessing.Process(target=_queue_produce, args=(outbox, n, 1024 * 1024))
        child.start()
        outbox.get()  # first item: the child is up
        start = time.perf_counter()
        for _ in range(n - 1):
            outbox.get()
        if run > 0:
            rates.append((n - 1) / (time.perf_counter() - start))
        child.join()
    return summary(rates, "items/s")


@dataclass
class Reading:
    id: int
    sensor: str
    value: float
    at: int


def records_round_trip(quick):
    """100,000 small dataclass instances as one argument and back as the result; median of several runs."""
    records = [Reading(i, f"sensor-{i % 100}", i * 0.5, 1_700_000_000 + i) for i in range(100_000)]
    with ProcessPoolExecutor(max_workers=1) as pool:
        pool.submit(echo, records[:10]).result()
        back = []

        def run():
            back[:] = [pool.submit(echo, records).result()]

        times = [s * 1e3 for s in timed(run, runs=RUNS if quick else 7)]
        assert back[0] == records
    return summary(times, "ms")


_MEMORY = {}


def _resident_megabytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def memory(row, quick):
    """Resident memory (VmRSS, MB) of a pool's one worker once idle after a task, after 100,000 no-op tasks (1.5 s
    after each), and of this process then; measured once, as on the C# side, each row a single reading."""
    if not _MEMORY:
        with ProcessPoolExecutor(max_workers=1) as executor:
            executor.submit(noop).result()
            worker = next(iter(executor._processes))
            time.sleep(1.5)
            _MEMORY["worker_rss_idle"] = _resident_megabytes(worker)
            for _ in range(2 if quick else 10):
                futures = [executor.submit(noop) for _ in range(10_000)]
                for f in futures:
                    f.result()
            time.sleep(1.5)
            _MEMORY["worker_rss_100k"] = _resident_megabytes(worker)
            _MEMORY["parent_rss_100k"] = _resident_megabytes("self")
    return summary([_MEMORY[row]], "MB")


def interpreter_memory(quick):
    """Resident memory (MB) of a bare interpreter once it printed a line and waits on its input (the counterpart of
    `dotnet Hello.dll --wait`); median of 5."""
    readings = []
    for _ in range(RUNS):
        child = subprocess.Popen([sys.executable, "-c", "import sys; print('hello', flush=True); sys.stdin.readline()"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        child.stdout.readline()
        time.sleep(0.2)
        readings.append(_resident_megabytes(child.pid))
        child.stdin.close()
        child.wait()
        child.stdout.close()
    return summary(readings, "MB")


def interpreter_start(quick):
    """The interpreter's own start: `python3 -c pass` to its exit (the counterpart of a bare `dotnet Hello.dll`)."""
    seconds = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), runs=RUNS if quick else 10)
    return summary([s * 1e3 for s in seconds], "ms")


WORKLOADS = {
    # memory first, while the process holds little else
    "worker_rss_idle": lambda quick: memory("worker_rss_idle", quick),
    "worker_rss_100k": lambda quick: memory("worker_rss_100k", quick),
    "parent_rss_100k": lambda quick: memory("parent_rss_100k", quick),
    "runtime_start_hello": interpreter_start,
    "runtime_rss_hello": interpreter_memory,
    "thread_submit_result_roundtrip": thread_roundtrip,
    "thread_submit_result_batch": thread_batch,
    "process_submit_noop": process_submit,
    "process_map_chunk1": lambda quick: process_map(1, quick),
    "process_map_chunk500": lambda quick: process_map(500, quick, items=200_000),  # runs long enough to time
    "process_first_result": lambda quick: process_first_result("spawn", quick),
    "process_first_result_fork": lambda quick: process_first_result("fork", quick),
    "process_first_result_forkserver": lambda quick: process_first_result("forkserver", quick),
    "process_round_trip_32mb": process_round_trip,
    "process_new_pool_10mb": process_new_pool_10mb,
    "primes_pool_2_workers": lambda quick: primes(2, quick),
    "primes_sequential": primes_sequential,
    "queue_round_trip": queue_round_trip,
    "pipe_round_trip": pipe_round_trip,
    "queue_1mb_items": queue_1mb_items,
    "records_round_trip_100k": records_round_trip,
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
