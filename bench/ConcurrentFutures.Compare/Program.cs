using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ConcurrentFutures;
using ConcurrentFutures.Multiprocessing;
using Process = ConcurrentFutures.Multiprocessing.Process;

// Prints {"workload": {"value": v, "unit": u, "min": a, "max": b, "runs": n}, ...} like bench/compare/python_bench.py:
// each value the median of Workloads.Runs measured runs after a warm-up (more for the cheap start-up rows), min and max
// their spread; --quick keeps the method with fewer items per run.
// Usage: dotnet ConcurrentFutures.Compare.dll [--quick] [--only a,b]
bool quick = args.Contains("--quick");
if (args.SkipWhile(a => a != "--scaling").Skip(1).FirstOrDefault() is { } svgPath)
{
    Scaling.Write(svgPath, quick);
    return;
}

string[] only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',') ?? [];
var results = new Dictionary<string, object>();
foreach (var (name, run) in Workloads.All(quick))
{
    if (only.Length == 0 || only.Contains(name))
    {
        Workloads.Current = name;
        var (value, unit) = run();
        var (min, max, runs) = Workloads.Spreads[name];
        results[name] = new { value, unit, min, max, runs };
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {value:F2} {unit}"));
    }
}

Console.WriteLine(JsonSerializer.Serialize(results));

