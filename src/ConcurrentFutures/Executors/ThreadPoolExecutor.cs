using System.Diagnostics;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConcurrentFutures;

/// <summary>
/// Runs work on dedicated threads of this process, created on demand up to <see cref="MaxWorkers"/> and reused when
/// idle; work starts in submission order (FIFO). Python: <c>concurrent.futures.ThreadPoolExecutor</c>.
/// </summary>
/// <remarks>
/// Threads are named <c>{threadNamePrefix}_{i}</c> and are background threads, so a forgotten executor does not keep
/// the process alive; dispose it (or call <see cref="Executor.Shutdown"/>) to wait for queued work. Async work
/// (<c>SubmitAsync</c>) occupies a pool thread only until its first incomplete await.
/// </remarks>
public sealed class ThreadPoolExecutor : Executor
{
    /// <summary>Gives each executor without a prefix a distinct default one, as Python does.</summary>
    private static int s_instanceCounter;

    /// <summary>Work waiting for a thread, in submission order.</summary>
    private readonly ConcurrentQueue<WorkItem> _queue = new();

    /// <summary>Counts queued items plus shutdown wake-ups; idle threads sleep on it (it spins briefly before blocking).</summary>
    private readonly SemaphoreSlim _workAvailable = new(0);

    /// <summary>Guards <see cref="_threads"/>, <see cref="_shutdown"/> and <see cref="_brokenReason"/> transitions.</summary>
    private readonly Lock _lifecycleLock = new();

    /// <summary>Every thread started, in creation order; threads are never removed (they exit only at shutdown).</summary>
    private readonly List<Thread> _threads = [];

    /// <summary>Completed when, after shutdown, the last thread has exited.</summary>
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly string _threadNamePrefix;
    private readonly Action? _initializer;
    private readonly ILogger _logger;

    /// <summary>Cached delegate given to <see cref="WorkItem.Run"/>: the running thread is about to be idle.</summary>
    private readonly Action _markThreadIdle;

    /// <summary>
    /// Idle threads not yet claimed by a submission: a thread adds one each time it goes back to waiting, a submission
    /// takes one instead of starting a thread. Approximate by design (as Python's idle semaphore): it only decides
    /// whether a new thread is worth starting.
    /// </summary>
    private int _idleTokens;

    /// <summary>Threads still running their loop; the last one out after shutdown completes <see cref="_terminated"/>.</summary>
    private int _liveThreads;

    private volatile bool _shutdown;
    private volatile string? _brokenReason;

    /// <summary>Creates a thread pool executor.</summary>
    /// <param name="maxWorkers">Maximum threads; default <c>Math.Min(32, Environment.ProcessorCount + 4)</c>.</param>
    /// <param name="threadNamePrefix">Thread name prefix; default <c>ThreadPoolExecutor-N</c>.</param>
    /// <param name="initializer">Run once on each new thread before it takes work; if it throws, the pool is broken.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is zero or negative.</exception>
    public ThreadPoolExecutor(int? maxWorkers = null, string? threadNamePrefix = null, Action? initializer = null)
        : this(new ThreadPoolExecutorOptions { MaxWorkers = maxWorkers, ThreadNamePrefix = threadNamePrefix, Initializer = initializer })
    {
    }

