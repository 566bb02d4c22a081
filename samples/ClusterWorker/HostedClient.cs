using ConcurrentFutures.Orleans;
using Microsoft.Extensions.Hosting;

namespace ConcurrentFutures.Samples.ClusterWorker;

/// <summary>The sample's client as a Generic Host service: no-op work on the cluster until the host stops.</summary>
internal sealed class HostedClient(SampleArguments arguments) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using ClusterExecutor executor = await ClusterExecutor.ConnectAsync(arguments.ExecutorOptions(), stoppingToken);
        Console.WriteLine($"client connected: process {Environment.ProcessId} (hosted)");
        long done = 0;
        try
        {
            // bufferSize paces the submissions (as Python's map, Map submits every item at once without it): a long or
            // endless source needs it, and cancelling then leaves little to cancel.
            int buffer = 1_000;
            await foreach (int _ in executor.MapAsync(SampleWork.NoOp, Enumerable.Range(0, arguments.Items), chunkSize: arguments.ChunkSize, bufferSize: buffer, cancellationToken: stoppingToken))
            {
                done++;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            Console.WriteLine($"stopping after {done:N0} results");
        }

        executor.Shutdown(wait: true, cancelFutures: true);
    }
}
