namespace ConcurrentFutures.Remote;

/// <summary>
/// Compares function definitions (<see cref="FunctionReference.Definition"/> bytes) by content, so a silo can look up a
/// function it has seen before by the bytes of each call, without encoding them into a string first.
/// </summary>
internal sealed class DefinitionComparer : IEqualityComparer<byte[]>
{
    public static readonly DefinitionComparer Instance = new();

    private DefinitionComparer()
    {
    }

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}
