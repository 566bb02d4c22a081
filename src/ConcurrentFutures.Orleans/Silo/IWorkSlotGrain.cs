namespace ConcurrentFutures.Orleans;

/// <summary>
/// One execution slot on one silo: the key is <c>{silo address}#{slot}</c>, and <see cref="SiloTargetedPlacementAttribute"/>
/// activates it on that silo, so the client decides where work goes. An activation runs one call at a time.
/// </summary>
[Alias("ConcurrentFutures.IWorkSlotGrain")]
internal interface IWorkSlotGrain : IGrainWithStringKey
{
    /// <summary>
    /// Runs one call or chunk. The client enforces its own per-call timeout through the token, and finds lost silos
    /// through membership, so Orleans' default response timeout (30 s) must not cut long work short.
    /// </summary>
    [ResponseTimeout("30.00:00:00")]
    [Alias("Run")]
    Task<WorkResponse> Run(WorkRequest request, CancellationToken cancellationToken);

    /// <summary>The silo's processor count, for the default concurrency (cores × 2 per silo).</summary>
    [Alias("GetProcessorCount")]
    Task<int> GetProcessorCount();
}
