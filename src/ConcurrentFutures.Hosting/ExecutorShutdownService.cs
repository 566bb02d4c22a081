using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConcurrentFutures.Hosting;

/// <summary>
/// Shuts the container's executors down when the host stops: gracefully first (queued and running work finishes),
/// and when the host's shutdown timeout (<c>HostOptions.ShutdownTimeout</c>) runs out, by force: work not started is
/// cancelled, worker processes are killed (their work fails with <see cref="BrokenProcessPoolException"/>), and a
/// thread pool's hung threads are left behind (threads cannot be killed) so that disposing the container does not hang.
/// </summary>
internal sealed partial class ExecutorShutdownService(HostedExecutors executors, ILoggerFactory? loggerFactory = null) : IHostedService
{
    private readonly ILogger _logger = loggerFactory?.CreateLogger<ExecutorShutdownService>() ?? NullLogger<ExecutorShutdownService>.Instance;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(executors.Snapshot().Select(e => StopAsync(e.Name, e.Executor, cancellationToken)));

    private async Task StopAsync(string name, Executor executor, CancellationToken hostTimeout)
    {
        try
        {
            await executor.ShutdownAsync(cancelFutures: false, hostTimeout).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (hostTimeout.IsCancellationRequested)
        {
            // The host's shutdown timeout passed: stop the work by force below.
        }

        LogForcedShutdown(_logger, string.IsNullOrEmpty(name) ? "(default)" : name, executor.GetType().Name);
        executor.AbandonWaits();
        executor.Shutdown(wait: false, cancelFutures: true);
        if (OperatingSystem.IsLinux() && executor is ProcessPoolExecutor processPool)
        {
            processPool.KillWorkers();
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await executor.ShutdownAsync(cancelFutures: true, patience.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Killed workers are reaped in the background; the host must not wait longer.
            }
        }
    }

    [LoggerMessage(EventId = 100, EventName = "ExecutorShutdownForced", Level = LogLevel.Warning, Message = "Executor {Name} ({Type}) did not finish its work within the host's shutdown timeout; work not started was cancelled and its workers were stopped.")]
    private static partial void LogForcedShutdown(ILogger logger, string name, string type);
}
