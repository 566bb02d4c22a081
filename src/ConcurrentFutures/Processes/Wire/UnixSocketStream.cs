using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace ConcurrentFutures.Processes.Wire;

/// <summary>
/// A worker's connection to its pool: a Unix domain socket opened with three libc calls and read and written with
/// <c>read</c>/<c>write</c>. A worker needs nothing else of System.Net.Sockets, whose first use costs 25–30 ms in a
/// fresh process — a sixth of a new worker's start. One thread may read while another writes. Where this is not
/// available (not Linux), <see cref="Connect"/> returns a <see cref="NetworkStream"/> over a <see cref="Socket"/>.
/// </summary>
internal sealed partial class UnixSocketStream : Stream
{
    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const int SockCloexec = 0x80000;
    private const int ShutWr = 1;
    private const int ShutRdwr = 2;
    private const int Eintr = 4;
    private const int SunPathOffset = 2;
    private const int SunPathLength = 108;

    private int _fd;

    private UnixSocketStream(int fd) => _fd = fd;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Connects to the Unix domain socket at <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The connection failed.</exception>
    public static Stream Connect(string path)
    {
        if (!OperatingSystem.IsLinux() || AddressOf(path) is not { } address)
        {
            return ConnectWithSocket(path);
        }

        int fd = NewSocket();
        if (ConnectSocket(fd, address, address.Length) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            _ = Close(fd);
            throw new IOException($"Could not connect to {path}: errno {errno}.");
        }

        return new UnixSocketStream(fd);
    }

    /// <summary>
    /// Both ends of one connection made through a socket listening at <paramref name="path"/>, with libc calls as
    /// <see cref="Connect"/>'s (the connecting end comes from <see cref="Connect"/> itself); the listening socket is
    /// closed before this returns (a name in a folder is the caller's to remove; one that begins with a NUL byte is in
    /// Linux's abstract namespace, and goes with the socket). A standby worker's rehearsal of the way in
    /// is the one user: a <see cref="Socket"/> there loaded System.Net.Sockets, its telemetry, and with its event
    /// source's name ICU (~5 MB of a worker that never needs them, and more to tear down when it ends). Linux only.
    /// </summary>
    /// <exception cref="IOException">A socket call failed, or <paramref name="path"/> is too long for a socket's name.</exception>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static (Stream Connecting, UnixSocketStream Accepted) ConnectedPair(string path)
    {
        byte[] address = AddressOf(path) ?? throw new IOException($"The socket path is too long: {path}.");
        int listener = NewSocket();
        try
        {
            if (Bind(listener, address, address.Length) != 0 || Listen(listener, 1) != 0)
            {
                throw new IOException($"Could not listen at {path}: errno {Marshal.GetLastPInvokeError()}.");
            }

            Stream connecting = Connect(path);
            int accepted;
            do
            {
                accepted = Accept(listener, 0, 0, SockCloexec);
            }
            while (accepted < 0 && Marshal.GetLastPInvokeError() == Eintr);

            if (accepted < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                connecting.Dispose();
                throw new IOException($"accept() at {path} failed: errno {errno}.");
            }

            return (connecting, new UnixSocketStream(accepted));
        }
        finally
        {
            _ = Close(listener);
        }
    }

    /// <summary>Ends this side's sending: the peer reads the end of the stream, and may still send.</summary>
    public void ShutdownSend() => _ = Shutdown(Fd, ShutWr);

    /// <summary>A <c>sockaddr_un</c> naming <paramref name="path"/>; null when the name is too long for one.</summary>
    private static byte[]? AddressOf(string path)
    {
        if (Encoding.UTF8.GetByteCount(path) >= SunPathLength)
        {
            return null;
        }

        byte[] address = new byte[SunPathOffset + SunPathLength];
        BitConverter.TryWriteBytes(address, (ushort)AfUnix);
        Encoding.UTF8.GetBytes(path, address.AsSpan(SunPathOffset));
        return address;
    }

    private static int NewSocket()
    {
        int fd = CreateSocket(AfUnix, SockStream | SockCloexec, 0);
        return fd >= 0 ? fd : throw new IOException($"socket() failed: errno {Marshal.GetLastPInvokeError()}.");
    }

    /// <summary>The portable way, in its own method so that the Linux path never compiles code that uses sockets.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static NetworkStream ConnectWithSocket(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override unsafe int Read(Span<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            while (true)
            {
                nint read = ReadFd(Fd, pointer, (nuint)buffer.Length);
                if (read >= 0)
                {
                    return (int)read;
                }

                ThrowUnlessInterrupted("read");
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            int done = 0;
            while (done < buffer.Length)
            {
                nint written = WriteFd(Fd, pointer + done, (nuint)(buffer.Length - done));
                if (written >= 0)
                {
                    done += (int)written;
                    continue;
                }

                ThrowUnlessInterrupted("write");
            }
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Ends both directions (a read blocked in another thread returns 0), then closes the socket.</summary>
    protected override void Dispose(bool disposing)
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = Shutdown(fd, ShutRdwr);
            _ = Close(fd);
        }

        base.Dispose(disposing);
    }

    private int Fd
    {
        get
        {
            int fd = Volatile.Read(ref _fd);
            ObjectDisposedException.ThrowIf(fd < 0, this);
            return fd;
        }
    }

    private static void ThrowUnlessInterrupted(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        if (errno != Eintr)
        {
            throw new IOException($"{call}() on the pool connection failed: errno {errno}.");
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for something to read (or for the peer to close the connection, or an
    /// error, which a read then reports); false when nothing came in that time.
    /// </summary>
    public unsafe bool WaitReadable(TimeSpan timeout)
    {
        const short Readable = 0x1; // POLLIN
        const int Interrupted = 4; // EINTR
        int fd = Volatile.Read(ref _fd);
        ObjectDisposedException.ThrowIf(fd < 0, this);
        var watched = new PollFd { Fd = fd, Events = Readable };
        int result;
        do
        {
            result = Poll(&watched, 1, (int)Math.Ceiling(timeout.TotalMilliseconds));
        }
        while (result < 0 && Marshal.GetLastPInvokeError() == Interrupted);

        return result != 0; // an error too: the read that follows reports it
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int CreateSocket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    private static partial int ConnectSocket(int fd, byte[] address, int length);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int Bind(int fd, byte[] address, int length);

    [LibraryImport("libc", EntryPoint = "listen", SetLastError = true)]
    private static partial int Listen(int fd, int backlog);

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    private static partial int Accept(int fd, nint address, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadFd(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteFd(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    private static partial int Shutdown(int fd, int how);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
