using System.Buffers;

namespace ConcurrentFutures.Processes;

/// <summary>
/// Where a large payload is serialized once, where its reader finds it: into a scratch buffer, until the serializer
/// asks for room for one large piece (a byte array or a string of at least <see cref="SharedMemoryTransport.Threshold"/>
/// bytes, written whole); from then on straight into a slab, instead of into the scratch buffer and then copied into a
/// slab. Should the slab fill up (more large pieces follow), what it holds moves back to the scratch buffer and the
/// rest goes there, as before. A worker writes its results this way, a pool its calls' arguments. Not thread-safe: one
/// writer at a time.
/// </summary>
internal sealed class SlabWriter(PooledBufferWriter scratch, PayloadSlabs slabs) : IBufferWriter<byte>
{
    private PayloadSlab? _slab;
    private IDisposable? _pin;
    private int _slabWritten;

    /// <summary>Where large payloads go.</summary>
    public PayloadSlabs Slabs => slabs;

    /// <summary>Bytes written since the last <see cref="Reset"/>.</summary>
    public int WrittenCount => _slab is null ? scratch.WrittenCount : _slabWritten;

    /// <summary>The slab holding what was written, if it went to one (then its length is declared; the caller owns it); else null, and it is in the scratch buffer.</summary>
    public PayloadSlab? Finish()
    {
        PayloadSlab? slab = _slab;
        slab?.SetLength(_slabWritten);
        Leave();
        return slab;
    }

    /// <summary>Starts the next payload: what was written is dropped, a slab still held is freed.</summary>
    public void Reset()
    {
        scratch.Reset();
        _slab?.Release();
        Leave();
    }

    public void Advance(int count)
    {
        if (_slab is null)
        {
            scratch.Advance(count);
            return;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _slab.Capacity - _slabWritten);
        _slabWritten += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Room(sizeHint) ? _slab!.Room(_slabWritten) : scratch.GetMemory(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => Room(sizeHint) ? _slab!.Room(_slabWritten).Span : scratch.GetSpan(sizeHint);

    /// <summary>Whether the next <paramref name="sizeHint"/> bytes go into a slab (moving there, or back, as needed).</summary>
    private bool Room(int sizeHint)
    {
        long needed = Math.Max(sizeHint, 1);
        if (_slab is not null)
        {
            if (_slab.Capacity - _slabWritten >= needed)
            {
                return true;
            }

            // Full: what it holds goes back to the scratch buffer, and the rest follows there.
            _slab.Room(0).Span[.._slabWritten].CopyTo(scratch.GetSpan(_slabWritten));
            scratch.Advance(_slabWritten);
            _slab.Release();
            Leave();
            return false;
        }

        if (sizeHint < SharedMemoryTransport.Threshold || scratch.WrittenCount + needed > Array.MaxLength
            || slabs.TryClaim(scratch.WrittenCount + needed) is not { } slab)
        {
            return false;
        }

        // Pinned while written: a pool shut down meanwhile disposes its slabs, and must not unmap this one under the
        // writer (it is unmapped once unpinned; writing on fails with ObjectDisposedException, as the pool refuses the call).
        if (slab.TryPin() is not { } pin)
        {
            slab.Release();
            return false;
        }

        _pin = pin;
        _slab = slab;
        try
        {
            // The few bytes before it (a chunk's header, earlier small results, the piece's own header) go first.
            scratch.WrittenSpan.CopyTo(slab.Room(0).Span);
        }
        catch
        {
            slab.Release();
            Leave();
            throw;
        }

        _slabWritten = scratch.WrittenCount;
        scratch.Reset();
        return true;
    }

    /// <summary>Forgets the slab (its release is the caller's) and lets its mapping go.</summary>
    private void Leave()
    {
        _pin?.Dispose();
        _pin = null;
        _slab = null;
        _slabWritten = 0;
    }
}
