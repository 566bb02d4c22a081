using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using ConcurrentFutures.Platform;
using ConcurrentFutures.Processes.Wire;
using ConcurrentFutures.Remote;
using MessagePack;

namespace ConcurrentFutures.Processes;

/// <summary>
/// The parent side of one worker process: its process, its connection, the frames waiting to be sent, and the
/// tasks it holds. Scheduling state (<see cref="State"/>, <see cref="InFlight"/>…) is owned by the
/// <see cref="PoolManager"/>'s lock; this class only moves bytes and reports what it reads.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The semaphore holds no OS handle; the socket is disposed when the read loop ends.")]
internal sealed class WorkerHandle
{
    private readonly PoolManager _pool;

    /// <summary>Guards <see cref="_outgoing"/> and <see cref="_closed"/>; taken inside the pool lock, never the other way round.</summary>
    private readonly Lock _sendLock = new();

    /// <summary>Frames queued for the writer loop; swapped with <see cref="_sending"/> so writes batch without blocking senders.</summary>
    private FrameBuffer _outgoing = new(16 * 1024);
    private FrameBuffer _sending = new(16 * 1024);

    /// <summary>Wakes the writer thread; released once per batch of frames (<see cref="_sendSignalled"/>).</summary>
    private readonly SemaphoreSlim _sendSignal = new(0);
    private int _sendSignalled;

    /// <summary>Set when the connection ended: the writer thread stops.</summary>
    private bool _closed;

    private Socket? _socket;

    public WorkerHandle(PoolManager pool, int slot) => (_pool, Slot) = (pool, slot);

    /// <summary>Distinguishes this worker's connection from the others of the pool.</summary>
    public int Slot { get; }

    /// <summary>The worker's result slabs this process has mapped; used only by the read loop, disposed when the worker is gone.</summary>
    public SlabMappings? ResultMappings { get; set; }

    // ---- Owned by the pool lock: written under it, read under it ----

    /// <summary>The worker's process, once it exists (set under the lock when the launcher thread reports it).</summary>
    public Process? Process { get; set; }

    public int Pid { get; set; }

    /// <summary>What the worker says it is running (shared memory); null if it could not be created.</summary>
    public TaskMarker? Marker { get; set; }

    /// <summary>The marker's value at the last timer check, and since when it has had it (for TaskTimeout).</summary>
    public (long Value, long Since) LastMarker { get; set; }

    public WorkerState State { get; set; } = WorkerState.Starting;

    /// <summary>Tasks sent to this worker, oldest first; the oldest is the one running (a worker runs them in order).</summary>
    public Queue<RemoteTask> InFlight { get; } = new();

    /// <summary>How many of <see cref="InFlight"/> have <see cref="RemoteTask.LargeArguments"/>.</summary>
    public int LargeInFlight { get; set; }

    /// <summary>Function ids whose definitions this worker has received.</summary>
    public HashSet<int> KnownFunctions { get; } = [];

    /// <summary>Tasks given to this worker over its life, for MaxTasksPerChild.</summary>
    public int TasksAssigned { get; set; }

    /// <summary>When the worker last became idle (timestamp), for IdleWorkerTimeout.</summary>
    public long IdleSince { get; set; } = Stopwatch.GetTimestamp();

    /// <summary>Why the pool killed this worker on purpose (timeout, TerminateWorkers…); null for an unexpected death.</summary>
    public Exception? KilledBecause { get; set; }

    /// <summary>Set once Stop was sent; the worker exits after what it holds.</summary>
    public bool StopSent { get; set; }

    /// <summary>The task that exceeded TaskTimeout, when that is why the worker was killed.</summary>
    public RemoteTask? TimedOutTask { get; set; }

    // ---- I/O ----

    /// <summary>Takes over an authenticated connection and starts its writer thread (the caller's thread goes on to <see cref="ReadLoop"/>).</summary>
    public void Attach(Socket socket)
    {
        _socket = socket;
        new Thread(WriteLoop) { IsBackground = true, Name = "cf-pool-writer" }.Start();
    }

    public void SendDefine(FunctionReference function) => Send(new DefineMessage(function.Id, function.Definition));

