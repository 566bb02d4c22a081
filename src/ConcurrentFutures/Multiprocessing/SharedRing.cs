using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using ConcurrentFutures.Platform;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>Reads a record's payload in place (see <see cref="SharedRing.TryTake{T}"/>); false leaves it to the usual copy.</summary>
internal delegate bool DirectRead<T>(ReadOnlySpan<byte> payload, out T value);

/// <summary>
/// The storage of a <see cref="ProcessQueue{T}"/>: a file in /dev/shm that every process using the queue maps, holding
/// a <see cref="RingHeader"/> and a ring of records (8-byte header: length and kind, then the payload, padded to 8).
/// A Put or Get is a few memory copies under a lock in that memory, no system call unless someone sleeps. Records
/// become visible only when the new positions are committed, so a process that dies mid-Put adds nothing and one that
/// dies mid-Get takes nothing. A large record (<see cref="CopyOutsideTheLockFrom"/>) is copied in after the lock is
/// let go: its room is committed marked as being written by its producer, then marked ready; consumers wait for it,
/// and drop it if its producer died meanwhile — so that process still adds nothing.
/// </summary>
internal sealed unsafe partial class SharedRing : IDisposable
{
    /// <summary>Ring bytes of a new queue: an item up to half of it goes inline, larger ones through their own file.</summary>
    public const long DefaultCapacity = 4 * 1024 * 1024;

    public const int InlineKind = 0;
    public const int FileKind = 1;
    private const int PaddingKind = 2;

    /// <summary>
    /// From this payload size a Put copies the record in after letting go of the lock: it reserves the room and marks
    /// the record as being written (its kind is then minus its process id), copies, and marks it ready. Consumers wait
    /// for a record being written; one whose producer died is dropped (the item was never put).
    /// </summary>
    public const int CopyOutsideTheLockFrom = 64 * 1024;

    /// <summary>Not stored: what <see cref="TryTake{T}"/> reports for a record its direct reader read.</summary>
    public const int ReadKind = -1;
    private const int RecordHeader = 8;

    private static readonly int s_pid = Environment.ProcessId;

    private readonly MemoryMappedViewAccessor _view;
    private readonly RingHeader* _header;
    private readonly byte* _ring;
    private int _disposed;

    /// <summary>The position of the record being written that this process's consumers last found at the head, and since when.</summary>
    private long _waitingRecord = -1;
    private long _waitingSince;

    private SharedRing(string path, MemoryMappedViewAccessor view, bool isOwner)
    {
        Path = path;
        IsOwner = isOwner;
        _view = view;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _header = (RingHeader*)(pointer + view.PointerOffset);
        _ring = (byte*)_header + RingHeader.Size;
        ItemsWatcher = new SeqWatcher(this, &_header->ItemsSeq, &_header->ItemsWaiters);
        SpaceWatcher = new SeqWatcher(this, &_header->SpaceSeq, &_header->SpaceWaiters);
        DoneWatcher = new SeqWatcher(this, &_header->DoneSeq, &_header->DoneWaiters);
    }

    public string Path { get; }

    public bool IsOwner { get; }

    public RingHeader* Header => _header;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The largest payload stored inline; larger ones go through a file.</summary>
    public long MaxInline => (Capacity / 2) - RecordHeader;

    /// <summary>Bytes in the ring (fixed when the queue was created).</summary>
    public long Capacity { get; private set; }

    /// <summary>Maximum items held, 0 = unbounded (fixed when the queue was created).</summary>
    public int MaxSize { get; private set; }

    /// <summary>True for a joinable queue (fixed when the queue was created).</summary>
    public bool Joinable { get; private set; }

    public SeqWatcher ItemsWatcher { get; }

    public SeqWatcher SpaceWatcher { get; }

    /// <summary>Watches a joinable queue's count of items marked done.</summary>
    public SeqWatcher DoneWatcher { get; }

