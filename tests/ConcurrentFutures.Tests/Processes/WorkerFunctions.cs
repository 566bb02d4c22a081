using System.Diagnostics;

namespace ConcurrentFutures.Tests.Processes;

/// <summary>Functions that run inside worker processes.</summary>
public static class WorkerFunctions
{
    /// <summary>Set by <see cref="Initialize"/> in each worker.</summary>
    private static string? s_initializedWith;

    /// <summary>Holds memory on purpose, to push a worker over a memory limit.</summary>
    private static byte[]? s_ballast;

    public static int Pid() => Environment.ProcessId;

    public static int PidAfter(int milliseconds)
    {
        Thread.Sleep(milliseconds);
        return Environment.ProcessId;
    }

    /// <summary>As <see cref="PidAfter"/>, given a (large) value it ignores.</summary>
    public static int PidAfterGiven(byte[] value, int milliseconds) => value.Length >= 0 ? PidAfter(milliseconds) : -1;

    public static int Twice(int value) => 2 * value;

    public static void Initialize(string value) => s_initializedWith = value;

    /// <summary>A setting the pool gave its worker (WorkerEnvironment), read in the worker: how tests learn a pool's socket and file names.</summary>
    public static string SettingOf(ProcessPoolExecutor pool, string name) =>
        pool.Submit(Setting, name).Result(TimeSpan.FromSeconds(60)) ?? throw new InvalidOperationException($"the worker has no {name}");

    public static string? Setting(string name) => Environment.GetEnvironmentVariable(name);

    public static void InitializeWithNothing() => s_initializedWith = "nothing";

    public static void InitializeWith2(string a, int b) => s_initializedWith = $"{a}{b}";

    public static void InitializeWith3(string a, int b, bool c) => s_initializedWith = $"{a}{b}{c}";

    public static void FailToInitialize() => throw new InvalidDataException("initializer failure marker");

    public static string? InitializedWith() => s_initializedWith;

    public static void CrashWhileInitializing() => Environment.Exit(5);

    public static int ExitWith(int code)
    {
        Environment.Exit(code);
        return 0;
    }

    public static int FailFast()
    {
        Environment.FailFast("fail-fast on purpose");
        return 0;
    }

