using Microsoft.Extensions.Logging;

namespace ConcurrentFutures;

/// <summary>Settings of a <see cref="ProcessPoolExecutor"/>. Python: the arguments of <c>ProcessPoolExecutor(...)</c>, plus limits Python lacks.</summary>
public sealed class ProcessPoolOptions
{
    /// <summary>Maximum worker processes; default <see cref="Environment.ProcessorCount"/>. Python: <c>max_workers</c>.</summary>
    public int? MaxWorkers { get; set; }

    /// <summary>Replace a worker after it has run this many tasks (a Map chunk counts as one). Python: <c>max_tasks_per_child</c>.</summary>
    public int? MaxTasksPerChild { get; set; }

    /// <summary>
    /// A static method (or non-capturing lambda) run once in each new worker before it takes work. If it throws, the
    /// pool is broken: pending and later work fails with <see cref="BrokenProcessPoolException"/>. Python: <c>initializer</c>.
    /// </summary>
    public Delegate? Initializer { get; set; }

    /// <summary>The initializer's arguments, sent with the same rules as work arguments. Python: <c>initargs</c>.</summary>
    public object?[] InitializerArgs { get; set; } = [];

    /// <summary>
    /// Hard limit per task (per chunk for Map): a worker still running a task after this long is killed and replaced,
    /// and that task's future fails with <see cref="TimeoutException"/>. Null: no limit.
    /// </summary>
    public TimeSpan? TaskTimeout { get; set; }

    /// <summary>Workers idle this long exit; new ones start on demand. Null: workers stay until shutdown.</summary>
    public TimeSpan? IdleWorkerTimeout { get; set; }

    /// <summary>A worker whose working set exceeds this after a task is replaced (after finishing what it holds). Null: no limit.</summary>
    public long? MaxWorkerMemoryBytes { get; set; }

    /// <summary>
    /// Hard cap on each worker's managed heap, without cgroups (the runtime's <c>GCHeapHardLimit</c>, set for the
    /// workers only): work that allocates beyond it fails with <see cref="OutOfMemoryException"/> instead of
    /// exhausting the machine, and the worker that ran it is replaced after it finishes what it holds. At least
    /// 32 MB. Null: the runtime's default.
    /// </summary>
    public long? MaxWorkerHeapBytes { get; set; }

    /// <summary>The executor's name in logs, metrics (<c>executor.name</c>) and spans; null leaves it unnamed.</summary>
    public string? Name { get; set; }

    /// <summary>The pool never takes a prestarted worker (the rehearsal pool of <see cref="ProcessPoolExecutor.PrestartWorkers"/>).</summary>
    internal bool StartsOwnWorkers { get; init; }

    /// <summary>
    /// Where the pool logs worker starts, exits, crashes (with exit code or signal), recycling, timeout kills and a
    /// broken pool; null (the default) logs nothing.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
