using ConcurrentFutures.Remote;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Configuration;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// The <see cref="Executor"/> contract on a Microsoft Orleans cluster: work runs on silos started with
/// <see cref="ClusterWorkerSiloBuilderExtensions.UseClusterWorker(ISiloBuilder)"/>, spread over all of them.
/// Same sending rules as <see cref="ProcessPoolExecutor"/>; the application's code must be deployed on every silo.
/// </summary>
/// <remarks>
/// Orleans delivers a call at most once and does not retry; this executor does: work held by a silo that leaves the
/// cluster (or whose call is lost or times out) is re-sent to another silo, up to
/// <see cref="ClusterExecutorOptions.MaxAttempts"/>, then fails with <see cref="BrokenExecutorException"/>. Work may
/// therefore run twice; results still arrive once, in input order for Map.
/// </remarks>
public sealed class ClusterExecutor : Executor
{
    private readonly ClusterDispatcher _dispatcher;

    /// <summary>The client's TaskTimeout, sent with each call so the silo kills a worker still running it then.</summary>
    private readonly TimeSpan? _taskTimeout;

    private readonly long _maxPayloadBytes;

    /// <summary>Runs work through an Orleans client the caller owns (and disposes after this executor).</summary>
    /// <param name="client">
    /// A started client of a cluster whose silos use <c>UseClusterWorker()</c>; built with
    /// <see cref="ClusterExecutorClientBuilderExtensions.UseClusterExecutor"/>, its calls also steer clear of a gateway
    /// silo found silent.
    /// </param>
    /// <param name="options">Retry, timeout and concurrency settings; the connection settings are not used.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count or time in <paramref name="options"/> is zero or negative.</exception>
    public ClusterExecutor(IClusterClient client, ClusterExecutorOptions? options = null)
        : this(client, options ?? new ClusterExecutorOptions(), ownedHost: null)
    {
    }

    private ClusterExecutor(IClusterClient client, ClusterExecutorOptions options, IHost? ownedHost)
        : base("cluster", options.Name)
    {
        ArgumentNullException.ThrowIfNull(client);
        Validate(options);
        _taskTimeout = options.TaskTimeout;
        _maxPayloadBytes = options.MaxPayloadBytes;
        ILogger logger = options.LoggerFactory?.CreateLogger<ClusterExecutor>() ?? NullLogger<ClusterExecutor>.Instance;
        _dispatcher = new ClusterDispatcher(client, options, logger, async () =>
        {
            if (ownedHost is not null)
            {
                await ownedHost.StopAsync().ConfigureAwait(false);
                ownedHost.Dispose();
            }
        });
        Telemetry.Track(() => _dispatcher.SiloCount, () => _dispatcher.PendingCount);
    }

    /// <summary>How many silos the executor currently sends work to (tests wait for a cluster to be fully known).</summary>
    internal int SiloCount => _dispatcher.SiloCount;

    /// <summary>Bytes of large values this executor passed through the shared memory of silos on this machine (diagnostics for tests).</summary>
    internal long SharedMemoryBytes => _dispatcher.SharedMemoryBytes;

