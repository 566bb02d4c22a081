using Microsoft.Extensions.Logging;

namespace ConcurrentFutures.Orleans;

/// <summary>Settings of a <see cref="ClusterExecutor"/>: how to reach the cluster, and how work is retried and limited.</summary>
public sealed class ClusterExecutorOptions
{
    /// <summary>The Orleans cluster id the silos were started with; default <c>concurrentfutures</c>.</summary>
    public string ClusterId { get; set; } = ClusterWorkerOptions.DefaultClusterId;

    /// <summary>The Orleans service id the silos were started with; default <c>concurrentfutures</c>.</summary>
    public string ServiceId { get; set; } = ClusterWorkerOptions.DefaultServiceId;

    /// <summary>
    /// Localhost clustering (the default): the gateway ports of the silos on this machine, default <c>[30000]</c>.
    /// Ignored when <see cref="RedisConnectionString"/> is set.
    /// </summary>
    public IList<int> GatewayPorts { get; } = [];

    /// <summary>Redis clustering (production): e.g. <c>redis-host:6379</c>. One setting switches it on; silos must use the same.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>
    /// Per-call limit, the cluster's counterpart of Orleans' response timeout: a call without an answer after this long
    /// is treated as lost and re-sent (its silo may be gone; the abandoned call keeps running there until it returns);
    /// after <see cref="MaxAttempts"/> timeouts the future fails with <see cref="TimeoutException"/>. Null: no limit —
    /// lost silos are still noticed through membership.
    /// </summary>
    public TimeSpan? TaskTimeout { get; set; }

    /// <summary>How many times a call is sent before it fails (a lost silo, a lost connection, a timeout); default 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>At most this many calls in flight from this client; default: the sum over silos of cores × 2.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>How often cluster membership is read, to spread work over new silos and notice lost ones; default 1 s.</summary>
    public TimeSpan MembershipRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A silo that answers neither the executor's probes (sent every fifth of this, straight to the silo's payload port,
    /// whatever Orleans' membership says) nor its calls for this long gets no more work, and the calls it holds are
    /// re-sent to other silos without counting an attempt (they may run twice; results are delivered once). It gets work
    /// again once it answers. Default 5 s.
    /// </summary>
    public TimeSpan SiloUnresponsiveTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Work waiting while no silo is reachable for this long fails with <see cref="BrokenExecutorException"/>; default 30 s.</summary>
    public TimeSpan ClusterUnavailableTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The largest serialized call target, arguments (a Map chunk's together) or result this executor sends or accepts;
    /// default and most <see cref="Array.MaxLength"/> (about 2 GB). A larger one fails its call at once with an
    /// exception naming both sizes (at Submit for what is sent, from the silo for a result). Values above 64 KB travel
    /// beside the grain call, over a connection to the silo's payload port (see <see cref="ClusterWorkerOptions.PayloadPort"/>).
    /// </summary>
    public long MaxPayloadBytes { get; set; } = Array.MaxLength;

    /// <summary>
    /// Whether values of 256 KB and more to and from a silo on this machine (same user, same <c>/dev/shm</c>; Linux)
    /// pass through the shared memory of the silo's worker processes — the client writes a value straight into the slab
    /// the worker reads, and reads a result from the slab the worker wrote — instead of over the connection to the
    /// silo's payload port. A silo elsewhere is found out by its first large value (the file it names is not here) and
    /// gets values over the connection from then on. Default true; false sends every value over the connection, as
    /// between machines.
    /// </summary>
    public bool ShareMemoryWithLocalSilos { get; set; } = true;

    /// <summary>The executor's name in logs, metrics (<c>executor.name</c>) and spans; null leaves it unnamed.</summary>
    public string? Name { get; set; }

    /// <summary>Where the executor logs lost silos, re-sent work and failures; null (the default) logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
