using Orleans.Runtime;

namespace ConcurrentFutures.Orleans;

/// <summary>Places a string-keyed grain on the silo named before the <c>#</c> in its key (see <see cref="SiloTargetedPlacementDirector"/>).</summary>
internal sealed class SiloTargetedPlacement : PlacementStrategy
{
}
