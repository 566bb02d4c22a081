using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using ConcurrentFutures.Platform;
using ConcurrentFutures.Processes.Wire;
using MessagePack;

namespace ConcurrentFutures.Processes;

/// <summary>
/// Everything that connects a pool to its worker processes: a Unix domain socket in a private (0700) directory, a
/// random per-pool token each worker must present first, and one long-lived launcher thread that starts the
/// processes — on Linux a worker dies when the thread that started it exits, so that thread lives as long as the
/// pool has workers.
/// </summary>
internal sealed class WorkerConnections : IDisposable
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(30);

    private readonly PoolManager _pool;
    private readonly string _directory;
    private readonly string _socketPath;
    private readonly byte[] _token = NewToken();
    private readonly Socket _listener;
    private readonly WorkerLauncher _launcher;
    private readonly ConcurrentDictionary<int, WorkerHandle> _awaitingConnection = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Timer? _timer;
    private int _disposed;

    /// <summary>Whether a prestarted worker may serve this pool: not when its runtime must start with other settings.</summary>
    private readonly bool _mayAdoptStandby;

    public WorkerConnections(PoolManager pool, PoolSettings settings)
    {
        _pool = pool;
        _directory = PrivateDirectory.Create();
        ArgumentSlabs = new PayloadSlabs(SharedMemoryPrefix);
        _mayAdoptStandby = settings.MaxWorkerHeapBytes is null && settings.MayTakePrestartedWorkers;
        StaleFiles.SweepOnce(Path.GetDirectoryName(_directory)!, SharedMemoryTransport.Directory);
        Janitor.Watch(_directory, SharedMemoryPrefix);
        _socketPath = Path.Combine(_directory, "pool.sock");
        _launcher = WorkerLauncher.Discover(_directory);
        _listener = UnixListener.Listen(_socketPath, backlog: 128);
        _ = UnixListener.AcceptAllAsync(_listener, Serve, _stopping.Token);
        if (settings.TaskTimeout is not null || settings.IdleWorkerTimeout is not null)
        {
            TimeSpan shortest = new[] { settings.TaskTimeout, settings.IdleWorkerTimeout }.Where(t => t is not null).Min()!.Value;
            TimeSpan period = TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds / 10, 10, 500));
            _timer = new Timer(static state => ((PoolManager)state!).CheckTimers(), pool, period, period);
        }

        Environment = new Dictionary<string, string>
        {
            [WorkerEnvironment.Socket] = _socketPath,
            [WorkerEnvironment.Token] = Convert.ToHexString(_token),
            [WorkerEnvironment.ParentPid] = System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            [WorkerEnvironment.ReportMemory] = settings.MaxWorkerMemoryBytes is null ? "0" : "1",
            [WorkerEnvironment.SharedMemoryPrefix] = SharedMemoryPrefix,
        };
        if (settings.MaxWorkerHeapBytes is { } heap)
        {
            Environment[WorkerEnvironment.HeapHardLimit] = heap.ToString("x", CultureInfo.InvariantCulture); // the runtime reads hex
        }
    }

    /// <summary>Name prefix for this pool's shared-memory payload files.</summary>
    public string SharedMemoryPrefix { get; } = Path.Combine(SharedMemoryTransport.Directory, StaleFiles.NewName() + "-");

    /// <summary>Where large arguments are written for the workers, reused once their tasks are done.</summary>
    public PayloadSlabs ArgumentSlabs { get; }

    private Dictionary<string, string> Environment { get; }

    /// <summary>Queues a worker to be started on the launcher thread (which lives as long as this process: see <see cref="ChildLauncher"/>).</summary>
    public void Launch(WorkerHandle worker)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _awaitingConnection[worker.Slot] = worker;
        ChildLauncher.Post(() => LaunchOne(worker));
    }

    private static byte[] NewToken()
    {
        byte[] token = new byte[32];
        NativeMethods.FillRandom(token);
        return token;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _timer?.Dispose();
        _listener.Dispose();
        ArgumentSlabs.Dispose();
        DeleteFiles();
    }

    /// <summary>Removes the socket directory and any shared-memory payload files of this pool.</summary>
    public void DeleteFiles()
    {
        StaleFiles.Delete(_directory);
        SharedMemoryTransport.DeleteAll(SharedMemoryPrefix);
    }

    private void LaunchOne(WorkerHandle worker)
    {
        var environment = new Dictionary<string, string>(Environment)
        {
            [WorkerEnvironment.Slot] = worker.Slot.ToString(CultureInfo.InvariantCulture),
        };
        try
        {
            System.Diagnostics.Process process = (_mayAdoptStandby ? StandbyWorkers.TryAdopt(environment) : null) ?? _launcher.Start(environment);
            _pool.OnLaunched(worker, process);
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => OnProcessExited(worker);
            if (process.HasExited)
            {
                OnProcessExited(worker);
            }
        }
#pragma warning disable CA1031 // Any launch failure breaks the pool with a clear message.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _awaitingConnection.TryRemove(worker.Slot, out _);
            _pool.OnLaunchFailed(worker, exception);
        }
    }

    /// <summary>A process exited; if it never connected, nobody else will report it.</summary>
    private void OnProcessExited(WorkerHandle worker)
    {
        if (_awaitingConnection.TryRemove(worker.Slot, out _))
        {
            _pool.OnWorkerExited(worker, worker.Process!.ExitCode);
        }
    }

    /// <summary>
    /// Gives a new connection a thread of its own, which reads its first frame and then, for a worker of this pool,
    /// everything the worker sends (<see cref="WorkerHandle.ReadLoop"/>).
    /// </summary>
    private void Serve(Socket connection) =>
        new Thread(() => AuthenticateAndRead(connection)) { IsBackground = true, Name = "cf-pool-reader" }.Start();

    /// <summary>
    /// Reads the first frame; a connection without the pool's token, or for no known slot, is dropped. The socket is
    /// only ever read and written with blocking calls on threads of its own (never an asynchronous call, which would
    /// hand it to the runtime's event loop): a batch of results wakes this thread alone, not the event thread and then a
    /// pool thread.
    /// </summary>
    private void AuthenticateAndRead(Socket connection)
    {
        var reader = new FrameReader(new NetworkStream(connection, ownsSocket: false), maxFrameBytes: 4096);
        WorkerHandle? worker = null;
        try
        {
            connection.ReceiveTimeout = (int)HelloTimeout.TotalMilliseconds;
            using CancellationTokenRegistration stop = _stopping.Token.Register(static c => EndRead((Socket)c!), connection); // the pool stops: no more waiting
            if (reader.ReadFrame() is { } hello)
            {
                worker = CheckHello(hello);
            }

            connection.ReceiveTimeout = 0;
        }
        catch (Exception e) when (e is SocketException or IOException or EndOfStreamException or InvalidDataException or MessagePackSerializationException or ObjectDisposedException)
        {
        }

        if (worker is null)
        {
            connection.Dispose();
            return;
        }

        reader.AllowFramesUpTo(FrameReader.MaxFrameBytes);
        worker.Attach(connection);
        _pool.OnConnected(worker);
        worker.ReadLoop(reader);
    }

    /// <summary>Ends a blocking read of <paramref name="connection"/> (it then reads the end of the stream).</summary>
    private static void EndRead(Socket connection)
    {
        try
        {
            connection.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // the other end already went: the read has ended too
        }
    }

    private WorkerHandle? CheckHello(ReadOnlyMemory<byte> frame)
    {
        if (WireFormat.PeekKind(frame) != MessageKind.Hello)
        {
            return null;
        }

        HelloMessage hello = HelloMessage.Read(frame); // its pid: the launcher already knows it (OnLaunched)
        return CryptographicOperations.FixedTimeEquals(hello.Token, _token) && _awaitingConnection.TryRemove(hello.Slot, out WorkerHandle? worker)
            ? worker
            : null;
    }
}
