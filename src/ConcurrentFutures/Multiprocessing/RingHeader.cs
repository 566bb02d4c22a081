using System.Runtime.InteropServices;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// The first page of a queue's shared-memory file: sizes, the lock, the committed ring positions, a one-entry redo
/// journal, and the futex words that sleeping processes wait on. Every process maps the same bytes; fields that
/// change are written only under <see cref="LockHolder"/> or with atomic instructions.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct RingHeader
{
    public const int Size = 4096;
    public const int MagicValue = 0x31514643; // "CFQ1"

    [FieldOffset(0)]
    public int Magic;

    /// <summary>Maximum items held; 0 = unbounded.</summary>
    [FieldOffset(4)]
    public int MaxSize;

    /// <summary>Bytes in the ring that follows this header (a multiple of 8).</summary>
    [FieldOffset(8)]
    public long Capacity;

    /// <summary>1 for a joinable queue: Put counts an unfinished task.</summary>
    [FieldOffset(16)]
    public int Joinable;

    /// <summary>1 once the creator closed the queue.</summary>
    [FieldOffset(20)]
    public int Closed;

    // Pipes: which process uses each end (0 = not yet), and whether that end was closed.
    [FieldOffset(24)]
    public int WriterPid;

    [FieldOffset(28)]
    public int ReaderPid;

    [FieldOffset(32)]
    public int WriterClosed;

    [FieldOffset(36)]
    public int ReaderClosed;

    /// <summary>The pid of the process holding the lock, 0 when free.</summary>
    [FieldOffset(64)]
    public int LockHolder;

    // Committed state: what the queue holds. Head and Tail only grow; a record starts at Head % Capacity.
    [FieldOffset(128)]
    public long Head;

    [FieldOffset(136)]
    public long Tail;

    [FieldOffset(144)]
    public int Count;

    [FieldOffset(148)]
    public int Unfinished;

    // The journal: the next committed state, written in full before it is applied, so a holder that dies halfway
    // through a commit leaves either the old state or a journal the next holder applies.
    [FieldOffset(192)]
    public int JournalValid;

    [FieldOffset(200)]
    public long JournalHead;

    [FieldOffset(208)]
    public long JournalTail;

    [FieldOffset(216)]
    public int JournalCount;

    [FieldOffset(220)]
    public int JournalUnfinished;

    /// <summary>Incremented after every Put; consumers sleep on it.</summary>
    [FieldOffset(256)]
    public int ItemsSeq;

    [FieldOffset(260)]
    public int ItemsWaiters;

    /// <summary>Incremented after every Get; producers of a full queue sleep on it.</summary>
    [FieldOffset(320)]
    public int SpaceSeq;

    [FieldOffset(324)]
    public int SpaceWaiters;

    /// <summary>Incremented when the unfinished count reaches zero; Join sleeps on it.</summary>
    [FieldOffset(384)]
    public int DoneSeq;

    [FieldOffset(388)]
    public int DoneWaiters;
}
