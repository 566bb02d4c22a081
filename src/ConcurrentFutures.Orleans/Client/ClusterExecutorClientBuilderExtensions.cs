using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Messaging;

namespace ConcurrentFutures.Orleans;

/// <summary>Prepares an Orleans client you build yourself for <see cref="ClusterExecutor"/>: <c>clientBuilder.UseClusterExecutor()</c>.</summary>
public static class ClusterExecutorClientBuilderExtensions
{
    /// <summary>
    /// Lets executors on this client steer its calls away from a gateway silo they find silent (frozen, cut off): the
    /// client re-reads its gateway list every second, and the list leaves such silos out until they answer again.
    /// Without it, calls the client routes through a silent gateway wait until it answers or its connection breaks.
    /// <see cref="ClusterExecutor.ConnectAsync"/> does this itself. Call it after configuring clustering.
    /// </summary>
    /// <param name="builder">The client builder, with its clustering configured.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No clustering (gateway list) is configured yet.</exception>
    public static IClientBuilder UseClusterExecutor(this IClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        ServiceDescriptor? inner = services.LastOrDefault(d => d.ServiceType == typeof(IGatewayListProvider) && !d.IsKeyedService);
        if (inner is null)
        {
            throw new InvalidOperationException("UseClusterExecutor() found no clustering on this client builder: configure clustering first (UseLocalhostClustering, UseRedisClustering, …), then call UseClusterExecutor().");
        }

        if (services.Any(d => d.ServiceType == typeof(GatewaySteering)))
        {
            return builder; // once is enough
        }

        services.Remove(inner);
        services.AddSingleton<GatewaySteering>();
        services.AddSingleton<IGatewayListProvider>(provider => new SteeredGatewayListProvider(Create(provider, inner), provider.GetRequiredService<GatewaySteering>()));
        builder.Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
        return builder;
    }

    private static IGatewayListProvider Create(IServiceProvider provider, ServiceDescriptor descriptor) =>
        (IGatewayListProvider)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));
}
