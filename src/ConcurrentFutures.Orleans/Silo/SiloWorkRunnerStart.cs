using Microsoft.Extensions.Hosting;

namespace ConcurrentFutures.Orleans;

/// <summary>Creates the silo's <see cref="SiloWorkRunner"/> as its host starts (prestarting workers), not at the first call.</summary>
internal sealed class SiloWorkRunnerStart(SiloWorkRunner runner) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        runner.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask; // the drain runs at ApplicationStopping
}
