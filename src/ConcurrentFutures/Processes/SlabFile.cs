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

    /// <summary>Writes <paramref name="token"/> into the header of the slab file at <paramref name="path"/> (see <see cref="PayloadSlab.TokenOffset"/>).</summary>
    public static void WriteToken(string path, ReadOnlySpan<byte> token)
    {
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
        WriteToken(file, token);
    }

    /// <summary>Writes <paramref name="token"/> into the header of an open slab file.</summary>
    public static void WriteToken(SafeFileHandle file, ReadOnlySpan<byte> token)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(token.Length, PayloadSlab.TokenLength);
        RandomAccess.Write(file, token, PayloadSlab.TokenOffset);
    }

    /// <summary>
    /// Opens the slab file another process named, if it is that slab: a <c>cf-</c> file in this machine's shared-memory
    /// directory, holding <paramref name="token"/> in its header and room for <paramref name="length"/> bytes. Null when
    /// it is not there or not the same (the naming process runs elsewhere, or its file is gone).
    /// </summary>
    public static SafeFileHandle? OpenNamed(string path, ReadOnlySpan<byte> token, long length, FileAccess access)
    {
        if (Path.GetDirectoryName(path) != SharedMemoryTransport.Directory || !Path.GetFileName(path).StartsWith("cf-", StringComparison.Ordinal))
        {
            return null;
        }

        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, access);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        try
        {
            Span<byte> found = stackalloc byte[PayloadSlab.TokenLength];
            if (RandomAccess.GetLength(file) >= PayloadSlab.HeaderSize + length
                && RandomAccess.Read(file, found, PayloadSlab.TokenOffset) == found.Length
                && found.SequenceEqual(token))
            {
                return file;
            }
        }
        catch (IOException)
        {
            // unreadable: not the slab named
        }

        file.Dispose();
        return null;
    }
}
