using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace ConcurrentFutures.Processes;

/// <summary>Writing a slab through its file rather than a mapping, so the payload's pages are not counted in this process's memory.</summary>
internal static class SlabFile
{
    private const int Chunk = 1024 * 1024;

    /// <summary>
    /// Fills the claimed <paramref name="slab"/> with <paramref name="length"/> bytes read from <paramref name="source"/>
    /// (a silo receiving a client's large arguments straight into the slab its worker reads), then declares them.
    /// </summary>
    public static async Task FillAsync(PayloadSlab slab, Stream source, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, slab.Capacity);
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(length, 1, Chunk));
        try
        {
            using SafeFileHandle file = File.OpenHandle(slab.Path, FileMode.Open, FileAccess.Write);
            for (long done = 0; done < length;)
            {
                int count = (int)Math.Min(buffer.Length, length - done);
                await source.ReadExactlyAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
                await RandomAccess.WriteAsync(file, buffer.AsMemory(0, count), PayloadSlab.HeaderSize + done, cancellationToken).ConfigureAwait(false);
                done += count;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        slab.SetLength(length);
    }
}