    /// <summary>
    /// Connects to a cluster (localhost clustering on <see cref="ClusterExecutorOptions.GatewayPorts"/>, or Redis
    /// clustering) and returns an executor that owns the connection and closes it when shut down.
    /// </summary>
    /// <param name="options">Cluster id, gateways or Redis, and the executor's settings.</param>
    /// <param name="cancellationToken">Stops connecting.</param>
    /// <returns>The connected executor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count, port or time in <paramref name="options"/> is invalid.</exception>
    public static async Task<ClusterExecutor> ConnectAsync(ClusterExecutorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IHostLifetime, ClientHostLifetime>(); // SIGTERM and Ctrl+C stay the app's
        if (options.LoggerFactory is { } loggerFactory)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        builder.UseOrleansClient(client =>
        {
            if (options.RedisConnectionString is { Length: > 0 } redis)
            {
                client.UseRedisClustering(redis);
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ServiceId));
            }
            else
            {
                client.UseLocalhostClustering(options.GatewayPorts.Count > 0 ? [.. options.GatewayPorts] : [30000], options.ServiceId, options.ClusterId);
            }

            client.UseClusterExecutor(); // calls steer clear of a gateway found silent
        });
        IHost host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return new ClusterExecutor(host.Services.GetRequiredService<IClusterClient>(), options, host);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    internal override void Schedule(WorkItem workItem)
    {
        var target = new PayloadBuffer();
        var arguments = new PayloadBuffer();
        FunctionReference function = CallEncoder.Encode(workItem, target, arguments);
        CheckSize(function, target, "target (the lambda's captured variables)");
        CheckSize(function, arguments, workItem is IChunkArguments ? "arguments of one Map chunk" : "arguments");
        bool largeTarget = target.Length > PayloadProtocol.InlineLimit, largeArguments = arguments.Length > PayloadProtocol.InlineLimit;
        var request = new WorkRequest
        {
            Definition = function.Definition,
            Target = largeTarget ? [] : Inline(target),
            Arguments = largeArguments ? [] : Inline(arguments),
            IsChunk = workItem is IChunkArguments,
            TraceParent = workItem.Observation?.TraceParent,
            Description = function.Describe(),
            Timeout = _taskTimeout,
            MaxPayloadBytes = _maxPayloadBytes,
        };
        _dispatcher.Submit(new ClusterTask(workItem, request, largeTarget ? target : null, largeArguments ? arguments : null));
    }

    /// <summary>A payload small enough to travel inside the grain call, as its own array (its pooled buffer given back).</summary>
    private static byte[] Inline(PayloadBuffer payload)
    {
        byte[] bytes = payload.ToArray();
        payload.Release();
        return bytes;
    }

    /// <summary>Refuses, at the call, a payload above MaxPayloadBytes: nothing is sent, nothing waits.</summary>
    private void CheckSize(FunctionReference function, PayloadBuffer payload, string what)
    {
        if (payload.Length > _maxPayloadBytes)
        {
            throw FunctionReference.NotSendable(
                $"The {what} of {function.Describe()} are {payload.Length:N0} bytes serialized, above the executor's MaxPayloadBytes of {_maxPayloadBytes:N0}; send less (or a reference to the data, such as a path), or raise ClusterExecutorOptions.MaxPayloadBytes (at most {Array.MaxLength:N0}).",
                what.StartsWith("target", StringComparison.Ordinal) ? "fn" : "args");
        }
    }

    /// <inheritdoc/>
    internal override void ShutdownCore(bool wait, bool cancelFutures) => _dispatcher.Shutdown(wait, cancelFutures);

    /// <inheritdoc/>
    internal override Task WhenTerminatedAsync() => _dispatcher.Terminated;

    private static void Validate(ClusterExecutorOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxAttempts, "options.MaxAttempts");
        if (options.MaxConcurrency is { } concurrency)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(concurrency, "options.MaxConcurrency");
        }

        if (options.TaskTimeout is { } timeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, "options.TaskTimeout");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxPayloadBytes, "options.MaxPayloadBytes");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxPayloadBytes, Array.MaxLength, "options.MaxPayloadBytes");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MembershipRefreshInterval, TimeSpan.Zero, "options.MembershipRefreshInterval");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.SiloUnresponsiveTimeout, TimeSpan.FromMilliseconds(100), "options.SiloUnresponsiveTimeout");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ClusterUnavailableTimeout, TimeSpan.Zero, "options.ClusterUnavailableTimeout");
        foreach (int port in options.GatewayPorts)
        {
            if (port is < 1 or > 65535)
            {
                throw new ArgumentOutOfRangeException("options.GatewayPorts", port, "A gateway port must be between 1 and 65535.");
            }
        }
    }
}
