using System.Buffers;
using System.Net.Sockets;

namespace ConcurrentFutures.Processes;

/// <summary>
/// A payload held in an array rented from <see cref="LargeArrayPool"/>: large values passing through (a silo relaying a
/// cluster call, a client fetching a large result) are copied into reused memory whose pages are already there.
/// Whoever ends up holding it calls <see cref="Return"/> once; one never returned is simply collected.
/// </summary>
internal sealed class PooledPayload : RelayedPayload
{
    private byte[]? _array;

    private readonly int _length;

    private PooledPayload(byte[] array, int length) => (_array, _length) = (array, length);

    /// <summary>Bytes in the payload.</summary>
    public override long Length => _length;

    /// <summary>The payload's bytes; throws once returned.</summary>
    public Memory<byte> Memory => (_array ?? throw new ObjectDisposedException(nameof(PooledPayload))).AsMemory(0, _length);

    /// <summary>A payload of <paramref name="length"/> bytes to be filled (by a socket read, for example).</summary>
    public static PooledPayload Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new PooledPayload(LargeArrayPool.Rent(length), length);
    }

    /// <summary>A copy of <paramref name="bytes"/>.</summary>
    public static PooledPayload CopyOf(ReadOnlySequence<byte> bytes)
    {
        if (bytes.Length > Array.MaxLength)
        {
            throw new InvalidDataException($"A payload of {bytes.Length:N0} bytes does not fit in one array.");
        }

        PooledPayload payload = Rent((int)bytes.Length);
        bytes.CopyTo(payload.Memory.Span);
        return payload;
    }

    /// <inheritdoc/>
    public override byte[] ToArray() => Memory.ToArray();

    /// <inheritdoc/>
    public override Task SendAsync(Socket socket, CancellationToken cancellationToken) => socket.SendAsync(Memory, SocketFlags.None, cancellationToken).AsTask();

    /// <summary>Gives the array back to the pool; later calls do nothing.</summary>
    public override void Return()
    {
        if (Interlocked.Exchange(ref _array, null) is { } array)
        {
            LargeArrayPool.Return(array);
        }
    }
}
