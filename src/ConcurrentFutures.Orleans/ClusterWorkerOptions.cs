namespace ConcurrentFutures.Orleans;

/// <summary>How a silo started with <see cref="ClusterWorker"/> joins its cluster.</summary>
public sealed class ClusterWorkerOptions
{
    /// <summary>The default cluster id of workers and executors.</summary>
    public const string DefaultClusterId = "concurrentfutures";

    /// <summary>The default service id of workers and executors.</summary>
    public const string DefaultServiceId = "concurrentfutures";

    /// <summary>The Orleans cluster id; default <c>concurrentfutures</c>.</summary>
    public string ClusterId { get; set; } = DefaultClusterId;

    /// <summary>The Orleans service id; default <c>concurrentfutures</c>.</summary>
    public string ServiceId { get; set; } = DefaultServiceId;

    /// <summary>Port for silo-to-silo traffic; default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port clients (executors) connect to; default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Port where clients put large arguments and take large results (values above 64 KB serialized travel beside the
    /// grain call, not inside it); default 0: a free port chosen when the silo starts, which clients learn from the
    /// silo. Set a fixed port when a firewall sits between clients and silos: clients must reach it as they reach the
    /// gateway port.
    /// </summary>
    public int PayloadPort { get; set; }

    /// <summary>
    /// Localhost clustering: the silo port of the first (primary) silo, which keeps the membership table. Default
    /// 11111; a silo whose <see cref="SiloPort"/> is this port is the primary. Keep the primary running: it is the
    /// cluster's membership in this mode. Ignored with <see cref="RedisConnectionString"/>.
    /// </summary>
    public int PrimarySiloPort { get; set; } = 11111;

    /// <summary>Redis clustering: e.g. <c>redis-host:6379</c>; null uses localhost clustering.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>
    /// Faster failure detection (probes every second, a silo declared dead after two missed probes): for tests and
    /// small clusters on one network. Default false (Orleans' defaults).
    /// </summary>
    public bool FastFailureDetection { get; set; }

    /// <summary>
    /// Where the silo runs work: <see cref="WorkIsolation.WorkerProcesses"/> (default: its own worker processes, so a
    /// crashing or hung task costs a worker, never the silo) or <see cref="WorkIsolation.InSilo"/> (trusted work only).
    /// </summary>
    public WorkIsolation Isolation { get; set; } = WorkIsolation.WorkerProcesses;

    /// <summary>How many worker processes the silo runs work in (started as needed); null: the silo's cores.</summary>
    public int? MaxWorkers { get; set; }

    /// <summary>Replace a worker process after this many tasks; null: never. As <see cref="ProcessPoolOptions.MaxTasksPerChild"/>.</summary>
    public int? MaxTasksPerChild { get; set; }

    /// <summary>A hard cap on each worker process's managed heap; null: none. As <see cref="ProcessPoolOptions.MaxWorkerHeapBytes"/>.</summary>
    public long? MaxWorkerHeapBytes { get; set; }
}
