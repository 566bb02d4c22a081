using System.Buffers;

namespace ConcurrentFutures.Processes;

/// <summary>
/// Exposes a range of mapped memory as <see cref="Memory{T}"/> for the duration of one read; whoever created it keeps
/// the mapping alive until then.
/// </summary>
internal sealed unsafe class UnmanagedMemory(byte* pointer, int length) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => new(pointer, length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
