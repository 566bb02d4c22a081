using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace ConcurrentFutures.Processes;

/// <summary>
/// A relayed call's large result left in its worker's slab until it is passed on, read through the slab's file in
/// chunks and never mapped here: a silo sends it to its client with no copy of the value in the silo's own memory.
/// The open file keeps the bytes even if the worker dies and its files are deleted meanwhile. <see cref="Return"/>
/// frees the slab for the worker's next result (until then the worker writes its results elsewhere).
/// </summary>
internal sealed class SlabResult : RelayedPayload
{
    private const int Chunk = 1024 * 1024;

    private SafeFileHandle? _file;

    private SlabResult(SafeFileHandle file, long length) => (_file, Length) = (file, length);

    public override long Length { get; }

    /// <summary>Opens the slab a worker wrote a result into; throws <see cref="IOException"/> or <see cref="InvalidDataException"/> if it cannot be read.</summary>
    public static SlabResult Open(string path)
    {
        SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        try
        {
            return new SlabResult(file, PayloadSlab.ReadLength(file));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public override byte[] ToArray()
    {
        byte[] bytes = GC.AllocateUninitializedArray<byte>(checked((int)Length));
        for (int done = 0; done < bytes.Length;)
        {
            int read = RandomAccess.Read(Handle, bytes.AsSpan(done), PayloadSlab.HeaderSize + done);
            done += read > 0 ? read : throw new EndOfStreamException("A shared-memory payload file ended early.");
        }

        return bytes;
    }

    public override async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            for (long done = 0; done < Length;)
            {
                int read = await RandomAccess.ReadAsync(Handle, buffer.AsMemory(0, (int)Math.Min(Chunk, Length - done)), PayloadSlab.HeaderSize + done, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException("A shared-memory payload file ended early.");
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                done += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override void Return()
    {
        if (Interlocked.Exchange(ref _file, null) is not { } file)
        {
            return;
        }

        try
        {
            PayloadSlab.Release(file);
        }
        catch (IOException)
        {
            // The worker is gone (its slab with it): nothing to give back.
        }
        finally
        {
            file.Dispose();
        }
    }

    private SafeFileHandle Handle => _file ?? throw new ObjectDisposedException(nameof(SlabResult));
}
