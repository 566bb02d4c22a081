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

    /// <summary>
    /// The initializer's arguments, sent with the same rules as work arguments; checked against its parameters when the
    /// pool is created. Python: <c>initargs</c>. <see cref="SetInitializer{T1}(Action{T1}, T1)"/> sets both, typed.
    /// </summary>
    public object?[] InitializerArgs { get; set; } = [];

    /// <summary>
    /// Sets <see cref="Initializer"/> and <see cref="InitializerArgs"/> to <c>initializer()</c>, typed: a wrong
    /// argument is a compile error. Returns these options, for <c>new ProcessPoolOptions { ... }.SetInitializer(Init, arg)</c>.
    /// </summary>
    /// <param name="initializer">Run once in each new worker before it takes work.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="initializer"/> is null.</exception>
    public ProcessPoolOptions SetInitializer(Action initializer)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        Initializer = initializer;
        InitializerArgs = [];
        return this;
    }

    /// <summary>
    /// Sets <see cref="Initializer"/> and <see cref="InitializerArgs"/> to <c>initializer(arg1)</c>, typed: a wrong
    /// argument is a compile error. Returns these options, for <c>new ProcessPoolOptions { ... }.SetInitializer(Init, arg)</c>.
    /// </summary>
    /// <typeparam name="T1">The argument type.</typeparam>
    /// <param name="initializer">Run once in each new worker before it takes work.</param>
    /// <param name="arg1">Its argument.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="initializer"/> is null.</exception>
    public ProcessPoolOptions SetInitializer<T1>(Action<T1> initializer, T1 arg1)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        Initializer = initializer;
        InitializerArgs = [arg1];
        return this;
    }

    /// <summary>
    /// Sets <see cref="Initializer"/> and <see cref="InitializerArgs"/> to <c>initializer(arg1, arg2)</c>, typed: a wrong
    /// argument is a compile error. Returns these options, for <c>new ProcessPoolOptions { ... }.SetInitializer(Init, arg)</c>.
    /// </summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <param name="initializer">Run once in each new worker before it takes work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="initializer"/> is null.</exception>
    public ProcessPoolOptions SetInitializer<T1, T2>(Action<T1, T2> initializer, T1 arg1, T2 arg2)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        Initializer = initializer;
        InitializerArgs = [arg1, arg2];
        return this;
    }

    /// <summary>
    /// Sets <see cref="Initializer"/> and <see cref="InitializerArgs"/> to <c>initializer(arg1, arg2, arg3)</c>, typed: a wrong
    /// argument is a compile error. Returns these options, for <c>new ProcessPoolOptions { ... }.SetInitializer(Init, arg)</c>.
    /// </summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <param name="initializer">Run once in each new worker before it takes work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="initializer"/> is null.</exception>
    public ProcessPoolOptions SetInitializer<T1, T2, T3>(Action<T1, T2, T3> initializer, T1 arg1, T2 arg2, T3 arg3)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        Initializer = initializer;
        InitializerArgs = [arg1, arg2, arg3];
        return this;
    }

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
