using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConcurrentFutures.Hosting;

/// <summary>
/// Registers executors in a service collection. An unnamed executor is a singleton of its own type and of
/// <see cref="Executor"/>; a named one is a keyed singleton (<c>[FromKeyedServices("name")]</c>) of both. Each is
/// created on first use with the container's <see cref="ILoggerFactory"/> and shut down gracefully when the host stops.
/// </summary>
public static class ExecutorServiceCollectionExtensions
{
    /// <summary>Adds a <see cref="ThreadPoolExecutor"/>; <paramref name="name"/> null registers the unnamed one.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The key of a named executor (also its <c>executor.name</c> in metrics), or null.</param>
    /// <param name="configure">Sets its options; runs after configuration binding.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static IServiceCollection AddThreadPoolExecutor(this IServiceCollection services, string? name = null, Action<ThreadPoolExecutorOptions>? configure = null)
    {
        Register(services, name, configure, static options => new ThreadPoolExecutor(options), static (o, name) => o.Name ??= name, static (o, logging) => o.LoggerFactory ??= logging);
        return services;
    }

    /// <summary>Adds a <see cref="ThreadPoolExecutor"/> whose options are bound to <paramref name="configuration"/> (e.g. <c>MaxWorkers</c>, <c>ThreadNamePrefix</c>).</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The key of a named executor, or null.</param>
    /// <param name="configuration">The configuration section holding the options.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static IServiceCollection AddThreadPoolExecutor(this IServiceCollection services, string? name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddThreadPoolExecutor(name);
        services.AddOptions<ThreadPoolExecutorOptions>(OptionsName(name)).Bind(configuration);
        return services;
    }

    /// <summary>Adds a <see cref="ProcessPoolExecutor"/>; <paramref name="name"/> null registers the unnamed one.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The key of a named executor (also its <c>executor.name</c> in metrics), or null.</param>
    /// <param name="configure">Sets its options; runs after configuration binding.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static IServiceCollection AddProcessPoolExecutor(this IServiceCollection services, string? name = null, Action<ProcessPoolOptions>? configure = null)
    {
        Register(services, name, configure, static options => new ProcessPoolExecutor(options), static (o, name) => o.Name ??= name, static (o, logging) => o.LoggerFactory ??= logging);
        return services;
    }

    /// <summary>
    /// Adds a <see cref="ProcessPoolExecutor"/> whose options are bound to <paramref name="configuration"/>
    /// (<c>MaxWorkers</c>, <c>MaxTasksPerChild</c>, <c>TaskTimeout</c> as <c>"00:00:30"</c>, <c>IdleWorkerTimeout</c>,
    /// <c>MaxWorkerMemoryBytes</c>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The key of a named executor, or null.</param>
    /// <param name="configuration">The configuration section holding the options.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static IServiceCollection AddProcessPoolExecutor(this IServiceCollection services, string? name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddProcessPoolExecutor(name);
        services.AddOptions<ProcessPoolOptions>(OptionsName(name)).Bind(configuration);
        return services;
    }

    private static string OptionsName(string? name) => name ?? Options.DefaultName;

    private static void Register<TExecutor, TOptions>(
        IServiceCollection services,
        string? name,
        Action<TOptions>? configure,
        Func<TOptions, TExecutor> create,
        Action<TOptions, string> setName,
        Action<TOptions, ILoggerFactory?> setLogging)
        where TExecutor : Executor
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        if (name is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
        }

        services.AddOptions();
        services.TryAddSingleton<HostedExecutors>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ExecutorShutdownService>());

        OptionsBuilder<TOptions> options = services.AddOptions<TOptions>(OptionsName(name));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.PostConfigure<IServiceProvider>((o, provider) =>
        {
            if (name is not null)
            {
                setName(o, name);
            }

            setLogging(o, provider.GetService<ILoggerFactory>());
        });

        TExecutor Create(IServiceProvider provider)
        {
            TExecutor executor = create(provider.GetRequiredService<IOptionsMonitor<TOptions>>().Get(OptionsName(name)));
            provider.GetRequiredService<HostedExecutors>().Add(name ?? string.Empty, executor);
            return executor;
        }

        if (name is null)
        {
            services.TryAddSingleton(Create);
            services.TryAddSingleton<Executor>(static provider => provider.GetRequiredService<TExecutor>());
        }
        else
        {
            services.TryAddKeyedSingleton(name, (provider, _) => Create(provider));
            services.TryAddKeyedSingleton<Executor>(name, static (provider, key) => provider.GetRequiredKeyedService<TExecutor>(key));
        }
    }
}