internal static class Workloads
{
    private static readonly long[] Primes = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419];

    public static IEnumerable<(string Name, Func<(double Value, string Unit)> Run)> All(bool quick)
    {
        int n = quick ? 2_000 : 20_000;

        // Memory first, while the process holds little else: a worker idle, after 100,000 no-op tasks, and this process then.
        yield return ("worker_rss_idle", () => MemoryRow(quick));
        yield return ("worker_rss_100k", () => MemoryRow(quick));
        yield return ("parent_rss_100k", () => MemoryRow(quick));
        yield return ("runtime_start_hello", () => Hello(quick ? Runs : 10));
        yield return ("runtime_rss_hello", () => HelloMemory());
        yield return ("thread_submit_result_roundtrip", () => ThreadRoundTrip(n));
        yield return ("thread_submit_result_batch", () => ThreadBatch(quick ? 5 : 30));
        yield return ("dotnet_task_run_roundtrip", () => TaskRunRoundTrip(n));
        yield return ("process_submit_noop", () => ProcessSubmit(n));
        yield return ("process_map_chunk1", () => ProcessMap(n, 1));
        yield return ("process_map_chunk500", () => ProcessMap(n * 10, 500)); // 200 k items: a run long enough to time
        yield return ("process_first_result", () => FirstResult(quick ? Runs : 10));
        yield return ("process_first_result_prestarted", () => FirstResultPrestarted(quick ? Runs : 10));
        yield return ("process_round_trip_32mb", () => RoundTrip(quick ? 1 : 10, quick ? Runs : 10));
        yield return ("process_new_pool_10mb", () => NewPool10Mb());
        yield return ("primes_pool_2_workers", () => PrimesPool(Runs));
        yield return ("primes_parallel_foreach", () => PrimesParallel(Runs));
        yield return ("primes_sequential", () => PrimesSequential(Runs));
        yield return ("queue_round_trip", () => QueueRoundTrip(quick ? 2_000 : 10_000));
        yield return ("pipe_round_trip", () => PipeRoundTrip(quick ? 2_000 : 10_000));
        yield return ("queue_1mb_items", () => Queue1MbItems(quick ? 50 : 200));
        yield return ("dotnet_new_1mb_arrays", () => New1MbArrays(quick ? 50 : 200));
        yield return ("records_round_trip_100k", () => RecordsRoundTrip(quick ? Runs : 7));
    }

    /// <summary>Measured runs per row (after warm-up), as on the Python side.</summary>
    public const int Runs = 5;

    /// <summary>Warm-up of the timed rows: at least this many seconds of untimed runs (at most 100 runs), as on the Python side.</summary>
    public const double WarmUpSeconds = 3;

    private static (double WorkerIdle, double WorkerAfter, double Parent)? s_memory;

    /// <summary>
    /// Resident memory (VmRSS, MB) of a pool's one worker once idle after a task, and after 100,000 no-op tasks (1.5 s
    /// after each: a worker idle for a second gives back what its tasks left), and of this process then; measured once,
    /// each row a single reading.
    /// </summary>
    private static (double WorkerIdle, double WorkerAfter, double Parent) Memory(bool quick)
    {
        if (s_memory is null)
        {
            using var pool = new ProcessPoolExecutor(1);
            pool.Submit(NoOp).Result();
            int worker = pool.WorkerProcessIds[0];
            Thread.Sleep(1500);
            double idle = ResidentMegabytes(worker);
            var futures = new Future<int>[10_000];
            for (int round = 0; round < (quick ? 2 : 10); round++)
            {
                for (int i = 0; i < futures.Length; i++)
                {
                    futures[i] = pool.Submit(NoOp);
                }

                foreach (var future in futures)
                {
                    future.Result();
                }
            }

            Thread.Sleep(1500);
            s_memory = (idle, ResidentMegabytes(worker), ResidentMegabytes(Environment.ProcessId));
        }

        return s_memory.Value;
    }

    /// <summary>The memory row being measured (<see cref="Current"/>), a single reading.</summary>
    private static (double, string) MemoryRow(bool quick)
    {
        var (idle, after, parent) = Memory(quick);
        double value = Current switch
        {
            "worker_rss_idle" => idle,
            "worker_rss_100k" => after,
            _ => parent,
        };
        return (Median([value]), "MB");
    }

    private static double ResidentMegabytes(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).First();

    /// <summary>The runtime's own start: `dotnet Hello.dll` (a bare app printing one line) to its exit, in ms.</summary>
    private static (double, string) Hello(int runs)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!, [HelloDll]) { RedirectStandardOutput = true, UseShellExecute = false };
        double[] seconds = Time(
            () =>
            {
                using var process = System.Diagnostics.Process.Start(start)!;
                _ = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
            },
            runs);
        return (Median(seconds.Select(s => s * 1e3)), "ms");
    }

    /// <summary>The bare program both runtime rows start (bench/Hello, built by run.sh).</summary>
    private static string HelloDll => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../Hello/bin/Release/net10.0/Hello.dll"));

    /// <summary>Resident memory (MB) of `dotnet Hello.dll --wait` once it printed its line: the floor of any .NET process; median of 5.</summary>
    private static (double, string) HelloMemory()
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!, [HelloDll, "--wait"]) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        var readings = new List<double>();
        for (int i = 0; i < Runs; i++)
        {
            using var process = System.Diagnostics.Process.Start(start)!;
            _ = process.StandardOutput.ReadLine();
            Thread.Sleep(200);
            readings.Add(ResidentMegabytes(process.Id));
            process.StandardInput.Close();
            process.WaitForExit();
        }

        return (Median(readings), "MB");
    }

    /// <summary>Min and max of the runs behind a median, and their number, by workload.</summary>
    public static Dictionary<string, (double Min, double Max, int Runs)> Spreads { get; } = [];

    /// <summary>The workload being measured: <see cref="Median"/> records its spread under this name.</summary>
    public static string Current { get; set; } = string.Empty;

    public static List<Reading> EchoReadings(List<Reading> readings) => readings;

    /// <summary>100,000 small records as one argument and back as the result; the median of several runs.</summary>
    private static (double, string) RecordsRoundTrip(int runs)
    {
        var readings = Enumerable.Range(0, 100_000).Select(i => new Reading(i, $"sensor-{i % 100}", i * 0.5, 1_700_000_000L + i)).ToList();
        using var pool = new ProcessPoolExecutor(1);
        pool.Submit(EchoReadings, readings[..10]).Result();
        List<Reading> back = [];
        double[] seconds = Time(() => back = pool.Submit(EchoReadings, readings).Result(), runs);
        if (!back.SequenceEqual(readings))
        {
            throw new InvalidOperationException("the records did not come back equal");
        }

        return (Median(seconds.Select(s => s * 1e3)), "ms");
    }

    public static void QueueEcho(ProcessQueue<int> inbox, ProcessQueue<int> outbox)
    {
        int item;
        while ((item = inbox.Get()) >= 0)
        {
            outbox.Put(item);
        }
    }

    public static void PipeEcho(Connection connection)
    {
        int item;
        while ((item = connection.Receive<int>()) >= 0)
        {
            connection.Send(item);
        }
    }

    public static void QueueProduce(ProcessQueue<byte[]> outbox, int count, int size)
    {
        byte[] data = new byte[size];
        for (int i = 0; i < count; i++)
        {
            outbox.Put(data);
        }
    }

    private static (double, string) QueueRoundTrip(int n)
    {
        using var inbox = new ProcessQueue<int>();
        using var outbox = new ProcessQueue<int>();
        using var child = new Process(QueueEcho, inbox, outbox);
        child.Start();
        double[] seconds = Time(() =>
        {
            for (int i = 0; i < n; i++)
            {
                inbox.Put(i);
                outbox.Get();
            }
        });
        inbox.Put(-1);
        child.Join();
        return (Median(seconds.Select(s => n / s)), "round trips/s");
    }

    private static (double, string) PipeRoundTrip(int n)
    {
        var (parent, childEnd) = Pipe.Create();
        using (parent)
        using (childEnd)
        using (var child = new Process(PipeEcho, childEnd))
        {
            child.Start();
            double[] seconds = Time(() =>
            {
                for (int i = 0; i < n; i++)
                {
                    parent.Send(i);
                    parent.Receive<int>();
                }
            });
            parent.Send(-1);
            child.Join();
            return (Median(seconds.Select(s => n / s)), "round trips/s");
        }
    }

    private static (double, string) Queue1MbItems(int n)
    {
        var rates = new List<double>();
        for (int run = 0; run <= Runs; run++) // a fresh queue and child each run; the first is the warm-up
        {
            using var outbox = new ProcessQueue<byte[]>();
            using var child = new Process(QueueProduce, outbox, n, 1024 * 1024);
            child.Start();
            outbox.Get(); // first item: the child is up
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < n - 1; i++)
            {
                outbox.Get();
            }

            if (run > 0)
            {
                rates.Add((n - 1) / clock.Elapsed.TotalSeconds);
            }

            child.Join();
        }

        return (Median(rates), "items/s");
    }

    /// <summary>
    /// The floor of the 1 MB queue row for any .NET consumer: in this one process, a new 1 MB array per item and 1 MB
    /// copied into it (what a Get must do at least), with the garbage collection those arrays cause.
    /// </summary>
    private static (double, string) New1MbArrays(int n)
    {
        byte[] source = new byte[1024 * 1024];
        byte[]? last = null;
        double[] seconds = Time(() =>
        {
            for (int i = 0; i < n - 1; i++)
            {
                byte[] item = GC.AllocateUninitializedArray<byte>(source.Length);
                source.CopyTo(item, 0);
                last = item;
            }
        });
        GC.KeepAlive(last);
        return (Median(seconds.Select(s => (n - 1) / s)), "items/s");
    }

    public static int NoOp() => 1;

    public static int Square(int x) => x * x;

    public static byte[] Echo(byte[] data) => data;

    public static bool IsPrime(long n)
    {
        if (n < 2)
        {
            return false;
        }

        if (n == 2)
        {
            return true;
        }

        if (n % 2 == 0)
        {
            return false;
        }

        long sqrtN = (long)Math.Floor(Math.Sqrt(n));
        for (long i = 3; i <= sqrtN; i += 2)
        {
            if (n % i == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Runs <paramref name="action"/> untimed at least <paramref name="warmUps"/> times and, when warming up at all, for at
    /// least <see cref="WarmUpSeconds"/> (at most 100 runs): a fresh process's code runs unoptimized, then instrumented,
    /// until tiered compilation has compiled it again, and on 2 cores with both workers busy that takes a few seconds
    /// (Map at chunkSize 500 on a new pool: 2–3 M items/s for its first ~2 s, 7–9 M after; with 1 s of warm-up the
    /// median moved 2.2–3.7× Python between runs). Then <paramref name="runs"/> timed runs; each one's seconds.
    /// </summary>
    private static double[] Time(Action action, int runs = Runs, int warmUps = 1)
    {
        var warming = Stopwatch.StartNew();
        for (int i = 0; i < warmUps || (warmUps > 0 && warming.Elapsed < TimeSpan.FromSeconds(WarmUpSeconds) && i < 100); i++)
        {
            action();
        }

        double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            seconds[i] = clock.Elapsed.TotalSeconds;
        }

        return seconds;
    }

    /// <summary>The median of the per-run figures; their spread is recorded for the report.</summary>
    private static double Median(IEnumerable<double> perRun)
    {
        double[] sorted = [.. perRun.Order()];
        Spreads[Current] = (sorted[0], sorted[^1], sorted.Length);
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static (double, string) ThreadRoundTrip(int n)
    {
        using var executor = new ThreadPoolExecutor(2);
        executor.Submit(NoOp).Result();
        double[] seconds = Time(() =>
        {
            for (int i = 0; i < n; i++)
            {
                executor.Submit(NoOp).Result();
            }
        });
        return (Median(seconds.Select(s => s / n * 1e6)), "us/op");
    }

    private static (double, string) ThreadBatch(int rounds)
    {
        using var executor = new ThreadPoolExecutor(2);
        executor.Submit(NoOp).Result();
        var futures = new Future<int>[1_000];
        double[] seconds = Time(() =>
        {
            for (int r = 0; r < rounds; r++)
            {
                for (int i = 0; i < futures.Length; i++)
                {
                    futures[i] = executor.Submit(NoOp);
                }

                foreach (var future in futures)
                {
                    future.Result();
                }
            }
        });
        return (Median(seconds.Select(s => s / (rounds * futures.Length) * 1e6)), "us/op");
    }

    private static (double, string) TaskRunRoundTrip(int n)
    {
        double[] seconds = Time(() =>
        {
            for (int i = 0; i < n; i++)
            {
                _ = Task.Run(NoOp).Result;
            }
        });
        return (Median(seconds.Select(s => s / n * 1e6)), "us/op");
    }

    private static (double, string) ProcessSubmit(int n)
    {
        using var pool = new ProcessPoolExecutor(2);
        pool.Submit(NoOp).Result();
        var futures = new Future<int>[n];
        double[] seconds = Time(() =>
        {
            for (int i = 0; i < n; i++)
            {
                futures[i] = pool.Submit(NoOp);
            }

            foreach (var future in futures)
            {
                future.Result();
            }
        });
        return (Median(seconds.Select(s => n / s)), "ops/s");
    }

    private static (double, string) ProcessMap(int n, int chunkSize)
    {
        using var pool = new ProcessPoolExecutor(2);
        pool.Submit(NoOp).Result();
        double[] seconds = Time(() => pool.Map(Square, Enumerable.Range(0, n), chunkSize: chunkSize).ToList());
        return (Median(seconds.Select(s => n / s)), "items/s");
    }

    private static (double, string) FirstResult(int runs)
    {
        double[] seconds = Time(
            () =>
            {
                using var pool = new ProcessPoolExecutor(1);
                pool.Submit(NoOp).Result();
            },
            runs);
        return (Median(seconds.Select(s => s * 1e3)), "ms");
    }

    /// <summary>As <see cref="FirstResult"/>, with a worker prestarted: each pool takes the waiting one, which is replaced in the background.</summary>
    private static (double, string) FirstResultPrestarted(int runs)
    {
        ProcessPoolExecutor.PrestartWorkers(1);
        try
        {
            var milliseconds = new List<double>();
            for (int i = 0; i <= runs; i++)
            {
                Thread.Sleep(1000); // not timed: the replacement starts and warms up, as it would while an app runs
                var clock = Stopwatch.StartNew();
                using (var pool = new ProcessPoolExecutor(1))
                {
                    pool.Submit(NoOp).Result();
                }

                if (i > 0)
                {
                    milliseconds.Add(clock.Elapsed.TotalMilliseconds); // the first was the warm-up
                }
            }

            return (Median(milliseconds), "ms");
        }
        finally
        {
            ProcessPoolExecutor.PrestartWorkers(0); // later workloads start their own workers
        }
    }

    private static (double, string) RoundTrip(int warmUps, int runs)
    {
        byte[] data = new byte[32 * 1024 * 1024];
        Array.Fill(data, (byte)'x');
        using var pool = new ProcessPoolExecutor(1);
        pool.Submit(NoOp).Result();
        for (int i = 0; i < warmUps; i++)
        {
            pool.Submit(Echo, data).Result(); // steady state, as on the Python side: memory is reused after a while
        }

        double[] seconds = Time(() => pool.Submit(Echo, data).Result(), runs, warmUps: 0);
        return (Median(seconds.Select(s => 2.0 * data.Length / s / 1e6)), "MB/s");
    }

    /// <summary>
    /// A new pool whose worker has answered one no-op call: its first 5 calls with a 10 MB argument and result (cold
    /// shared-memory slabs included); each run a new pool; MB/s moved (2 x 10 MB per call).
    /// </summary>
    private static (double, string) NewPool10Mb()
    {
        byte[] data = new byte[10 * 1024 * 1024];
        Array.Fill(data, (byte)'x');
        var rates = new List<double>();
        for (int run = 0; run <= Runs; run++) // the first run warms this process only
        {
            using var pool = new ProcessPoolExecutor(1);
            pool.Submit(NoOp).Result();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 5; i++)
            {
                pool.Submit(Echo, data).Result();
            }

            if (run > 0)
            {
                rates.Add(5 * 2.0 * data.Length / clock.Elapsed.TotalSeconds / 1e6);
            }
        }

        return (Median(rates), "MB/s");
    }

    private static (double, string) PrimesPool(int runs)
    {
        using var pool = new ProcessPoolExecutor(2);
        pool.Submit(NoOp).Result();
        return (Median(Time(() => pool.Map(IsPrime, Primes).ToList(), runs).Select(s => s * 1e3)), "ms"); // the warm-up run warms the workers' JIT
    }

    private static (double, string) PrimesParallel(int runs)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = 2 };
        return (Median(Time(() => Parallel.ForEach(Primes, options, n => IsPrime(n)), runs).Select(s => s * 1e3)), "ms");
    }

    private static (double, string) PrimesSequential(int runs) =>
        (Median(Time(() => Primes.Select(IsPrime).ToList(), runs).Select(s => s * 1e3)), "ms");
}

