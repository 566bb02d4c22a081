using System.IO.MemoryMappedFiles;
using System.Runtime.Versioning;
using ConcurrentFutures.Platform;
using MessagePack;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// A named block of memory visible to every process of the machine (a file in /dev/shm, mapped). Python:
/// <c>multiprocessing.shared_memory.SharedMemory</c>. Passed to a <see cref="Process"/> or pool work, the child maps
/// the same block. <see cref="Dispose"/> unmaps it in this process; <see cref="Unlink"/> removes it for everyone.
/// </summary>
[MessagePackFormatter(typeof(NamedHandleFormatter<SharedMemory>))]
[SupportedOSPlatform("linux")]
public sealed unsafe class SharedMemory : IDisposable, INamedHandle<SharedMemory>
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _pointer;

    /// <summary>Creates a new block, or opens an existing one by name. Python: <c>SharedMemory(name, create, size)</c>.</summary>
    /// <param name="name">The block's name; null makes a random one (only with <paramref name="create"/>).</param>
    /// <param name="create">True to create a new block (fails if the name exists), false to open an existing one.</param>
    /// <param name="size">Size in bytes of a new block; ignored when opening.</param>
    /// <exception cref="ArgumentException">The name is missing or contains a path separator.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive for a new block.</exception>
    /// <exception cref="IOException">A block with that name exists (create) or does not (open).</exception>
    public SharedMemory(string? name = null, bool create = true, long size = 0)
    {
        PlatformSupport.ThrowIfUnsupported(nameof(SharedMemory));
        if (name is null && !create)
        {
            throw new ArgumentException("Opening an existing block needs its name.", nameof(name));
        }

        name ??= "psm_" + Platform.NativeMethods.RandomHex(8);
        if (name.Length == 0 || name.IndexOfAny(['/', '\\']) >= 0 || name.StartsWith('.'))
        {
            throw new ArgumentException($"'{name}' is not a valid shared memory name: use letters, digits, '_' and '-'.", nameof(name));
        }

        if (create)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        }

        Name = name;
        string path = PathOf(name);
        var options = new FileStreamOptions
        {
            Mode = create ? FileMode.CreateNew : FileMode.Open,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite,
        };
        if (create && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, options))
        {
            if (create)
            {
                file.SetLength(size);
            }

            Size = file.Length;
            _map = MemoryMappedFile.CreateFromFile(file, mapName: null, Size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
        }

        _view = _map.CreateViewAccessor(0, Size, MemoryMappedFileAccess.ReadWrite);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _pointer);
        _pointer += _view.PointerOffset;
    }

    /// <summary>The block's name, to open it elsewhere. Python: <c>name</c>.</summary>
    public string Name { get; }

    /// <summary>Size in bytes. Python: <c>size</c>.</summary>
    public long Size { get; }

    /// <summary>The block's bytes (for blocks up to 2 GB). Python: <c>buf</c>.</summary>
    /// <exception cref="ObjectDisposedException">The block was disposed in this process.</exception>
    /// <exception cref="InvalidOperationException">The block is larger than <see cref="int.MaxValue"/> bytes.</exception>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return Size <= int.MaxValue ? new Span<byte>(_pointer, (int)Size) : throw new InvalidOperationException("The block is larger than 2 GB; a Span cannot cover it.");
        }
    }

    /// <inheritdoc/>
    static SharedMemory INamedHandle<SharedMemory>.Open(string name) => new(name, create: false);

    /// <summary>The start of the mapping, for typed views (<see cref="SharedArray{T}"/>).</summary>
    internal byte* Pointer => _pointer;

    /// <summary>Removes the block's name; processes that mapped it keep their mapping until they dispose. Python: <c>unlink()</c>.</summary>
    public void Unlink()
    {
        try
        {
            File.Delete(PathOf(Name));
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Unmaps the block in this process. Python: <c>close()</c>.</summary>
    public void Dispose()
    {
        if (_pointer != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _pointer = null;
            _view.Dispose();
            _map.Dispose();
        }
    }

    private static string PathOf(string name) => Path.Combine(Processes.SharedMemoryTransport.Directory, name);
}

