namespace ConcurrentFutures.Orleans;

/// <summary>Where a silo runs the work it is sent.</summary>
public enum WorkIsolation
{
    /// <summary>
    /// In the silo's own worker processes (a process pool on the silo, the same engine as
    /// <see cref="ProcessPoolExecutor"/>): a task that crashes or hangs costs a worker process, never the silo. The default.
    /// </summary>
    WorkerProcesses,

    /// <summary>
    /// In the silo process itself, on its thread pool: a little faster per call, for trusted, latency-critical work only —
    /// a task that calls <c>Environment.FailFast</c>, overflows its stack or never returns takes the silo (or a thread of
    /// it) with it.
    /// </summary>
    InSilo,
}