    /// <summary>Creates a thread pool executor with the given options.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="ThreadPoolExecutorOptions.MaxWorkers"/> is zero or negative.</exception>
    public ThreadPoolExecutor(ThreadPoolExecutorOptions options)
        : base("thread_pool", options?.Name)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxWorkers is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max, "options.MaxWorkers");
        }

        MaxWorkers = options.MaxWorkers ?? Math.Min(32, Environment.ProcessorCount + 4);
        _threadNamePrefix = string.IsNullOrEmpty(options.ThreadNamePrefix)
            ? $"ThreadPoolExecutor-{Interlocked.Increment(ref s_instanceCounter) - 1}"
            : options.ThreadNamePrefix;
        _initializer = options.Initializer;
        _logger = options.LoggerFactory?.CreateLogger<ThreadPoolExecutor>() ?? NullLogger<ThreadPoolExecutor>.Instance;
        _markThreadIdle = () => Interlocked.Increment(ref _idleTokens);
        Telemetry.Track(() => Volatile.Read(ref _liveThreads), () => _queue.Count);
    }

    /// <summary>The maximum number of threads. Python: <c>_max_workers</c>.</summary>
    public int MaxWorkers { get; }

    /// <summary>How many threads have been started so far (never more than <see cref="MaxWorkers"/>).</summary>
    internal int ThreadCount
    {
        get
        {
            lock (_lifecycleLock)
            {
                return _threads.Count;
            }
        }
    }

    /// <inheritdoc/>
    internal override void Schedule(WorkItem workItem)
    {
        lock (_lifecycleLock)
        {
            if (_brokenReason is { } reason)
            {
                throw new BrokenThreadPoolException(reason);
            }

            if (_shutdown)
            {
                throw new ObjectDisposedException(nameof(ThreadPoolExecutor), "Cannot submit work after Shutdown: the executor no longer accepts work.");
            }

            _queue.Enqueue(workItem);
            _workAvailable.Release();
            if (!TryClaimIdleThread() && _threads.Count < MaxWorkers)
            {
                StartThreadLocked();
            }
        }
    }

    /// <inheritdoc/>
    internal override void ShutdownCore(bool wait, bool cancelFutures)
    {
        Thread[] threads;
        lock (_lifecycleLock)
        {
            // As Python: every call with cancelFutures drains the queue, even after an earlier plain shutdown.
            if (cancelFutures)
            {
                while (_queue.TryDequeue(out WorkItem? item))
                {
                    item.Future.Cancel();
                }
            }

            if (!_shutdown)
            {
                _shutdown = true;

                // One wake-up per thread: each finds the queue drained and exits.
                if (_threads.Count > 0)
                {
                    _workAvailable.Release(_threads.Count);
                }
                else
                {
                    _terminated.TrySetResult();
                }
            }

            threads = [.. _threads];
        }

        if (wait)
        {
            foreach (Thread thread in threads)
            {
                if (thread != Thread.CurrentThread)
                {
                    thread.Join();
                }
            }
        }
    }

    /// <inheritdoc/>
    internal override Task WhenTerminatedAsync() => _terminated.Task;

    private bool TryClaimIdleThread()
    {
        int tokens = Volatile.Read(ref _idleTokens);
        while (tokens > 0)
        {
            int seen = Interlocked.CompareExchange(ref _idleTokens, tokens - 1, tokens);
            if (seen == tokens)
            {
                return true;
            }

            tokens = seen;
        }

        return false;
    }

    private void StartThreadLocked()
    {
        Debug.Assert(_lifecycleLock.IsHeldByCurrentThread, "StartThreadLocked runs under _lifecycleLock");
        var thread = new Thread(WorkerLoop)
        {
            Name = $"{_threadNamePrefix}_{_threads.Count}",
            IsBackground = true,
        };
        _threads.Add(thread);
        Interlocked.Increment(ref _liveThreads);
        thread.Start();
        ExecutorLog.ThreadStarted(_logger, thread.Name, _threads.Count, MaxWorkers);
    }

    private void WorkerLoop()
    {
        try
        {
            if (!RunInitializer())
            {
                return;
            }

            // A new thread was started for the submission that woke it, so it holds no idle token yet; it adds one
            // each time it finishes an item (before that item's future completes, see WorkItem.Run).
            while (true)
            {
                _workAvailable.Wait();
                if (_queue.TryDequeue(out WorkItem? item))
                {
                    item.Run(_markThreadIdle);
                }
                else if (_shutdown || _brokenReason is not null)
                {
                    return;
                }
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref _liveThreads) == 0 && (_shutdown || _brokenReason is not null))
            {
                _terminated.TrySetResult();
            }
        }
    }

    private bool RunInitializer()
    {
        if (_initializer is null)
        {
            return true;
        }

        try
        {
            _initializer();
            return true;
        }
#pragma warning disable CA1031 // An initializer failure breaks the pool; it is reported through every pending future.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Break(exception);
            return false;
        }
    }

    /// <summary>Marks the pool broken and fails everything queued. Python: <c>_initializer_failed</c>.</summary>
    private void Break(Exception cause)
    {
        const string Reason = "A thread initializer failed; the thread pool is not usable anymore.";
        lock (_lifecycleLock)
        {
            if (_brokenReason is null)
            {
                _brokenReason = $"{Reason} ({cause.GetType().Name}: {cause.Message})";
                ExecutorLog.ThreadPoolBroken(_logger, cause, Thread.CurrentThread.Name);
            }

            _workAvailable.Release(_threads.Count);
        }

        while (_queue.TryDequeue(out WorkItem? item))
        {
            item.Fail(new BrokenThreadPoolException(_brokenReason, cause));
        }
    }
}
