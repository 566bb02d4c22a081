using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;

namespace ConcurrentFutures.Orleans;

/// <summary>Turns an Orleans silo into a ConcurrentFutures worker: <c>siloBuilder.UseClusterWorker()</c>.</summary>
public static class ClusterWorkerSiloBuilderExtensions
{
    /// <summary>
    /// Lets this silo run work sent by a <see cref="ClusterExecutor"/>: registers the placement that puts each execution
    /// slot on the silo the executor chose. Clustering is left as the silo is configured. The application's code must
    /// be deployed on the silo: work travels as a reference to a method, not as code.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static ISiloBuilder UseClusterWorker(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddRunner(builder, new ClusterWorkerOptions());
        builder.AddPlacementDirector<SiloTargetedPlacement, SiloTargetedPlacementDirector>();
        builder.AddGrainDirectory(SlotDirectory.Name, (_, _) => new SlotDirectory()); // slots are found by their key, not looked up
        return builder;
    }

    /// <summary>
    /// As <see cref="UseClusterWorker(ISiloBuilder)"/>, and configures clustering from <paramref name="options"/>:
    /// localhost clustering on the given ports, or Redis clustering when a connection string is set.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="options">Cluster id, ports, Redis connection string.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A port is outside 1–65535.</exception>
    public static ISiloBuilder UseClusterWorker(this ISiloBuilder builder, ClusterWorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxWorkers is { } workers)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers, "options.MaxWorkers");
        }

        if (options.MaxTasksPerChild is { } quota)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quota, "options.MaxTasksPerChild");
        }

        ValidatePort(options.SiloPort, "options.SiloPort");
        ValidatePort(options.GatewayPort, "options.GatewayPort");
        ValidatePort(options.PrimarySiloPort, "options.PrimarySiloPort");
        if (options.PayloadPort != 0)
        {
            ValidatePort(options.PayloadPort, "options.PayloadPort");
        }

        if (options.Isolation == WorkIsolation.WorkerProcesses)
        {
            // Worker processes need Linux; refused here, at the call, rather than when the first call arrives.
            Platform.PlatformSupport.ThrowIfUnsupported("A silo that runs work in worker processes (WorkIsolation.WorkerProcesses, the default; set WorkIsolation.InSilo to run it in the silo's own process)");
        }
        if (options.RedisConnectionString is { Length: > 0 } redis)
        {
            builder.UseRedisClustering(redis);
            builder.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ServiceId));
            builder.ConfigureEndpoints(IPAddress.Loopback, options.SiloPort, options.GatewayPort);
        }
        else
        {
            IPEndPoint? primary = options.SiloPort == options.PrimarySiloPort ? null : new IPEndPoint(IPAddress.Loopback, options.PrimarySiloPort);
            builder.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primary, options.ServiceId, options.ClusterId);
        }

        if (options.FastFailureDetection)
        {
            builder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            });
        }

        AddRunner(builder, options); // before the plain overload's defaults: the first registration wins
        return builder.UseClusterWorker();
    }

    /// <summary>The silo's runner of work (its worker processes), disposed with the silo's services.</summary>
    private static void AddRunner(ISiloBuilder builder, ClusterWorkerOptions options)
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SiloWorkRunnerStart>());
        builder.Services.TryAddSingleton(services => new SiloPayloadServer(services.GetRequiredService<global::Orleans.Runtime.ILocalSiloDetails>(), options));
        builder.Services.TryAddSingleton(services =>
        {
            var runner = new SiloWorkRunner(options, services.GetRequiredService<SiloPayloadServer>(), services.GetService<ILoggerFactory>());
            if (services.GetService<IHostApplicationLifetime>() is { } lifetime)
            {
                // Graceful stop (SIGTERM, host shutdown): the silo keeps its place in the cluster while what it holds
                // finishes, within the host's shutdown timeout less a margin for Orleans' own stop.
                TimeSpan shutdown = services.GetService<Microsoft.Extensions.Options.IOptions<HostOptions>>()?.Value.ShutdownTimeout ?? TimeSpan.FromSeconds(30);
                TimeSpan drain = shutdown > TimeSpan.FromSeconds(10) ? shutdown - TimeSpan.FromSeconds(5) : shutdown / 2;
                lifetime.ApplicationStopping.Register(() => runner.Drain(drain));
            }

            return runner;
        });
    }

    private static void ValidatePort(int port, string name)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(name, port, "A port must be between 1 and 65535.");
        }
    }
}