    /// <summary>Creates the file (0600, in /dev/shm) and its header.</summary>
    public static SharedRing Create(string path, int maxSize, bool joinable, long capacity = DefaultCapacity)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(path, options);
        file.SetLength(RingHeader.Size + capacity);
        var ring = new SharedRing(path, Map(file), isOwner: true);
        RingHeader* header = ring._header;
        header->MaxSize = maxSize;
        header->Capacity = capacity;
        header->Joinable = joinable ? 1 : 0;
        Volatile.Write(ref header->Magic, RingHeader.MagicValue);
        ring.ReadSettings();
        return ring;
    }

    /// <summary>Maps an existing queue file.</summary>
    /// <exception cref="InvalidOperationException">The file is gone (the queue or pipe was closed, or its creator exited) or is not a ring.</exception>
    public static SharedRing Open(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (FileNotFoundException)
        {
            throw new InvalidOperationException($"The queue or pipe {path} no longer exists: it was closed, both ends of the pipe are already in use, or the process that created it exited.");
        }

        using (file)
        {
            var ring = new SharedRing(path, Map(file), isOwner: false);
            if (file.Length < RingHeader.Size || Volatile.Read(ref ring._header->Magic) != RingHeader.MagicValue
                || ring._header->Capacity != file.Length - RingHeader.Size)
            {
                ring.Dispose();
                throw new InvalidOperationException($"{path} is not a queue or pipe.");
            }

            ring.ReadSettings();
            return ring;
        }
    }

    /// <summary>Adds a record if the queue has room (item count and bytes); wakes sleeping consumers.</summary>
    /// <exception cref="InvalidOperationException">The queue was closed.</exception>
    public bool TryPut(ReadOnlySpan<byte> payload, int kind) => TryPut(payload, [], kind);

    /// <summary>Adds a record whose payload is <paramref name="head"/> followed by <paramref name="body"/>; as <see cref="TryPut(ReadOnlySpan{byte}, int)"/>.</summary>
    /// <exception cref="InvalidOperationException">The queue was closed.</exception>
    public bool TryPut(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, int kind)
    {
        int length = head.Length + body.Length;
        bool copyAfter = kind == InlineKind && length >= CopyOutsideTheLockFrom;
        long position;
        using var use = Use();
        if (!Lock(Deadline.Never))
        {
            return false;
        }

        try
        {
            RingHeader* h = _header;
            ThrowIfClosed();
            if (h->MaxSize > 0 && h->Count >= h->MaxSize)
            {
                return false;
            }

            long capacity = h->Capacity;
            long size = Align(RecordHeader + length);
            position = h->Tail % capacity;
            long padding = capacity - position < size ? capacity - position : 0;
            if (padding + size > capacity - (h->Tail - h->Head))
            {
                return false;
            }

            if (padding > 0)
            {
                WriteRecordHeader(position, (int)(padding - RecordHeader), PaddingKind);
                position = 0;
            }

            WriteRecordHeader(position, length, copyAfter ? -s_pid : kind);
            if (!copyAfter)
            {
                CopyPayload(position, head, body);
            }

            Commit(h->Head, h->Tail + padding + size, h->Count + 1, h->Unfinished + h->Joinable);
        }
        finally
        {
            Unlock();
        }

        if (copyAfter)
        {
            // The record's room is this process's alone now: copied without holding up the others, then marked ready.
            CopyPayload(position, head, body);
            Volatile.Write(ref *(int*)(_ring + position + 4), kind);
        }

        Signal(&_header->ItemsSeq, &_header->ItemsWaiters);
        return true;
    }

    /// <summary>
    /// Removes the oldest record, if any, copying its payload into <paramref name="buffer"/> (grown when too small);
    /// wakes producers waiting for room. An inline record that <paramref name="direct"/> accepts is read by it straight
    /// out of the shared memory, under the lock, into <paramref name="value"/> instead (<paramref name="kind"/> is then
    /// <see cref="ReadKind"/>, <paramref name="buffer"/> untouched). For readers that are one bulk copy: other calls on
    /// the ring wait meanwhile.
    /// </summary>
    /// <exception cref="InvalidOperationException">The queue was closed.</exception>
    public bool TryTake<T>(ref byte[] buffer, out int length, out int kind, DirectRead<T>? direct, out T value)
    {
        using var use = Use();
        length = 0;
        kind = InlineKind;
        value = default!;
        bool dropped = false;
        if (!Lock(Deadline.Never))
        {
            return false;
        }

        try
        {
            RingHeader* h = _header;
            ThrowIfClosed();
            long capacity = h->Capacity;
            long position;
            long skipped;
            while (true)
            {
                if (h->Count == 0)
                {
                    return false;
                }

                position = h->Head % capacity;
                skipped = 0;
                (length, kind) = ReadRecordHeader(position);
                if (kind == PaddingKind)
                {
                    skipped = capacity - position;
                    position = 0;
                    (length, kind) = ReadRecordHeader(position);
                }

                if (length < 0 || length > capacity - RecordHeader - position || kind is not (InlineKind or FileKind) && kind >= 0 || kind == int.MinValue)
                {
                    throw new InvalidDataException($"The queue {Path} is corrupt (record of {length} bytes, kind {kind}).");
                }

                if (kind >= 0)
                {
                    break;
                }

                if (!WriterDied(h->Head, -kind))
                {
                    length = 0;
                    kind = InlineKind;
                    return false; // its producer is still copying it in: not there yet (it signals when it is)
                }

                // Its producer died while copying it in: the item was never put.
                Commit(h->Head + skipped + Align(RecordHeader + length), h->Tail, h->Count - 1, h->Unfinished - h->Joinable);
                dropped = true;
            }

            var payload = new ReadOnlySpan<byte>(_ring + position + RecordHeader, length);
            if (kind == InlineKind && direct is not null && direct(payload, out value))
            {
                kind = ReadKind;
            }
            else
            {
                if (buffer.Length < length)
                {
                    buffer = GC.AllocateUninitializedArray<byte>(Math.Max(length, buffer.Length * 2));
                }

                payload.CopyTo(buffer);
            }

            Commit(h->Head + skipped + Align(RecordHeader + length), h->Tail, h->Count - 1, h->Unfinished);
        }
        finally
        {
            Unlock();
            if (dropped)
            {
                Signal(&_header->SpaceSeq, &_header->SpaceWaiters);
            }
        }

        Signal(&_header->SpaceSeq, &_header->SpaceWaiters);
        return true;
    }

    /// <summary>
    /// Whether the process writing the record at <paramref name="head"/> died: looked at only once the record has
    /// been seen waiting for <see cref="s_holderCheckTicks"/> (a copy takes far less), so a consumer does not read
    /// /proc while it holds the lock for every record it waits for.
    /// </summary>
    private bool WriterDied(long head, int pid)
    {
        long now = Stopwatch.GetTimestamp();
        if (_waitingRecord != head)
        {
            _waitingRecord = head;
            _waitingSince = now;
            return false;
        }

        return now - _waitingSince >= s_holderCheckTicks && !NativeMethods.IsRunning(pid);
    }

    /// <summary>
    /// The payload length of the oldest record if it is inline, read without the lock (it may be gone or changed by
    /// the time the caller takes the lock: a hint, e.g. to allocate outside the lock what the record will be read into); else -1.
    /// </summary>
    public int PeekInlineLength()
    {
        using var use = Use();
        RingHeader* h = _header;
        long capacity = Capacity;
        if (Volatile.Read(ref h->Count) == 0)
        {
            return -1;
        }

        long position = Volatile.Read(ref h->Head) % capacity;
        (int length, int kind) = ReadRecordHeader(position);
        if (kind == PaddingKind)
        {
            (length, kind) = ReadRecordHeader(0);
        }

        return kind == InlineKind && length >= 0 && length <= MaxInline ? length : -1;
    }

    /// <summary>Marks one task done (joinable queues); wakes Join when none is left.</summary>
    /// <exception cref="InvalidOperationException">More calls than items put.</exception>
    public void TaskDone()
    {
        using var use = Use();
        bool allDone;
        Lock(Deadline.Never);
        try
        {
            RingHeader* h = _header;
            if (h->Unfinished <= 0)
            {
                throw new InvalidOperationException("TaskDone was called more times than items were put.");
            }

            Commit(h->Head, h->Tail, h->Count, h->Unfinished - 1);
            allDone = h->Unfinished == 0;
        }
        finally
        {
            Unlock();
        }

        if (allDone)
        {
            Signal(&_header->DoneSeq, &_header->DoneWaiters);
        }
    }

    /// <summary>Creator only: marks the queue closed and wakes every sleeper in every process.</summary>
    public void Close()
    {
        using var use = Use();
        Volatile.Write(ref _header->Closed, 1);
        WakeEveryone();
    }

    /// <summary>Unmaps the file in this process once no call still uses it; wakes this process's sleepers.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        WakeEveryone(); // sleepers of this process see the ring disposed and let go of it (a spurious wake elsewhere)
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
    }

    private void ReadSettings()
    {
        Capacity = _header->Capacity;
        MaxSize = _header->MaxSize;
        Joinable = _header->Joinable != 0;
    }

    private static MemoryMappedViewAccessor Map(FileStream file)
    {
        using var map = MemoryMappedFile.CreateFromFile(file, mapName: null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
        return map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.ReadWrite);
    }

    private static long Align(long size) => (size + 7) & ~7L;

    public static void Signal(int* seq, int* waiters, bool always = false)
    {
        Interlocked.Increment(ref *seq);
        if (always || Volatile.Read(ref *waiters) > 0)
        {
            Futex.WakeAll(seq);
        }
    }

    /// <summary>Wakes every sleeper of every process, whatever it waits for; each looks again at the ring.</summary>
    private void WakeEveryone()
    {
        Signal(&_header->ItemsSeq, &_header->ItemsWaiters, always: true);
        Signal(&_header->SpaceSeq, &_header->SpaceWaiters, always: true);
        Signal(&_header->DoneSeq, &_header->DoneWaiters, always: true);
    }

    public void ThrowIfClosed()
    {
        if (Volatile.Read(ref _header->Closed) != 0)
        {
            throw new InvalidOperationException("The queue was closed by the process that created it.");
        }
    }

    private void WriteRecordHeader(long position, int length, int kind)
    {
        *(int*)(_ring + position) = length;
        *(int*)(_ring + position + 4) = kind;
    }

    /// <summary>The kind is read first, with acquire semantics: a record marked ready outside the lock is whole once it is seen ready.</summary>
    private (int Length, int Kind) ReadRecordHeader(long position)
    {
        int kind = Volatile.Read(ref *(int*)(_ring + position + 4));
        return (*(int*)(_ring + position), kind);
    }

    private void CopyPayload(long position, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        SharedMemoryCopy.Copy(head, _ring + position + RecordHeader);
        SharedMemoryCopy.Copy(body, _ring + position + RecordHeader + head.Length);
    }
}
