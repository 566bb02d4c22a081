using Microsoft.Extensions.Hosting;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// A ready-made silo host for a machine that runs ConcurrentFutures work: a Generic Host with an Orleans silo
/// configured by <see cref="ClusterWorkerOptions"/>. Stop it with Ctrl+C or SIGTERM.
/// </summary>
public static class ClusterWorker
{
    /// <summary>Creates the host builder of a worker silo; add your own services before building it.</summary>
    /// <param name="options">Cluster id, ports and clustering.</param>
    /// <param name="args">Command-line arguments for the host's configuration, or null.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static HostApplicationBuilder CreateBuilder(ClusterWorkerOptions options, string[]? args = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(args ?? []);
        builder.UseOrleans(silo => silo.UseClusterWorker(options));
        return builder;
    }
}
