using ConcurrentFutures.Platform;

namespace ConcurrentFutures.Processes;

/// <summary>
/// Entry point of a worker process: <c>dotnet exec --depsfile app.deps.json --runtimeconfig app.runtimeconfig.json
/// ConcurrentFutures.dll</c>, started by a process pool with the app's own dependency list, so the worker can load
/// every assembly the parent can.
/// </summary>
internal static class WorkerProgram
{
    public static int Main()
    {
        if (Environment.GetEnvironmentVariable(SingleCallHost.CallFileVariable) is { } callFile)
        {
            NativeMethods.DieWithParent();
            return SingleCallHost.Run(callFile);
        }

        bool standby = Environment.GetEnvironmentVariable(StandbyWorkers.Variable) == "1";
        if (standby)
        {
            NativeMethods.DieWithParent();
            if (!ParentIsAlive() || !StandbyWorkers.AwaitAssignment())
            {
                return 0; // not needed after all
            }
        }

        string? socketPath = Environment.GetEnvironmentVariable(WorkerEnvironment.Socket);
        string? token = Environment.GetEnvironmentVariable(WorkerEnvironment.Token);
        string? slot = Environment.GetEnvironmentVariable(WorkerEnvironment.Slot);
        string? parentPid = Environment.GetEnvironmentVariable(WorkerEnvironment.ParentPid);
        if (socketPath is null || token is null || slot is null || parentPid is null)
        {
            Console.Error.WriteLine("This is the ConcurrentFutures worker process; ProcessPoolExecutor starts it. It is not meant to be run by hand.");
            return 2;
        }

        // Die with the parent: the kernel's parent-death signal, then a check that the parent did not die before it was set.
        NativeMethods.DieWithParent();
        if (!ParentIsAlive())
        {
            return 3;
        }

        var host = new WorkerHost(
            socketPath,
            CultureFreeDigits.FromHex(token),
            CultureFreeDigits.Parse(slot),
            Environment.GetEnvironmentVariable(WorkerEnvironment.ReportMemory) == "1",
            Environment.GetEnvironmentVariable(WorkerEnvironment.SharedMemoryPrefix) ?? Path.Combine(Path.GetTempPath(), "cf-"));
        return host.Run();
    }

    /// <summary>False when the process that started this one is gone (it died before the parent-death signal was set).</summary>
    private static bool ParentIsAlive()
    {
        string? parentPid = Environment.GetEnvironmentVariable(WorkerEnvironment.ParentPid);
        int actualParent = NativeMethods.ParentProcessId();
        return parentPid is null || actualParent == -1 || actualParent == CultureFreeDigits.Parse(parentPid);
    }
}
