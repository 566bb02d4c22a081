using Microsoft.Extensions.Logging;

namespace ConcurrentFutures;

/// <summary>Settings of a <see cref="ThreadPoolExecutor"/>, for configuration binding and dependency injection.</summary>
public sealed class ThreadPoolExecutorOptions
{
    /// <summary>Maximum threads; default <c>Math.Min(32, Environment.ProcessorCount + 4)</c>. Python: <c>max_workers</c>.</summary>
    public int? MaxWorkers { get; set; }

    /// <summary>Thread name prefix; default <c>ThreadPoolExecutor-N</c>. Python: <c>thread_name_prefix</c>.</summary>
    public string? ThreadNamePrefix { get; set; }

    /// <summary>Run once on each new thread before it takes work; if it throws, the pool is broken. Python: <c>initializer</c>.</summary>
    public Action? Initializer { get; set; }

    /// <summary>The executor's name in logs, metrics (<c>executor.name</c>) and spans; null leaves it unnamed.</summary>
    public string? Name { get; set; }

    /// <summary>Where the executor logs thread starts and a broken pool; null (the default) logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
