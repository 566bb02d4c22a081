using System.Collections.Concurrent;

namespace ConcurrentFutures.Platform;

/// <summary>
/// Starts child processes from one thread that lives as long as this process: on Linux a child's parent-death
/// signal fires when the thread that started it exits, so children must not be started from short-lived threads.
/// Every child of the library starts here: <c>Process</c> children and prestarted workers (tracked: those still
/// running when this process exits normally are killed by its exit hook), and pools' workers (<see cref="Post"/>:
/// the pool tracks them).
/// </summary>
internal static class ChildLauncher
{
    private static readonly BlockingCollection<Action> s_requests = [];
    private static readonly HashSet<System.Diagnostics.Process> s_children = [];
    private static readonly Lazy<Thread> s_thread = new(() =>
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillChildren();
        var thread = new Thread(Loop) { IsBackground = true, Name = "ConcurrentFutures child launcher" };
        thread.Start();
        return thread;
    });

    /// <summary>Starts a process on the launcher thread and tracks it until it exits.</summary>
    public static System.Diagnostics.Process Start(Func<System.Diagnostics.Process> start) => Track(Request(start).GetAwaiter().GetResult());

    /// <summary>
    /// As <see cref="Start(Func{System.Diagnostics.Process})"/>, then runs <paramref name="started"/> on the launcher
    /// thread, before any launch queued after this one: what must be in place by then (a standby worker on the list
    /// pools take from: a pool's launch that comes next finds it there).
    /// </summary>
    public static System.Diagnostics.Process Start(Func<System.Diagnostics.Process> start, Action<System.Diagnostics.Process> started) =>
        Request(() =>
        {
            System.Diagnostics.Process process = Track(start());
            started(process);
            return process;
        }).GetAwaiter().GetResult();

    /// <summary>As <see cref="Start(Func{System.Diagnostics.Process})"/>, awaiting the launcher thread instead of blocking on it.</summary>
    public static async Task<System.Diagnostics.Process> StartAsync(Func<System.Diagnostics.Process> start) => Track(await Request(start).ConfigureAwait(false));

    /// <summary>
    /// Runs <paramref name="launch"/> on the launcher thread, after the launches queued before it: for a pool, which
    /// starts its workers there and tracks them itself. <paramref name="launch"/> handles its own failures.
    /// </summary>
    public static void Post(Action launch)
    {
        _ = s_thread.Value;
        s_requests.Add(launch);
    }

    private static Task<System.Diagnostics.Process> Request(Func<System.Diagnostics.Process> start)
    {
        var done = new TaskCompletionSource<System.Diagnostics.Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                done.SetResult(start());
            }
#pragma warning disable CA1031 // Handed to the caller of Start.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                done.SetException(exception);
            }
        });
        return done.Task;
    }

    private static System.Diagnostics.Process Track(System.Diagnostics.Process process)
    {
        lock (s_children)
        {
            s_children.Add(process);
        }

        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            lock (s_children)
            {
                s_children.Remove(process);
            }
        };
        return process;
    }

    /// <summary>Stops tracking a child someone else now owns (and will end and dispose).</summary>
    public static void Forget(System.Diagnostics.Process process)
    {
        lock (s_children)
        {
            s_children.Remove(process);
        }
    }

    private static void Loop()
    {
        foreach (Action launch in s_requests.GetConsumingEnumerable())
        {
            try
            {
                launch();
            }
#pragma warning disable CA1031 // A launch reports its own failures; one that slipped through must not end the thread every child depends on.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                System.Diagnostics.Trace.TraceError($"ConcurrentFutures child launcher: {exception}");
            }
        }
    }

    private static void KillChildren()
    {
        System.Diagnostics.Process[] children;
        lock (s_children)
        {
            children = [.. s_children];
        }

        foreach (System.Diagnostics.Process child in children)
        {
            try
            {
                child.Kill();
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
