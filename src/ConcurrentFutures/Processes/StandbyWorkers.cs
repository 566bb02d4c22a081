using System.Globalization;
using System.Reflection;
using System.Runtime.Versioning;
using System.Text;
using ConcurrentFutures.Platform;
using ConcurrentFutures.Processes.Wire;

namespace ConcurrentFutures.Processes;

/// <summary>
/// Worker processes started before any pool needs them (<see cref="ProcessPoolExecutor.PrestartWorkers"/>): a .NET
/// process takes tens of milliseconds to start, so a pool that takes a waiting one instead returns its first result
/// in a few. A standby worker has no pool yet: it starts the runtime, loads the app's assemblies and warms the
/// serializer, then waits for one line per setting on its standard input; the pool that takes it writes its own
/// settings (socket, token, slot…), closes the pipe, and from there on it is that pool's worker like any other.
/// Each process serves one pool only and is never handed back: pools stay isolated from each other.
/// </summary>
internal static class StandbyWorkers
{
    /// <summary>"1" in a standby worker's environment.</summary>
    public const string Variable = "CONCURRENTFUTURES_WORKER_STANDBY";

    /// <summary>Assemblies (full names, ';'-separated) a standby worker loads while it waits.</summary>
    private const string PreloadVariable = "CONCURRENTFUTURES_WORKER_PRELOAD";

    /// <summary>At most this many may wait.</summary>
    public const int MaxCount = 256;

    /// <summary>How long this side's rehearsal may take at most (its one call's timeout).</summary>
    private static readonly TimeSpan RehearsalPatience = TimeSpan.FromSeconds(30);

    /// <summary>How long after a worker is taken its replacement starts.</summary>
    private static readonly TimeSpan ReplaceAfter = TimeSpan.FromMilliseconds(200);

    private static readonly Lock s_lock = new();
    private static readonly Queue<System.Diagnostics.Process> s_waiting = new();
    private static int s_wanted;
    private static int s_starting;
    private static int s_parentWarmedUp;
    private static Task s_parentRehearsal = Task.CompletedTask;
    private static readonly TaskCompletionSource s_warmedUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>In a standby worker: done once its warm-up has ended (a pool may take it before). Never done elsewhere.</summary>
    public static Task WarmedUp => s_warmedUp.Task;

    /// <summary>
    /// Keeps <paramref name="count"/> workers waiting; starts the missing ones in the background. 0 ends those waiting
    /// and, if it still runs, waits for this side's rehearsal (<see cref="WarmUpParent"/>): nothing prestarting started
    /// is left running when it returns.
    /// </summary>
    [SupportedOSPlatform("linux")]
    public static void Prestart(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxCount);
        _ = ProcessSupport.Launcher; // fails here, at the call, for single-file and Native AOT apps
        List<System.Diagnostics.Process> surplus = [];
        lock (s_lock)
        {
            s_wanted = count;
            while (s_waiting.Count > count)
            {
                surplus.Add(s_waiting.Dequeue());
            }
        }

        foreach (System.Diagnostics.Process process in surplus)
        {
            End(process);
        }

        if (count == 0)
        {
            _ = Volatile.Read(ref s_parentRehearsal).Wait(RehearsalPatience); // it ends on its own within this
        }

        if (count > 0 && Interlocked.Exchange(ref s_parentWarmedUp, 1) == 0)
        {
            Volatile.Write(ref s_parentRehearsal, Task.Run(WarmUpParent));
        }

        ThreadPool.UnsafeQueueUserWorkItem(static _ => Replenish(), null);
    }

    /// <summary>
    /// This side's share of a first result: the first pool of a process compiles the pool's own code (~70 ms here),
    /// so a rehearsal pool — with a worker of its own, the waiting ones stay for the app — runs one call meanwhile.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static void WarmUpParent()
    {
        try
        {
            using var rehearsal = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, StartsOwnWorkers = true, Name = "prestart-rehearsal" });
            rehearsal.Submit(Rehearsal).Result(RehearsalPatience);
        }
