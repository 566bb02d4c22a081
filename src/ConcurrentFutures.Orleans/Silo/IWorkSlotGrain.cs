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
    /// through membership, so Orleans' default response timeout (30 s) must not cut long work short. Orleans carries a
    /// message's time to live in 32-bit milliseconds: a timeout above about 24.8 days overflows and the silo drops the
    /// call as already expired, which is why this is 20 days and not more.
    /// </summary>
    [ResponseTimeout("20.00:00:00")]
    [Alias("Run")]
    Task<WorkResponse> Run(WorkRequest request, CancellationToken cancellationToken);

    /// <summary>The silo's processor count (for the default concurrency, cores × 2 per silo) and payload port.</summary>
    [Alias("GetSiloInfo")]
    Task<SiloInfo> GetSiloInfo();
}
