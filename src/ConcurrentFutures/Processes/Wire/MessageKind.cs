namespace ConcurrentFutures.Processes.Wire;

/// <summary>The first element of every frame's MessagePack array. The layout of each message is documented here.</summary>
internal enum MessageKind
{
    /// <summary>Worker → parent, first frame: <c>[Hello, token: bin, slot: int, pid: int]</c>.</summary>
    Hello = 1,

    /// <summary>Parent → worker: <c>[Define, functionId: int, definition: bin]</c>, before the first call of that function.</summary>
    Define = 2,

    /// <summary>
    /// Parent → worker: <c>[Run, taskId: long, functionId: int, target, arguments: array, traceParent: string or nil]</c>;
    /// the arguments may instead be a shared-memory reference (extension 77: a file of its own, 78: a slab).
    /// </summary>
    Run = 3,

    /// <summary>Parent → worker: <c>[RunChunk, taskId: long, functionId: int, target, items: array of argument arrays, traceParent: string or nil]</c>.</summary>
    RunChunk = 4,

    /// <summary>Parent → worker: <c>[Initialize, functionId: int, target, arguments: array]</c>, once, before any work.</summary>
    Initialize = 5,

    /// <summary>Parent → worker: <c>[Stop]</c>: finish what was sent, then exit.</summary>
    Stop = 6,

    /// <summary>Worker → parent: <c>[Result, taskId: long, ok: bool, value or exception, runMicroseconds: long, workingSetBytes: long]</c>.</summary>
    Result = 10,

    /// <summary>Worker → parent: <c>[Initialized, ok: bool, exception or nil]</c>.</summary>
    Initialized = 11,
}
