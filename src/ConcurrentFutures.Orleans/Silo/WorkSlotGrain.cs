using System.Collections.Concurrent;
using Orleans.Concurrency;
using Orleans.GrainDirectory;
using Orleans.Runtime;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// One execution slot on a silo: hands each call to the silo's <see cref="SiloWorkRunner"/> (its worker processes by
/// default) and sends back the results, the exception, or that the worker running it died.
/// </summary>
[SiloTargetedPlacement, GrainDirectory(GrainDirectoryName = SlotDirectory.Name)]
internal sealed class WorkSlotGrain(ILocalSiloDetails silo, SiloWorkRunner runner, SiloPayloadServer payloads) : Grain, IWorkSlotGrain
{
    /// <summary>Calls run per silo in this process (diagnostics for tests: in-process test clusters share it).</summary>
    internal static ConcurrentDictionary<SiloAddress, int> CallsBySilo { get; } = new();

    private static int s_running;
    private static int s_peak;

    /// <summary>The most calls running at once on the silos of this process since <see cref="ResetPeak"/> (diagnostics for tests).</summary>
    internal static int PeakRunning => Volatile.Read(ref s_peak);

    internal static void ResetPeak() => Interlocked.Exchange(ref s_peak, 0);

    public Task<SiloInfo> GetSiloInfo() => Task.FromResult(new SiloInfo { ProcessorCount = Environment.ProcessorCount, Payloads = payloads.Endpoint, Gateway = silo.GatewayAddress });

    public async Task<WorkResponse> Run(WorkRequest request, CancellationToken cancellationToken)
    {
        CallsBySilo.AddOrUpdate(silo.SiloAddress, 1, static (_, count) => count + 1);
        int now = Interlocked.Increment(ref s_running);
        int peak;
        while (now > (peak = Volatile.Read(ref s_peak)) && Interlocked.CompareExchange(ref s_peak, now, peak) != peak)
        {
        }

        payloads.Calls.Started(request.CallId);
        try
        {
            return await runner.RunAsync(request, silo.SiloAddress, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        finally
        {
            payloads.Calls.Answered(request.CallId);
            Interlocked.Decrement(ref s_running);
        }
    }
}
