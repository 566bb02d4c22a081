using Microsoft.Extensions.Logging;

namespace ConcurrentFutures;

/// <summary>
/// Everything the executors log, with stable event ids (documented in the README's Observability section):
/// 1–9 thread pool, 10–29 process pool.
/// </summary>
internal static partial class ExecutorLog
{
    [LoggerMessage(EventId = 1, EventName = "ThreadStarted", Level = LogLevel.Debug, Message = "Started worker thread {ThreadName} ({Count} of at most {MaxWorkers}).")]
    public static partial void ThreadStarted(ILogger logger, string? threadName, int count, int maxWorkers);

    [LoggerMessage(EventId = 2, EventName = "ThreadPoolBroken", Level = LogLevel.Error, Message = "The thread initializer failed on {ThreadName}; the thread pool is broken and fails all pending work.")]
    public static partial void ThreadPoolBroken(ILogger logger, Exception exception, string? threadName);

    [LoggerMessage(EventId = 10, EventName = "WorkerStarted", Level = LogLevel.Debug, Message = "Worker process {Pid} (slot {Slot}) is ready.")]
    public static partial void WorkerStarted(ILogger logger, int pid, int slot);

    [LoggerMessage(EventId = 11, EventName = "WorkerExited", Level = LogLevel.Debug, Message = "Worker process {Pid} exited with code {ExitCode}.")]
    public static partial void WorkerExited(ILogger logger, int pid, int exitCode);

    [LoggerMessage(EventId = 18, EventName = "WorkerKilled", Level = LogLevel.Debug, Message = "Worker process {Pid} was killed by signal {Signal}.")]
    public static partial void WorkerKilled(ILogger logger, int pid, int signal);

    /// <summary>Logs a worker's expected end: its exit code, or the signal that ended it (status 128 + N on Unix).</summary>
    public static void WorkerEnded(ILogger logger, int pid, int exitStatus)
    {
        if (exitStatus is > 128 and < 128 + 65 && !OperatingSystem.IsWindows())
        {
            WorkerKilled(logger, pid, exitStatus - 128);
        }
        else
        {
            WorkerExited(logger, pid, exitStatus);
        }
    }

    [LoggerMessage(EventId = 12, EventName = "WorkerCrashed", Level = LogLevel.Warning, Message = "Worker process {Pid} {Exit} while running {Function}; that work failed, {Requeued} queued tasks were re-sent, the worker is replaced.")]
    public static partial void WorkerCrashed(ILogger logger, int pid, string exit, string function, int requeued);

    [LoggerMessage(EventId = 13, EventName = "WorkerDiedStarting", Level = LogLevel.Warning, Message = "Worker process {Pid} {Exit} before it was ready to take work.")]
    public static partial void WorkerDiedStarting(ILogger logger, int pid, string exit);

    [LoggerMessage(EventId = 14, EventName = "WorkerRecycled", Level = LogLevel.Information, Message = "Worker process {Pid} is recycled: it reached {Limit} ({Value}).")]
    public static partial void WorkerRecycled(ILogger logger, int pid, string limit, double value);

    [LoggerMessage(EventId = 15, EventName = "TaskTimedOut", Level = LogLevel.Warning, Message = "{Function} ran longer than the TaskTimeout of {Timeout}; worker process {Pid} is killed and replaced.")]
    public static partial void TaskTimedOut(ILogger logger, string function, TimeSpan? timeout, int pid);

    [LoggerMessage(EventId = 16, EventName = "ProcessPoolBroken", Level = LogLevel.Error, Message = "The process pool is broken: {Reason}")]
    public static partial void ProcessPoolBroken(ILogger logger, Exception? exception, string reason);

    [LoggerMessage(EventId = 17, EventName = "WorkersSignalled", Level = LogLevel.Information, Message = "Signal {Signal} sent to every worker: {Reason}")]
    public static partial void WorkersSignalled(ILogger logger, int signal, string reason);
}
