namespace ConcurrentFutures.Processes.Wire;

/// <summary>
/// The process pool's protocol between a pool (the parent) and its worker processes, over the worker's Unix socket:
/// frames of <c>[int32 little-endian length][MessagePack body]</c> (<see cref="FrameBuffer"/>, <see cref="FrameReader"/>);
/// each body is an array whose first element is one of these kinds. The layout of each message is given here and
/// written and read only by its type in this folder (named beside each kind), used by both sides; a test writes and
/// reads each one and checks it against the layout below. A payload of any size comes last in its message, so it is
/// read in place as the rest of the frame; a large one is a <see cref="SharedReference"/> instead. A standby worker
/// gets its pool's settings another way, before it connects (<see cref="StandbyAssignment"/>).
/// </summary>
internal enum MessageKind
{
    /// <summary>Worker → parent, first frame (<see cref="HelloMessage"/>): <c>[Hello, token: bin, slot: int, pid: int]</c>.</summary>
    Hello = 1,

    /// <summary>Parent → worker (<see cref="DefineMessage"/>): <c>[Define, functionId: int, definition: bin]</c>, before the first call of that function.</summary>
    Define = 2,

    /// <summary>
    /// Parent → worker (<see cref="RunMessage"/>): <c>[Run, taskId: long, functionId: int, traceParent: string or nil, target, arguments: array or shared reference]</c>;
    /// traceParent is the W3C trace context, nil when nobody traces.
    /// </summary>
    Run = 3,

    /// <summary>Parent → worker (<see cref="RunMessage"/>): <c>[RunChunk, taskId: long, functionId: int, traceParent: string or nil, target, items: array of argument arrays or shared reference]</c>.</summary>
    RunChunk = 4,

    /// <summary>Parent → worker (<see cref="InitializeMessage"/>): <c>[Initialize, functionId: int, target, arguments: array]</c>, once, before any work.</summary>
    Initialize = 5,

    /// <summary>Parent → worker (<see cref="StopMessage"/>): <c>[Stop]</c>: finish what was sent, then exit.</summary>
    Stop = 6,

    /// <summary>Worker → parent (<see cref="ResultMessage"/>): <c>[Result, taskId: long, ok: bool, runMicroseconds: long, workingSetBytes: long, value or exception or shared reference]</c>.</summary>
    Result = 10,

    /// <summary>Worker → parent (<see cref="InitializedMessage"/>): <c>[Initialized, ok: bool, exception or nil]</c>.</summary>
    Initialized = 11,
}
