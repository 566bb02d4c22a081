using Orleans.Placement;

namespace ConcurrentFutures.Orleans;

/// <summary>Marks a grain class for <see cref="SiloTargetedPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class SiloTargetedPlacementAttribute : PlacementAttribute
{
    public SiloTargetedPlacementAttribute()
        : base(new SiloTargetedPlacement())
    {
    }
}
