// Runs a ConcurrentFutures silo, or a client that sends work to the silos.
//   silo:   dotnet run --project samples/ClusterWorker -- --cluster localhost --silo-port 11111 --gateway-port 30000
//   silo 2: dotnet run --project samples/ClusterWorker -- --cluster localhost --silo-port 11112 --gateway-port 30001 --primary-port 11111
//   client: dotnet run --project samples/ClusterWorker -- --client --gateway-port 30000 --gateway-port 30001
// Ctrl+C (or SIGTERM) stops a silo gracefully.
using System.Diagnostics;
using ConcurrentFutures;
using ConcurrentFutures.Orleans;
using ConcurrentFutures.Samples.ClusterWorker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansClusterWorker = ConcurrentFutures.Orleans.ClusterWorker;

SampleArguments arguments;
try
{
    arguments = SampleArguments.Parse(args);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    Console.Error.WriteLine(SampleArguments.Usage);
    return 2;
}

if (arguments.AsIfNotLinux)
{
    AppContext.SetSwitch("ConcurrentFutures.Platform.TreatAsUnsupported", true); // before any ConcurrentFutures type is used
}

return arguments.Client ? arguments.Hosted ? await RunHostedClientAsync(arguments) : await RunClientAsync(arguments) : await RunSiloAsync(arguments);

static async Task<int> RunSiloAsync(SampleArguments arguments)
{
    var options = new ClusterWorkerOptions
    {
        ClusterId = arguments.ClusterId,
        SiloPort = arguments.SiloPort,
        GatewayPort = arguments.GatewayPorts.FirstOrDefault(30000),
        PrimarySiloPort = arguments.PrimaryPort ?? arguments.SiloPort,
        RedisConnectionString = arguments.Cluster == "redis" ? arguments.Redis : null,
        FastFailureDetection = arguments.FastFailureDetection,
        MaxWorkers = arguments.MaxWorkers,
        Isolation = arguments.InSilo ? WorkIsolation.InSilo : WorkIsolation.WorkerProcesses,
        PayloadPort = arguments.PayloadPort,
    };
    HostApplicationBuilder builder = OrleansClusterWorker.CreateBuilder(options);
    builder.Logging.SetMinimumLevel(LogLevel.Warning); // Orleans logs every step of its start at Information
    using IHost host = builder.Build();
    await host.StartAsync();
    Console.WriteLine($"silo ready: process {Environment.ProcessId}, silo port {options.SiloPort}, gateway port {options.GatewayPort}, {arguments.Cluster} clustering");
    if (arguments.ParentPid is int parent)
    {
        _ = StopWhenGoneAsync(parent, host.Services.GetRequiredService<IHostApplicationLifetime>());
    }

    await host.WaitForShutdownAsync();
    return 0;
}

static async Task<int> RunClientAsync(SampleArguments arguments)
{
    using ClusterExecutor executor = await ClusterExecutor.ConnectAsync(arguments.ExecutorOptions());
    Console.WriteLine($"client connected: process {Environment.ProcessId}");
    if (arguments.AsIfNotLinux)
    {
        try
        {
            new ProcessPoolExecutor(1).Dispose();
            Console.WriteLine("a process pool here: created");
        }
        catch (PlatformNotSupportedException)
        {
            Console.WriteLine("a process pool here: refused (no process support), the cluster client works");
        }
    }
    if (arguments.ParentPid is int parent)
    {
        _ = ExitWhenGoneAsync(parent);
    }

    switch (arguments.Work)
    {
        case "primes":
            // The tutorial's prime check, on the cluster instead of a local process pool.
            foreach (var (number, isPrime) in SampleWork.Numbers.Zip(executor.Map(SampleWork.IsPrime, SampleWork.Numbers)))
            {
                Console.WriteLine($"{number} is prime: {isPrime}");
            }

            Measure("primes from 1,000,000,000", () => executor.Map(SampleWork.IsPrime, Range(1_000_000_000, arguments.Items), chunkSize: arguments.ChunkSize).Count(p => p), arguments);
            break;
        case "noop":
            Measure("no-op", () => executor.Map(SampleWork.NoOp, Enumerable.Range(0, arguments.Items), chunkSize: arguments.ChunkSize).Count(), arguments);
            break;
        case "echo":
            Echo(executor, arguments);
            break;
        default:
            foreach (string line in executor.Map(SampleWork.WhereAmI, Enumerable.Range(0, 8)))
            {
                Console.WriteLine(line);
            }

            break;
    }

    return 0;
}

