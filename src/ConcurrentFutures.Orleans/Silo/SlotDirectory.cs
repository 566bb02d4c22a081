using Orleans.GrainDirectory;
using Orleans.Runtime;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// The grain directory of slot grains: none. Where a slot lives follows from its key (<see cref="SiloTargetedPlacement"/>),
/// so a silo finds it without asking anyone. Orleans' own directory is spread over the silos; a lookup in its part on a
/// silo that went silent answers nobody, and held calls to healthy silos for Orleans' placement timeout (30 s).
/// </summary>
internal sealed class SlotDirectory : IGrainDirectory
{
    public const string Name = "concurrentfutures-slots";

    public Task<GrainAddress?> Register(GrainAddress address) => Task.FromResult<GrainAddress?>(address);

    public Task<GrainAddress?> Register(GrainAddress address, GrainAddress? previousAddress) => Task.FromResult<GrainAddress?>(address);

    public Task Unregister(GrainAddress address) => Task.CompletedTask;

    public Task<GrainAddress?> Lookup(GrainId grainId) => Task.FromResult<GrainAddress?>(null); // placement knows

    public Task UnregisterSilos(List<SiloAddress> siloAddresses) => Task.CompletedTask;
}
