using System.Runtime.Versioning;
using ConcurrentFutures.Platform;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// Python's <c>multiprocessing.Pool</c>, on top of <see cref="ProcessPoolExecutor"/>: the same workers, sending rules
/// and crash handling. As in Python, <see cref="Dispose"/> terminates the workers (like leaving a <c>with</c> block);
/// call <see cref="Close"/> then <see cref="Join"/> to let submitted work finish first.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class Pool : IDisposable
{
    private readonly ProcessPoolExecutor _executor;
    private volatile bool _closed;

    /// <summary>
    /// Creates a pool. Python: <c>Pool(processes, initializer, initargs, maxtasksperchild)</c>. The initializer's
    /// arguments are checked when the pool is created; <see cref="Create{T1}(Action{T1}, T1, int?, int?)"/> and its
    /// siblings are the typed form.
    /// </summary>
    /// <param name="processes">Worker processes; default <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="initializer">Run once in each worker before it takes work.</param>
    /// <param name="initArgs">The initializer's arguments.</param>
    /// <param name="maxTasksPerChild">Replace a worker after this many tasks.</param>
    public Pool(int? processes = null, Delegate? initializer = null, object?[]? initArgs = null, int? maxTasksPerChild = null)
    {
        PlatformSupport.ThrowIfUnsupported(nameof(Pool));
        _executor = new ProcessPoolExecutor(new ProcessPoolOptions
        {
            MaxWorkers = processes,
            Initializer = initializer,
            InitializerArgs = initArgs ?? [],
            MaxTasksPerChild = maxTasksPerChild,
        });
    }

    /// <summary>
    /// Creates a pool whose workers each run <c>initializer()</c> first: the typed form of the
    /// constructor's <c>initializer</c> and <c>initArgs</c>, so a wrong argument is a compile error.
    /// </summary>
    /// <param name="initializer">Run once in each worker before it takes work.</param>
    /// <param name="processes">Worker processes; default <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="maxTasksPerChild">Replace a worker after this many tasks.</param>
    /// <returns>The pool.</returns>
    public static Pool Create(Action initializer, int? processes = null, int? maxTasksPerChild = null) =>
        new(processes, initializer ?? throw new ArgumentNullException(nameof(initializer)), [], maxTasksPerChild);

    /// <summary>
    /// Creates a pool whose workers each run <c>initializer(arg1)</c> first: the typed form of the
    /// constructor's <c>initializer</c> and <c>initArgs</c>, so a wrong argument is a compile error.
    /// </summary>
    /// <typeparam name="T1">The argument type.</typeparam>
    /// <param name="initializer">Run once in each worker before it takes work.</param>
    /// <param name="arg1">Its argument.</param>
    /// <param name="processes">Worker processes; default <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="maxTasksPerChild">Replace a worker after this many tasks.</param>
    /// <returns>The pool.</returns>
    public static Pool Create<T1>(Action<T1> initializer, T1 arg1, int? processes = null, int? maxTasksPerChild = null) =>
        new(processes, initializer ?? throw new ArgumentNullException(nameof(initializer)), [arg1], maxTasksPerChild);

    /// <summary>
    /// Creates a pool whose workers each run <c>initializer(arg1, arg2)</c> first: the typed form of the
    /// constructor's <c>initializer</c> and <c>initArgs</c>, so a wrong argument is a compile error.
    /// </summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <param name="initializer">Run once in each worker before it takes work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="processes">Worker processes; default <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="maxTasksPerChild">Replace a worker after this many tasks.</param>
    /// <returns>The pool.</returns>
    public static Pool Create<T1, T2>(Action<T1, T2> initializer, T1 arg1, T2 arg2, int? processes = null, int? maxTasksPerChild = null) =>
        new(processes, initializer ?? throw new ArgumentNullException(nameof(initializer)), [arg1, arg2], maxTasksPerChild);

    /// <summary>
    /// Creates a pool whose workers each run <c>initializer(arg1, arg2, arg3)</c> first: the typed form of the
    /// constructor's <c>initializer</c> and <c>initArgs</c>, so a wrong argument is a compile error.
    /// </summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <param name="initializer">Run once in each worker before it takes work.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="processes">Worker processes; default <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="maxTasksPerChild">Replace a worker after this many tasks.</param>
    /// <returns>The pool.</returns>
    public static Pool Create<T1, T2, T3>(Action<T1, T2, T3> initializer, T1 arg1, T2 arg2, T3 arg3, int? processes = null, int? maxTasksPerChild = null) =>
        new(processes, initializer ?? throw new ArgumentNullException(nameof(initializer)), [arg1, arg2, arg3], maxTasksPerChild);

    /// <summary>The number of worker processes.</summary>
    public int Processes => _executor.MaxWorkers;

    /// <summary>Runs <c>fn(arg)</c> in a worker and waits for the result. Python: <c>apply(fn, (arg,))</c>.</summary>
    /// <typeparam name="T">The argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function.</param>
    /// <param name="arg">Its argument.</param>
    /// <returns>The result.</returns>
    public TResult Apply<T, TResult>(Func<T, TResult> fn, T arg) => ApplyAsync(fn, arg).Result();

    /// <summary>Runs <c>fn(arg)</c> in a worker. Python: <c>apply_async</c>; the future plays the AsyncResult.</summary>
    /// <typeparam name="T">The argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function.</param>
    /// <param name="arg">Its argument.</param>
    /// <returns>A future for the result.</returns>
    public Future<TResult> ApplyAsync<T, TResult>(Func<T, TResult> fn, T arg)
    {
        ThrowIfClosed();
        return _executor.Submit(fn, arg);
    }

    /// <summary>
    /// Applies <paramref name="fn"/> to every item and returns the results in order. Python: <c>map</c>; the default
    /// chunk size is Python's (items / (4 × processes), rounded up).
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function.</param>
    /// <param name="source">The items.</param>
    /// <param name="chunkSize">Items per dispatch; null for Python's default.</param>
    /// <returns>The results in input order.</returns>
    public List<TResult> Map<T, TResult>(Func<T, TResult> fn, IEnumerable<T> source, int? chunkSize = null)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(source);
        T[] items = [.. source];
        return [.. _executor.Map(fn, items, chunkSize: chunkSize ?? DefaultChunkSize(items.Length))];
    }

    /// <summary>Like <see cref="Map"/>, but yields results in order as they become available. Python: <c>imap</c>.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function.</param>
    /// <param name="source">The items.</param>
    /// <param name="chunkSize">Items per dispatch.</param>
    /// <returns>The results in input order.</returns>
    public IEnumerable<TResult> Imap<T, TResult>(Func<T, TResult> fn, IEnumerable<T> source, int chunkSize = 1)
    {
        ThrowIfClosed();
        return _executor.Map(fn, source, chunkSize: chunkSize);
    }

    /// <summary>Yields results as they complete, in any order. Python: <c>imap_unordered</c>.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function.</param>
    /// <param name="source">The items.</param>
    /// <param name="chunkSize">Items per dispatch.</param>
    /// <returns>The results in completion order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is below 1.</exception>
    public IEnumerable<TResult> ImapUnordered<T, TResult>(Func<T, TResult> fn, IEnumerable<T> source, int chunkSize = 1)
    {
        List<Future<TResult[]>> chunks = SubmitChunks(fn, source, chunkSize, CancellationToken.None);
        return Futures.AsCompleted(chunks).SelectMany(chunk => chunk.Result());
    }

    private List<Future<TResult[]>> SubmitChunks<T, TResult>(Func<T, TResult> fn, IEnumerable<T> source, int chunkSize, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        cancellationToken.ThrowIfCancellationRequested();
        return [.. source.Chunk(chunkSize).Select(chunk => _executor.SubmitChunk(fn, chunk, cancellationToken))];
    }

    /// <summary>Applies <paramref name="fn"/> to each pair of arguments, results in order. Python: <c>starmap</c>.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function.</param>
    /// <param name="source">The arguments, a tuple per call.</param>
    /// <param name="chunkSize">Items per dispatch; null for Python's default.</param>
    /// <returns>The results in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> or <paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is below 1.</exception>
    public List<TResult> Starmap<T1, T2, TResult>(Func<T1, T2, TResult> fn, IEnumerable<(T1, T2)> source, int? chunkSize = null)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(source);
        (T1, T2)[] items = [.. source];
        return [.. _executor.MapSpread(fn, items, chunkSize ?? DefaultChunkSize(items.Length), static (f, x) => ((Func<T1, T2, TResult>)f)(x.Item1, x.Item2), static x => [x.Item1, x.Item2])];
    }

    /// <summary>Applies <paramref name="fn"/> to each triple of arguments, results in order. Python: <c>starmap</c>.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function.</param>
    /// <param name="source">The arguments, a tuple per call.</param>
    /// <param name="chunkSize">Items per dispatch; null for Python's default.</param>
    /// <returns>The results in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> or <paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is below 1.</exception>
    public List<TResult> Starmap<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> fn, IEnumerable<(T1, T2, T3)> source, int? chunkSize = null)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(source);
        (T1, T2, T3)[] items = [.. source];
        return [.. _executor.MapSpread(fn, items, chunkSize ?? DefaultChunkSize(items.Length), static (f, x) => ((Func<T1, T2, T3, TResult>)f)(x.Item1, x.Item2, x.Item3), static x => [x.Item1, x.Item2, x.Item3])];
    }

    /// <summary>Applies <paramref name="fn"/> to each quadruple of arguments, results in order. Python: <c>starmap</c>.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">The function.</param>
    /// <param name="source">The arguments, a tuple per call.</param>
    /// <param name="chunkSize">Items per dispatch; null for Python's default.</param>
    /// <returns>The results in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> or <paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> is below 1.</exception>
    public List<TResult> Starmap<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> fn, IEnumerable<(T1, T2, T3, T4)> source, int? chunkSize = null)
    {
        ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(source);
        (T1, T2, T3, T4)[] items = [.. source];
        return [.. _executor.MapSpread(fn, items, chunkSize ?? DefaultChunkSize(items.Length), static (f, x) => ((Func<T1, T2, T3, T4, TResult>)f)(x.Item1, x.Item2, x.Item3, x.Item4), static x => [x.Item1, x.Item2, x.Item3, x.Item4])];
    }

    /// <summary>Accepts no more work; submitted work still runs. Python: <c>close()</c>.</summary>
    public void Close()
    {
        _closed = true;
        _executor.Shutdown(wait: false);
    }

    /// <summary>Stops the workers at once (SIGTERM); unfinished work fails. Python: <c>terminate()</c>.</summary>
    public void Terminate()
    {
        _closed = true;
        _executor.TerminateWorkers();
    }

    /// <summary>Waits for the workers to exit. Python: <c>join()</c>.</summary>
    /// <exception cref="InvalidOperationException">Neither <see cref="Close"/> nor <see cref="Terminate"/> was called.</exception>
    public void Join()
    {
        ThrowIfNotClosed();
        _executor.Shutdown(wait: true);
    }

    /// <summary>Terminates the workers and waits for them, as leaving Python's <c>with Pool() as p:</c> block does.</summary>
    public void Dispose()
    {
        Terminate();
        _executor.Dispose();
    }

    private int DefaultChunkSize(int count)
    {
        int chunk = Math.DivRem(count, Processes * 4, out int extra);
        return Math.Max(1, extra > 0 ? chunk + 1 : chunk);
    }

    private void ThrowIfNotClosed()
    {
        if (!_closed)
        {
            throw new InvalidOperationException("Call Close() or Terminate() before Join(), as with Python's Pool.");
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new InvalidOperationException("The pool was closed or terminated; it accepts no more work.");
        }
    }
}