// The client inside a Generic Host: the host's lifetime (Ctrl+C, SIGTERM) stays in charge of the app, not the
// Orleans client that ConnectAsync builds; stopping the host cancels the work and shuts the executor down.
static async Task<int> RunHostedClientAsync(SampleArguments arguments)
{
    HostApplicationBuilder builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Services.AddSingleton(arguments);
    builder.Services.AddHostedService<HostedClient>();
    using IHost host = builder.Build();
    if (arguments.ParentPid is int parent)
    {
        _ = ExitWhenGoneAsync(parent);
    }

    await host.RunAsync();
    Console.WriteLine("host stopped: the work was cancelled and the executor shut down");
    return 0;
}

static void Measure(string what, Func<int> run, SampleArguments arguments)
{
    for (int i = 0; i < arguments.Repeat; i++)
    {
        var clock = Stopwatch.StartNew();
        int count = run();
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(FormattableString.Invariant($"{what}: {arguments.Items:N0} items, chunkSize {arguments.ChunkSize}, {seconds:F2} s, {arguments.Items / seconds:N0} items/s (result {count:N0})"));
    }
}

// Round trips of large values, each size in turn: sent to a silo as the argument, returned as the result, checked on
// arrival; for each size, round trips for --warmup-seconds first and at least three (tiered JIT settles over the first
// calls; the first round trips of a large size fault in fresh memory on both sides), then --repeat measured ones.
static void Echo(ClusterExecutor executor, SampleArguments arguments)
{
    byte[] data = [];
    double mostExtra = 0;
    foreach (int megabytes in arguments.Megabytes)
    {
        // A value made on the silo comes back first (a large result for a small argument), checked byte by byte.
        CheckEcho(executor.Submit(SampleWork.Fill, megabytes * 1_000_000).Result(), SampleWork.Fill(megabytes * 1_000_000));
        data = new byte[megabytes * 1_000_000L];
        Random.Shared.NextBytes(data);
        var warmup = Stopwatch.StartNew();
        for (int done = 0; done < 3 || warmup.Elapsed.TotalSeconds < arguments.WarmupSeconds; done++)
        {
            CheckEcho(executor.Submit(SampleWork.Echo, data).Result(), data);
        }

        for (int i = 0; i < arguments.Repeat; i++)
        {
            // Each round trip's own peak: the previous result dropped and collected, the peak reset (Linux: clear_refs 5).
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = Environment.WorkingSet; // the value itself included
            ResetPeakWorkingSet();
            var clock = Stopwatch.StartNew();
            byte[] back = executor.Submit(SampleWork.Echo, data).Result();
            double seconds = clock.Elapsed.TotalSeconds;
            CheckEcho(back, data);
            using var self = Process.GetCurrentProcess();
            mostExtra = Math.Max(mostExtra, (self.PeakWorkingSet64 - before - data.Length) / (double)data.Length);
            Console.WriteLine(FormattableString.Invariant($"echo: {megabytes} MB, {seconds * 1000:F1} ms, {2 * megabytes / seconds:F0} MB/s"));
        }
    }

    // The client's peak beyond the value sent and the one received: the copies the executor held on the way.
    Console.WriteLine(FormattableString.Invariant($"echo memory: {mostExtra:F1} copies of the value beyond the value sent and the one received, at most, in one round trip"));

    // Other calls meanwhile: small calls sent one after another while one more round trip is under way; the longest
    // of them shows whether the large value held up other work on the silo.
    // They wait on a thread of their own: blocking a pool thread in Result() would itself hold up the calls' own
    // continuations (2 pool threads on 2 cores), which is the measurement's doing, not the executor's.
    using var transferring = new CancellationTokenSource();
    var smallDone = new TaskCompletionSource<(double Longest, int Count)>();
    var smallCaller = new Thread(() =>
    {
        double longest = 0;
        int count = 0;
        while (!transferring.IsCancellationRequested)
        {
            var call = Stopwatch.StartNew();
            executor.Submit(SampleWork.NoOp, count).Result(TimeSpan.FromSeconds(120));
            longest = Math.Max(longest, call.Elapsed.TotalMilliseconds);
            count++;
        }

        smallDone.SetResult((longest, count));
    }) { IsBackground = true, Name = "small calls" };
    smallCaller.Start();
    Task<(double Longest, int Count)> small = smallDone.Task;
    Thread.Sleep(200); // the small calls are flowing
    TimeSpan pausedBefore = GC.GetTotalPauseDuration();
    var whole = Stopwatch.StartNew();
    _ = executor.Submit(SampleWork.Echo, data).Result(TimeSpan.FromSeconds(600));
    double transfer = whole.Elapsed.TotalMilliseconds;
    double paused = (GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds;
    transferring.Cancel();
    (double longestSmall, int smallCalls) = small.GetAwaiter().GetResult();
    Console.WriteLine(FormattableString.Invariant($"echo stall: {smallCalls} small calls during a {transfer:F0} ms round trip, the longest {longestSmall:F1} ms"));
    Console.WriteLine(FormattableString.Invariant($"echo paused: the client's own garbage collections paused it {paused:F1} ms in all meanwhile"));

    // What one copy of the value costs on this machine now, to weigh the longest wait against: into a new array (as
    // a value arriving in a process is) and into that array again (memory already in use).
    byte[] copy = GC.AllocateUninitializedArray<byte>(data.Length);
    var copying = Stopwatch.StartNew();
    data.AsSpan().CopyTo(copy);
    double fresh = copying.Elapsed.TotalMilliseconds;
    copying.Restart();
    data.AsSpan().CopyTo(copy);
    double again = copying.Elapsed.TotalMilliseconds;
    GC.KeepAlive(copy);
    Console.WriteLine(FormattableString.Invariant($"echo copy: one copy of the value {fresh:F1} ms into a new array, {again:F1} ms into it again"));
}

static void CheckEcho(byte[] back, byte[] data)
{
    if (!back.AsSpan().SequenceEqual(data))
    {
        throw new InvalidDataException($"The {data.Length:N0}-byte value came back different.");
    }
}

static void ResetPeakWorkingSet()
{
    try
    {
        File.WriteAllText("/proc/self/clear_refs", "5");
    }
    catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
    {
        // Not Linux (or not allowed): the peak then covers every round trip so far.
    }
}

static IEnumerable<long> Range(long start, int count)
{
    for (long n = start; n < start + count; n++)
    {
        yield return n;
    }
}

// A client started by a test exits when the test process is gone, so none is left behind.
static async Task ExitWhenGoneAsync(int pid)
{
    while (IsAlive(pid))
    {
        await Task.Delay(TimeSpan.FromMilliseconds(500));
    }

    Environment.Exit(3);
}

static bool IsAlive(int pid)
{
    try
    {
        using var process = Process.GetProcessById(pid);
        return !process.HasExited;
    }
    catch (ArgumentException)
    {
        return false; // no such process any more
    }
}

// A silo started by a test or a script stops when the process that started it is gone, so none is left behind.
static async Task StopWhenGoneAsync(int pid, IHostApplicationLifetime lifetime)
{
    while (!lifetime.ApplicationStopping.IsCancellationRequested)
    {
        try
        {
            using var parent = Process.GetProcessById(pid);
            if (parent.HasExited)
            {
                break;
            }
        }
        catch (ArgumentException)
        {
            break; // no such process any more
        }

        await Task.Delay(TimeSpan.FromMilliseconds(500));
    }

    lifetime.StopApplication();
}
