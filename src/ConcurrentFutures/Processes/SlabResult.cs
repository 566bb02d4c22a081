using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace ConcurrentFutures.Processes;

/// <summary>
/// A relayed call's large result left in its worker's slab until it is passed on, sent or read through the slab's file
/// and never mapped here: a silo sends it to its client with no copy of the value in the silo's own memory.
/// The open file keeps the bytes even if the worker dies and its files are deleted meanwhile. <see cref="Return"/>
/// frees the slab for the worker's next result (until then the worker writes its results elsewhere).
/// </summary>
internal sealed class SlabResult : RelayedPayload
{
    private SafeFileHandle? _file;

    private SlabResult(SafeFileHandle file, string path, long length) => (_file, Path, Length) = (file, path, length);

    public override long Length { get; }

    /// <summary>The slab's file (a client on the same machine may read the result from there).</summary>
    public string Path { get; }

    /// <summary>Opens the slab a worker wrote a result into; throws <see cref="IOException"/> or <see cref="InvalidDataException"/> if it cannot be read.</summary>
    public static SlabResult Open(string path)
    {
        SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, options: FileOptions.Asynchronous); // as SendAsync needs (Linux: a flag, no other effect)
        try
        {
            return new SlabResult(file, path, PayloadSlab.ReadLength(file));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public override byte[] ToArray()
    {
        byte[] bytes = Platform.NativeMethods.NewLargeArray(checked((int)Length));
        for (int done = 0; done < bytes.Length;)
        {
            int read = RandomAccess.Read(Handle, bytes.AsSpan(done), PayloadSlab.HeaderSize + done);
            done += read > 0 ? read : throw new EndOfStreamException("A shared-memory payload file ended early.");
        }

        return bytes;
    }

    /// <summary>
    /// Sends the result with <c>sendfile</c> from the slab's file: the kernel hands the file's pages to the socket, so
    /// the bytes are neither read into this process nor copied on the way out of it.
    /// </summary>
    public override async Task SendAsync(Socket socket, CancellationToken cancellationToken)
    {
        if (Length == 0)
        {
            return; // (a count of 0 would mean "to the end of the file")
        }

        // Not disposed: that would close the handle, which Return closes (a FileStream's finalizer leaves it open).
        var file = new FileStream(Handle, FileAccess.Read, bufferSize: 0, isAsync: true);
        using var send = new SocketAsyncEventArgs { SendPacketsElements = [new SendPacketsElement(file, PayloadSlab.HeaderSize, checked((int)Length), endOfPacket: true)] };
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        send.Completed += (_, e) => Complete(e, sent);
        using CancellationTokenRegistration stop = cancellationToken.Register(static s => ((Socket)s!).Dispose(), socket); // ends the send
        if (!socket.SendPacketsAsync(send))
        {
            Complete(send, sent);
        }

        await sent.Task.ConfigureAwait(false);

        static void Complete(SocketAsyncEventArgs send, TaskCompletionSource sent)
        {
            if (send.SocketError == SocketError.Success)
            {
                sent.TrySetResult();
            }
            else
            {
                sent.TrySetException(new SocketException((int)send.SocketError));
            }
        }
    }

    /// <summary>Writes <paramref name="token"/> into the slab's header, for a reader on the same machine to check it has the right file.</summary>
    public void WriteToken(ReadOnlySpan<byte> token) => SlabFile.WriteToken(Handle, token);

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