/// <summary>Throughput of the tutorial's prime workload against the number of workers, drawn as an SVG chart.</summary>
internal static class Scaling
{
    private static readonly int[] WorkerCounts = [1, 2, 4, 8];

    public static void Write(string svgPath, bool quick)
    {
        // Twelve numbers (the tutorial's six, twice) so that 8 workers have work to share.
        long[] numbers = [.. Enumerable.Repeat(new long[] { 112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419 }, 2).SelectMany(n => n)];
        var points = new List<(int Workers, double PerSecond)>();
        foreach (int workers in WorkerCounts)
        {
            using var pool = new ProcessPoolExecutor(workers);
            pool.Map(Workloads.IsPrime, numbers).ToList(); // start every worker, warm its JIT
            double best = double.MaxValue;
            for (int run = 0; run < (quick ? 1 : 3); run++)
            {
                var clock = Stopwatch.StartNew();
                pool.Map(Workloads.IsPrime, numbers).ToList();
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }

            points.Add((workers, numbers.Length / best));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scaling: {workers} workers: {numbers.Length / best:F1} numbers/s"));
        }

        File.WriteAllText(svgPath, Draw(points));
    }

    private static string Draw(List<(int Workers, double PerSecond)> points)
    {
        const int Width = 640, Height = 340, Left = 70, Right = 20, Top = 40, Bottom = 50;
        double max = points.Max(p => p.PerSecond) * 1.15;
        double X(int i) => Left + (i * (Width - Left - Right) / (double)(points.Count - 1));
        double Y(double v) => Height - Bottom - (v / max * (Height - Top - Bottom));
        var svg = new System.Text.StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        svg.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(inv, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.Append(inv, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">Tutorial primes on ProcessPoolExecutor: numbers checked per second ({Environment.ProcessorCount} cores)</text>");
        svg.Append(inv, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>");
        svg.Append(inv, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>");
        for (int tick = 0; tick <= 4; tick++)
        {
            double value = max * tick / 4;
            svg.Append(inv, $"<text x=\"{Left - 8}\" y=\"{Y(value) + 4:F1}\" text-anchor=\"end\">{value:F0}</text>");
            svg.Append(inv, $"<line x1=\"{Left}\" y1=\"{Y(value):F1}\" x2=\"{Width - Right}\" y2=\"{Y(value):F1}\" stroke=\"#ddd\"/>");
        }

        string path = string.Join(" ", points.Select((p, i) => string.Create(inv, $"{(i == 0 ? 'M' : 'L')}{X(i):F1},{Y(p.PerSecond):F1}")));
        svg.Append(inv, $"<path d=\"{path}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>");
        for (int i = 0; i < points.Count; i++)
        {
            svg.Append(inv, $"<circle cx=\"{X(i):F1}\" cy=\"{Y(points[i].PerSecond):F1}\" r=\"4\" fill=\"#1f77b4\"/>");
            svg.Append(inv, $"<text x=\"{X(i):F1}\" y=\"{Y(points[i].PerSecond) - 10:F1}\" text-anchor=\"middle\">{points[i].PerSecond:F0}</text>");
            svg.Append(inv, $"<text x=\"{X(i):F1}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{points[i].Workers}</text>");
        }

        svg.Append(inv, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">worker processes</text>");
        svg.Append("</svg>");
        return svg.ToString();
    }
}

/// <summary>A small record of the kind apps send in bulk (4 fields); internal, as a top-level program's records are.</summary>
internal sealed record Reading(int Id, string Sensor, double Value, long At);
