using System.Buffers;
using System.Diagnostics;

namespace ConcurrentFutures.Processes;

/// <summary>
/// The slabs of another process this process reads from, kept mapped so their pages are not faulted in again for
/// each payload. Used by one thread at a time (a worker's main loop; the pool's read loop for one worker). Only files
/// under <see cref="_prefix"/> are opened, so a peer cannot make this process map anything else.
/// </summary>
internal sealed class SlabMappings : IDisposable
{
    /// <summary>Mappings kept at most; the least recently used goes first.</summary>
    private const int MaxMappings = 4;

    /// <summary>
    /// A slab larger than this is unmapped after each read, or (<see cref="_keepLargeUntilDropped"/>) when
    /// <see cref="DropLarge"/> is called: its owner deletes it once idle, and a mapping kept here would hold its memory
    /// for as long as this process lives.
    /// </summary>
    private const long LargestKeptMapping = 64L * 1024 * 1024;

    private readonly string _prefix;
    private readonly bool _keepLargeUntilDropped;
    private readonly Dictionary<string, PayloadSlab> _mapped = new(StringComparer.Ordinal);

    /// <param name="prefix">The files this process may map.</param>
    /// <param name="keepLargeUntilDropped">
    /// Keep slabs above <see cref="LargestKeptMapping"/> mapped until <see cref="DropLarge"/> (a worker: when it goes
    /// idle), instead of unmapping each after its read: a new mapping's pages are faulted in again on first touch, which
    /// for a 300 MB argument read on every call cost more than the copy on this VM.
    /// </param>
    public SlabMappings(string prefix, bool keepLargeUntilDropped = false) => (_prefix, _keepLargeUntilDropped) = (prefix, keepLargeUntilDropped);

    /// <summary>Unmaps the slabs above <see cref="LargestKeptMapping"/> (their owner can then give their memory back).</summary>
    public void DropLarge() => UnmapWhere(s => s.Capacity > LargestKeptMapping);

    /// <summary>
    /// Unmaps the slabs whose owner has deleted them (to make room under its cap, or idle): their memory goes back to
    /// the system only once no process maps them, and no payload comes through a deleted slab again. Checked whenever a
    /// new slab is mapped — the moment an owner that deleted one for room sends a payload through another.
    /// </summary>
    private void DropDeleted() => UnmapWhere(s => !File.Exists(s.Path));

    private void UnmapWhere(Func<PayloadSlab, bool> which)
    {
        foreach (PayloadSlab slab in _mapped.Values.Where(which).ToList())
        {
            Unmap(slab);
        }
    }

    private void Unmap(PayloadSlab slab)
    {
        _mapped.Remove(slab.Path);
        slab.Dispose();
    }

    /// <summary>Bytes of the slabs mapped now.</summary>
    public long MappedBytes => _mapped.Values.Sum(s => s.Capacity + PayloadSlab.HeaderSize);

    /// <summary>
    /// Lets <paramref name="read"/> consume the payload in slab <paramref name="path"/> in place; then, if
    /// <paramref name="release"/>, frees the slab for its owner to reuse (also when <paramref name="read"/> throws).
    /// </summary>
    public T Read<T>(string path, bool release, Func<ReadOnlySequence<byte>, T> read)
    {
        PayloadSlab slab = Map(path);
        try
        {
            return slab.Read(read);
        }
        finally
        {
            if (release)
            {
                slab.Release();
            }

            if (slab.Capacity > LargestKeptMapping && !_keepLargeUntilDropped)
            {
                Unmap(slab);
            }
        }
    }

    public void Dispose()
    {
        foreach (PayloadSlab slab in _mapped.Values)
        {
            slab.Dispose();
        }

        _mapped.Clear();
    }

    private PayloadSlab Map(string path)
    {
        if (!path.StartsWith(_prefix, StringComparison.Ordinal) || path.Contains("..", StringComparison.Ordinal))
        {
            throw new InvalidDataException("A shared-memory payload reference points outside the pool's files.");
        }

        if (!_mapped.TryGetValue(path, out PayloadSlab? slab))
        {
            DropDeleted();
            if (_mapped.Count >= MaxMappings)
            {
                Unmap(_mapped.Values.MinBy(s => s.LastUsed)!);
            }

            slab = PayloadSlab.Open(path);
            _mapped.Add(path, slab);
        }

        slab.LastUsed = Stopwatch.GetTimestamp();
        return slab;
    }
}
