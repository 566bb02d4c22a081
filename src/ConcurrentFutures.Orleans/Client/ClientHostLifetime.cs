using Microsoft.Extensions.Hosting;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// The lifetime of the Orleans client host that <see cref="ClusterExecutor.ConnectAsync"/> builds inside the user's
/// process: none of its own. The default (console) lifetime would take over SIGTERM and Ctrl+C for a host nobody waits
/// on, so the app would not exit when told to; this one leaves signals to the app (its own host, or the runtime's
/// default: exit, running <c>ProcessExit</c>). The executor stops the client host itself at shutdown.
/// </summary>
internal sealed class ClientHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