    public void SendRun(RemoteTask task) =>
        Send(new RunMessage(task.Id, task.Function.Id, task.IsChunk, task.TraceParent ?? task.Item.Observation?.TraceParent, task.Target, task.Arguments));

    public void SendInitialize(FunctionReference function, byte[] target, byte[] arguments) => Send(new InitializeMessage(function.Id, target, arguments));

    public void SendStop() => Send(new StopMessage());

    /// <summary>Sends a signal to the process (SIGTERM or SIGKILL); harmless if it already exited.</summary>
    public void Signal(int signal)
    {
        Debug.Assert(_pool.IsLockHeld, "Signal reads Pid and Process, which the pool's lock owns");
        if (Pid > 0 && Process is { HasExited: false })
        {
            NativeMethods.SendSignal(Pid, signal);
        }
    }

    /// <summary>"exited with code 3", "was killed by signal 9 (SIGKILL)"…</summary>
    public static string DescribeExit(int exitCode) => exitCode switch
    {
        > 128 and < 128 + 65 when !OperatingSystem.IsWindows() => $"was killed by signal {exitCode - 128} ({SignalName(exitCode - 128)})",
        _ => $"exited with code {exitCode}",
    };

    private static string SignalName(int signal) => signal switch
    {
        6 => "SIGABRT: an abort, e.g. Environment.FailFast or a stack overflow",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        15 => "SIGTERM",
        _ => $"signal {signal}",
    };

    /// <summary>Appends a message for the writer thread, waking it once per batch.</summary>
    private void Send<TMessage>(in TMessage message)
        where TMessage : struct, IWireMessage
    {
        lock (_sendLock)
        {
            _outgoing.Append(message);
        }

        if (Interlocked.Exchange(ref _sendSignalled, 1) == 0)
        {
            _sendSignal.Release();
        }
    }

    /// <summary>
    /// Sends what was appended meanwhile, batch by batch, with blocking writes on a thread of its own (a worker that
    /// stops reading holds up this thread, never a sender); ends with the connection.
    /// </summary>
    private void WriteLoop()
    {
        try
        {
            while (true)
            {
                _sendSignal.Wait();
                Volatile.Write(ref _sendSignalled, 0);
                lock (_sendLock)
                {
                    if (_closed)
                    {
                        return;
                    }

                    (_outgoing, _sending) = (_sending, _outgoing);
                }

                ReadOnlySpan<byte> pending = _sending.Written.Span;
                while (!pending.IsEmpty)
                {
                    pending = pending[_socket!.Send(pending, SocketFlags.None)..];
                }

                _sending.Clear();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The worker is gone; the read loop reports it.
        }
    }

    /// <summary>
    /// Reads the worker's messages with blocking reads on the connection's own thread until the connection ends; then
    /// stops the writer and reports the end.
    /// </summary>
    public void ReadLoop(FrameReader reader)
    {
        Exception? protocolError = null;
        try
        {
            while (reader.ReadFrame() is { } frame)
            {
                Dispatch(frame);
            }
        }
        catch (Exception e) when (e is SocketException or IOException { InnerException: SocketException } or ObjectDisposedException)
        {
        }
#pragma warning disable CA1031 // Anything else that escapes means the worker cannot be trusted: report it, kill it, replace it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            protocolError = e;
        }

        lock (_sendLock)
        {
            _closed = true;
        }

        _sendSignal.Release();
        _pool.OnDisconnected(this, protocolError);
        _socket?.Dispose();
    }

    private void Dispatch(ReadOnlyMemory<byte> frame)
    {
        switch (WireFormat.PeekKind(frame))
        {
            case MessageKind.Result:
                ResultMessage result = ResultMessage.Read(frame);
                _pool.OnResult(this, result.TaskId, result.Ok, new ReadOnlySequence<byte>(result.Payload), result.RunMicroseconds, result.WorkingSetBytes);
                break;
            case MessageKind.Initialized:
                Exception? failure = InitializedMessage.Read(frame).Failure;
                _pool.OnInitialized(this, failure is null, failure);
                break;
            case var kind:
                throw new InvalidDataException($"Unexpected message {kind} from worker {Pid}.");
        }
    }
}
