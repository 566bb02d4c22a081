using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// Activates a slot grain on the silo its key names, so work spreads over the cluster exactly as the client assigns
/// it (a stateless worker would run on whichever gateway received the call). If that silo is gone or not compatible,
/// any compatible silo is used: the client re-sends such work elsewhere anyway.
/// </summary>
internal sealed class SiloTargetedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        SiloAddress[] silos = context.GetCompatibleSilos(target);
        string key = target.GrainIdentity.Key.ToString();
        int separator = key.LastIndexOf('#');
        if (separator > 0)
        {
            string wanted = key[..separator];
            foreach (SiloAddress silo in silos)
            {
                if (silo.ToParsableString() == wanted)
                {
                    return Task.FromResult(silo);
                }
            }
        }

        return Task.FromResult(silos[Random.Shared.Next(silos.Length)]);
    }
}