    public static int KillSelf()
    {
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    public static int Recurse(int depth) => depth == int.MinValue ? 0 : Recurse(depth + 1) + 1;

    /// <summary>Creates <paramref name="path"/> once it runs (so a test knows the worker started it), then sleeps forever.</summary>
    public static int SignalThenSleepForever(string path)
    {
        File.WriteAllText(path, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    /// <summary>Writes "SIGTERM" to <paramref name="path"/> when the worker gets that signal (then ends as it would), and sleeps.</summary>
    public static int RecordSigtermThenSleep(string path)
    {
        // Kept for the worker's life: the registration must outlive this call to catch the signal.
        SigtermRecorder = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => File.WriteAllText(path, "SIGTERM"));
        File.WriteAllText(path, "ready"); // the handler is in place
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    private static System.Runtime.InteropServices.PosixSignalRegistration? SigtermRecorder { get; set; }

    public static int SleepForever()
    {
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    public static byte[] Echo(byte[] data) => data;

    public static int Length(byte[] data) => data.Length;

    /// <summary>The generation a new array of that size starts in: 2 when it goes to the large-object heap.</summary>
    public static int GenerationOfNewArray(int bytes) => GC.GetGeneration(new byte[bytes]);

    /// <summary>Whether this process has loaded an assembly of that simple name.</summary>
    public static bool HasMapped(string library) => File.ReadAllText("/proc/self/maps").Contains(library, StringComparison.Ordinal);

    /// <summary>In a worker that was prestarted: whether its warm-up ended within <paramref name="milliseconds"/>.</summary>
    public static bool StandbyWarmedUp(int milliseconds) => ConcurrentFutures.Processes.StandbyWorkers.WarmedUp.Wait(milliseconds);

    public static bool HasLoaded(string assembly) => AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == assembly);

    /// <summary>A large result that differs from its argument, so a mixed-up payload shows.</summary>
    public static byte[] Reversed(byte[] data)
    {
        byte[] copy = (byte[])data.Clone();
        Array.Reverse(copy);
        return copy;
    }

    /// <summary>Never returns; the payload file is normally deleted once read, so sleep before reading it.</summary>
    public static int HoldThenLength(byte[] data)
    {
        Thread.Sleep(Timeout.Infinite);
        return data.Length;
    }

    public static object ReturnUnsendable() => new Dictionary<string, Stream> { ["stream"] = Stream.Null };

    public static Point Move(Point point, int dx) => point with { X = point.X + dx };

    public static int Sum(List<int> values) => values.Sum();

    public static Dictionary<string, int> Count(string[] words) => words.GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());

    public static int ThrowNested()
    {
        try
        {
            throw new FormatException("inner marker");
        }
        catch (FormatException inner)
        {
            throw new InvalidOperationException("outer marker", inner);
        }
    }

    public static int ThrowCustom() => throw new WorkerOnlyException("custom marker");

    public static long Grow(int megabytes)
    {
        s_ballast = new byte[megabytes * 1024 * 1024];
        Array.Fill(s_ballast, (byte)1);
        return Environment.WorkingSet;
    }

    public static int ReadStream(Stream stream) => stream.ReadByte();

    /// <summary>Returns its argument, except 3, which kills the worker (SIGKILL) after the items before it finished.</summary>
    public static int KillOnThree(int x)
    {
        if (x == 3)
        {
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }

        return x;
    }

    /// <summary>
    /// Writes a frame of garbage (or one declaring 2 GB) straight onto this worker's connection to its parent, as a
    /// compromised or corrupted worker would, then waits to be dealt with.
    /// </summary>
    public static int SendBadFrame(bool oversized)
    {
        string parentSocket = Environment.GetEnvironmentVariable("CONCURRENTFUTURES_WORKER_SOCKET")!;
        foreach (string fd in Directory.GetFiles("/proc/self/fd"))
        {
            if (!int.TryParse(Path.GetFileName(fd), out int handle) || new FileInfo(fd).LinkTarget is not { } link || !link.StartsWith("socket:", StringComparison.Ordinal))
            {
                continue;
            }

            using var socket = new System.Net.Sockets.Socket(new System.Net.Sockets.SafeSocketHandle(handle, ownsHandle: false));
            try
            {
                if (socket.RemoteEndPoint?.ToString() != parentSocket)
                {
                    continue;
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                continue;
            }

            byte[] frame = oversized ? [0xff, 0xff, 0xff, 0x7f, 1, 2, 3] : [8, 0, 0, 0, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1];
            socket.Send(frame);
            Thread.Sleep(TimeSpan.FromSeconds(30));
            return -1;
        }

        throw new InvalidOperationException("This worker's connection to its parent was not found.");
    }

    /// <summary>A result whose serialization kills the worker: it dies while writing its result.</summary>
    public static DiesWhenSerialized DieWhileWritingResult() => new();

    /// <summary>Allocates <paramref name="megabytes"/> MB of small arrays it does not keep; returns the worker's full collections so far.</summary>
    public static int LeaveGarbage(int megabytes)
    {
        long sum = 0;
        for (int i = 0; i < megabytes * 1024; i++)
        {
            sum += new byte[1024].Length;
        }

        GC.KeepAlive(sum);
        return GC.CollectionCount(GC.MaxGeneration);
    }

    /// <summary>The worker's full collections so far.</summary>
    public static int FullCollections() => GC.CollectionCount(GC.MaxGeneration);

    /// <summary>The full collections so far, given a (large) value it ignores.</summary>
    public static int FullCollectionsGiven(byte[] value) => value.Length >= 0 ? GC.CollectionCount(GC.MaxGeneration) : -1;

    /// <summary>Allocates and touches a buffer it does not keep; returns its size.</summary>
    public static long AllocateAndRelease(int megabytes)
    {
        var buffer = new byte[megabytes * 1024 * 1024];
        Array.Fill(buffer, (byte)1);
        return buffer.LongLength;
    }
}

public sealed record Point(int X, int Y);

/// <summary>A result object whose own MessagePack formatter kills the process that writes it (the worker).</summary>
[MessagePack.MessagePackFormatter(typeof(DiesWhenSerializedFormatter))]
public sealed class DiesWhenSerialized
{
    public int Before { get; set; } = 1;
}

public sealed class DiesWhenSerializedFormatter : MessagePack.Formatters.IMessagePackFormatter<DiesWhenSerialized?>
{
    public void Serialize(ref MessagePack.MessagePackWriter writer, DiesWhenSerialized? value, MessagePack.MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(1);
        writer.Write(value?.Before ?? 0);
        writer.Flush();
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }

    public DiesWhenSerialized? Deserialize(ref MessagePack.MessagePackReader reader, MessagePack.MessagePackSerializerOptions options)
    {
        reader.Skip();
        return new DiesWhenSerialized();
    }
}

public sealed class WorkerOnlyException(string message) : Exception(message)
{
    public WorkerOnlyException()
        : this("worker only")
    {
    }

    public WorkerOnlyException(string message, Exception inner)
        : this(message + inner.Message)
    {
    }
}