using System.Buffers;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ConcurrentFutures.Processes;

/// <summary>
/// One reusable shared-memory file for large payloads, mapped for as long as its owner or a reader keeps it. A
/// 64-byte header holds whether the slab is in use (the writer claims it, whoever is done with the payload frees it)
/// and the payload's length; the payload follows. Reusing the same pages is what makes large transfers fast: a fresh
/// file's pages must be allocated and faulted in on both sides every time, which costs more than the copy itself.
/// </summary>
internal sealed unsafe class PayloadSlab : IDisposable
{
    /// <summary>Bytes before the payload: the state word (offset 0), the payload length (offset 8) and a token (offset 16).</summary>
    public const int HeaderSize = 64;

    /// <summary>
    /// Where a slab's header keeps the token a silo writes before it names the slab to a client (the client reads the
    /// token back to know the file it opened is that slab: the same machine, the same shared memory).
    /// </summary>
    public const int TokenOffset = 16;

    /// <summary>Bytes in the token.</summary>
    public const int TokenLength = 32;

    private const int Free = 0;
    private const int InUse = 1;

    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly Lock _lock = new();
    private byte* _base;

    private PayloadSlab(string path, MemoryMappedFile map, long size)
    {
        Path = path;
        _map = map;
        _view = map.CreateViewAccessor(0, size, MemoryMappedFileAccess.ReadWrite);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
        _base += _view.PointerOffset;
        Capacity = size - HeaderSize;
    }

    public string Path { get; }

    /// <summary>How many payload bytes fit.</summary>
    public long Capacity { get; }

    /// <summary>When this process last used the slab: its owner claimed it, or a reader read it (for eviction).</summary>
    public long LastUsed { get; set; }

    /// <summary>Creates a new 0600 slab file with room for <paramref name="capacity"/> bytes and maps it.</summary>
    public static PayloadSlab Create(string path, long capacity)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var file = new FileStream(path, options);
        try
        {
            file.SetLength(HeaderSize + capacity);
            var map = MemoryMappedFile.CreateFromFile(file, mapName: null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            return new PayloadSlab(path, map, HeaderSize + capacity);
        }
        catch
        {
            file.Dispose();
            SharedMemoryTransport.Delete(path);
            throw;
        }
    }

    /// <summary>Maps an existing slab written by another process.</summary>
    public static PayloadSlab Open(string path)
    {
        long size = new FileInfo(path).Length;
        if (size < HeaderSize)
        {
            throw new InvalidDataException($"Shared-memory payload file {path} is too short ({size} bytes).");
        }

        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, 0, MemoryMappedFileAccess.ReadWrite);
        try
        {
            return new PayloadSlab(path, map, size);
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    /// <summary>Whether no payload is in the slab (nobody claimed it, or its reader is done).</summary>
    public bool IsFree
    {
        get
        {
            lock (_lock)
            {
                return _base != null && Volatile.Read(ref *(int*)_base) == Free;
            }
        }
    }

    /// <summary>Claims the slab for a new payload if nobody uses it; only its owner process calls this.</summary>
    public bool TryClaim()
    {
        lock (_lock)
        {
            return _base != null && Interlocked.CompareExchange(ref *(int*)_base, InUse, Free) == Free;
        }
    }

    /// <summary>Copies <paramref name="payload"/> in (the slab must be claimed and large enough).</summary>
    public void Write(ReadOnlySpan<byte> payload)
    {
        lock (_lock) // Dispose (the pool shutting down) waits for the copy instead of unmapping under it
        {
            ObjectDisposedException.ThrowIf(_base == null, this);
            payload.CopyTo(new Span<byte>(_base + HeaderSize, payload.Length));
            Volatile.Write(ref *(long*)(_base + 8), payload.Length);
        }
    }

    /// <summary>
    /// Keeps the slab's mapping in this process until the returned pin is disposed, even if the slab is disposed
    /// meanwhile (a pool shut down while a call's arguments are written into it): memory from <see cref="Room"/> stays
    /// valid while pinned. Null once disposed.
    /// </summary>
    public IDisposable? TryPin()
    {
        lock (_lock)
        {
            if (_base == null)
            {
                return null;
            }

            SafeHandle view = _view.SafeMemoryMappedViewHandle;
            bool added = false;
            view.DangerousAddRef(ref added);
            return added ? new MappingPin(view) : null;
        }
    }

    /// <summary>
    /// The slab's room from <paramref name="offset"/> on, to write a payload in place: only for the process that
    /// claimed the slab, holding a <see cref="TryPin"/> pin while it writes; throws once the slab is disposed.
    /// </summary>
    public Memory<byte> Room(long offset)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_base == null, this);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Capacity);
            return new UnmanagedMemory(_base + HeaderSize + offset, (int)Math.Min(Capacity - offset, int.MaxValue)).Memory;
        }
    }

    /// <summary>Declares the payload written through the slab's file (<see cref="SlabFile.FillAsync"/>) or in place (<see cref="Room"/>) complete.</summary>
    public void SetLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Capacity);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_base == null, this);
            Volatile.Write(ref *(long*)(_base + 8), length);
        }
    }

    /// <summary>
    /// Lets <paramref name="read"/> consume the payload in place. The length comes from the header, checked against
    /// the mapping, so a damaged or hostile header cannot make anyone read outside it.
    /// </summary>
    public T Read<T>(Func<ReadOnlySequence<byte>, T> read)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_base == null, this);
            long length = Volatile.Read(ref *(long*)(_base + 8));
            if (length < 0 || length > Capacity || length > int.MaxValue)
            {
                throw new InvalidDataException($"Shared-memory payload file {Path} declares {length} bytes; it holds at most {Capacity}.");
            }

            using var memory = new UnmanagedMemory(_base + HeaderSize, (int)length);
            return read(new ReadOnlySequence<byte>(memory.Memory));
        }
    }

    /// <summary>The payload length a slab's header declares, read through the slab's file (not mapped here), checked against the file.</summary>
    public static long ReadLength(SafeFileHandle file)
    {
        Span<byte> header = stackalloc byte[16];
        if (RandomAccess.Read(file, header, 0) < header.Length)
        {
            throw new InvalidDataException("A shared-memory payload file is too short for its header.");
        }

        long length = BitConverter.ToInt64(header[8..]);
        long room = RandomAccess.GetLength(file) - HeaderSize;
        return length >= 0 && length <= room && length <= Array.MaxLength
            ? length
            : throw new InvalidDataException($"A shared-memory payload file declares {length} bytes; it holds at most {room}.");
    }

    /// <summary>
    /// Marks the payload consumed through the slab's file, for a process that holds the file but not a mapping of it.
    /// The state word goes from in use (1) to free (0): only its lowest byte changes, so its owner, reading it through
    /// its mapping of the same pages, sees one or the other, never a mix.
    /// </summary>
    public static void Release(SafeFileHandle file) => RandomAccess.Write(file, [0, 0, 0, 0], 0);

    /// <summary>Marks the payload consumed, so the owner may reuse the slab. Harmless once disposed.</summary>
    public void Release()
    {
        lock (_lock)
        {
            if (_base != null)
            {
                Volatile.Write(ref *(int*)_base, Free);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_base == null)
            {
                return;
            }

            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _base = null;
        }

        _view.Dispose(); // unmapped now, or when the last pin goes
        _map.Dispose();
    }

    /// <summary>A reference on the view's handle: the mapping is not unmapped before it is released.</summary>
    private sealed class MappingPin(SafeHandle view) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                view.DangerousRelease();
            }
        }
    }
}
