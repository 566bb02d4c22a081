using System.Runtime.CompilerServices;
using System.Runtime.Versioning;
using ConcurrentFutures.Platform;
using MessagePack;
using MessagePack.Formatters;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// A fixed-length array of an unmanaged type in shared memory, visible to every process it is passed to.
/// Python: <c>multiprocessing.Array</c> (without its lock: combine it with a <see cref="ProcessLock"/>, or use
/// <see cref="System.Threading.Interlocked"/> on its elements). The creating process removes the block on dispose.
/// </summary>
/// <typeparam name="T">An unmanaged element type (int, long, double, a struct of those…).</typeparam>
[MessagePackFormatter(typeof(SharedArrayFormatter<>))]
[SupportedOSPlatform("linux")]
public sealed unsafe class SharedArray<T> : IDisposable
    where T : unmanaged
{
    private readonly SharedMemory _memory;
    private readonly bool _owner;

    /// <summary>Creates a zero-filled shared array.</summary>
    /// <param name="length">Number of elements.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is not positive.</exception>
    public SharedArray(int length)
    {
        PlatformSupport.ThrowIfUnsupported(nameof(SharedArray<T>));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        _memory = new SharedMemory(StaleFiles.NewName(), create: true, size: (long)length * sizeof(T));
        _owner = true;
        Length = length;
    }

    private SharedArray(SharedMemory memory, int length) => (_memory, Length) = (memory, length);

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>The elements.</summary>
    public Span<T> Span => new(_memory.Pointer, Length);

    /// <summary>The name of the underlying block.</summary>
    internal string Name => _memory.Name;

    /// <summary>A reference to element <paramref name="index"/>, usable with Interlocked across processes.</summary>
    /// <param name="index">The element index.</param>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    public ref T this[int index] => ref Span[index];

    /// <summary>Unmaps the array here; the creating process also removes the block.</summary>
    public void Dispose()
    {
        if (_owner)
        {
            _memory.Unlink();
        }

        _memory.Dispose();
    }

    internal static SharedArray<T> Open(string name, int length) => new(new SharedMemory(name, create: false), length);
}

/// <summary>A shared array crosses processes as its block name and length.</summary>
[SupportedOSPlatform("linux")]
internal sealed class SharedArrayFormatter<T> : IMessagePackFormatter<SharedArray<T>?>
    where T : unmanaged
{
    public void Serialize(ref MessagePackWriter writer, SharedArray<T>? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(2);
        writer.Write(value.Name);
        writer.Write(value.Length);
    }

    public SharedArray<T>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        reader.ReadArrayHeader();
        return SharedArray<T>.Open(reader.ReadString()!, reader.ReadInt32());
    }
}