#pragma warning disable CA1031 // A head start only: a pool that cannot start here reports why when the app creates one.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static int Rehearsal() => 0;

    /// <summary>
    /// Hands a waiting worker the pool's <paramref name="environment"/> and returns its process, now the pool's; null
    /// when none waits (the pool starts a process itself).
    /// </summary>
    public static System.Diagnostics.Process? TryAdopt(IReadOnlyDictionary<string, string> environment)
    {
        while (true)
        {
            System.Diagnostics.Process? process;
            lock (s_lock)
            {
                if (!s_waiting.TryDequeue(out process))
                {
                    return null;
                }
            }

            // The replacement starts a little later: starting a runtime takes a core for ~60 ms, which the pool's
            // first calls on the taken worker need more.
            _ = Task.Delay(ReplaceAfter).ContinueWith(static _ => Replenish(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            try
            {
                process.StandardInput.Write(StandbyAssignment.Write(environment));
                process.StandardInput.Close();
                ChildLauncher.Forget(process); // the pool tracks, kills and disposes it from now on
                return process;
            }
            catch (IOException)
            {
                End(process); // it died while waiting: try the next one
            }
        }
    }

    /// <summary>
    /// Worker side: warms up, then waits for a pool's settings on standard input and applies them to this process's
    /// environment. False when the input closed without any (the parent stopped it, or is gone).
    /// </summary>
    public static bool AwaitAssignment()
    {
        ThreadPool.UnsafeQueueUserWorkItem(static _ => WarmUp(), null);
        using var input = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8);
        Dictionary<string, string> settings = StandbyAssignment.Read(input);
        foreach ((string name, string value) in settings)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        return settings.Count > 0;
    }

    /// <summary>
    /// Loads the app's assemblies, serializes a value through the library's resolver and rehearses a call and the way in
    /// (<see cref="WorkerHost.Rehearse"/>). None of it needs culture data or a <c>Socket</c>: a waiting worker that
    /// loaded ICU for them (a display name parsed, a name compared with the current culture's rules, a socket's event
    /// source and its telemetry) held ~11 MB more, torn down when the pool that took it ends.
    /// </summary>
    private static void WarmUp()
    {
        try
        {
            foreach (string name in (Environment.GetEnvironmentVariable(PreloadVariable) ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                try
                {
                    Assembly.Load(Remote.FunctionResolver.AssemblyNameOf(name));
                }
#pragma warning disable CA1031 // Only a head start: whatever fails here fails again, and is reported, when a call needs it.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }

            Remote.PayloadSerializer.WarmUp();
            if (OperatingSystem.IsLinux()) // where standby workers start (Prestart)
            {
                WorkerHost.Rehearse();
            }
        }
#pragma warning disable CA1031 // As above: a head start only.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            s_warmedUp.TrySetResult();
        }
    }

    private static void Replenish()
    {
        while (true)
        {
            lock (s_lock)
            {
                if (s_waiting.Count + s_starting >= s_wanted)
                {
                    return;
                }

                s_starting++;
            }

            System.Diagnostics.Process? process = null;
            bool counted = false, wanted = false;
            try
            {
                // Listed on the launcher thread, right after it started: a pool whose launch was queued meanwhile (it
                // runs next on that thread) takes it instead of starting a worker of its own.
                process = ChildLauncher.Start(
                    () => ProcessSupport.Launcher.Start(StandbyEnvironment(), redirectInput: true),
                    started =>
                    {
                        lock (s_lock)
                        {
                            s_starting--;
                            counted = true;
                            wanted = s_waiting.Count < s_wanted; // PrestartWorkers(0) may have come meanwhile
                            if (wanted)
                            {
                                s_waiting.Enqueue(started);
                            }
                        }
                    });
            }
#pragma warning disable CA1031 // A standby that cannot start is no loss: pools start their own workers.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
            finally
            {
                if (!counted)
                {
                    lock (s_lock)
                    {
                        s_starting--;
                    }
                }
            }

            if (!wanted)
            {
                if (process is not null)
                {
                    End(process);
                }

                return;
            }
        }
    }

    private static Dictionary<string, string> StandbyEnvironment() => new()
    {
        [Variable] = "1",
        [WorkerEnvironment.ParentPid] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
        [PreloadVariable] = string.Join(';', AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && !string.IsNullOrEmpty(a.Location) && !a.Location.StartsWith(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), StringComparison.Ordinal))
            .Select(a => a.FullName)),
    };

    /// <summary>Closing its input ends a waiting worker; it is killed if it is stuck before reading it.</summary>
    private static void End(System.Diagnostics.Process process)
    {
        try
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill();
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
        }
    }
}
