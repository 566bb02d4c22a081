using System.Net.Sockets;
using ConcurrentFutures.Processes;
using ConcurrentFutures.Processes.Wire;

namespace ConcurrentFutures.Tests.Processes;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class PrivacyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void SocketDirectory_IsOwnerOnly_AndLargePayloadFilesAre0600()
    {
        using var pool = new ProcessPoolExecutor(1);
        string directory = Path.GetDirectoryName(WorkerFunctions.SettingOf(pool, WorkerEnvironment.Socket))!;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));

        // A payload file exists while its worker holds the task: catch one with a task that never returns.
        using var slow = new ProcessPoolExecutor(1);
        string? file = null;
        string prefix = WorkerFunctions.SettingOf(slow, WorkerEnvironment.SharedMemoryPrefix); // before the held task takes the worker
        var held = slow.Submit(WorkerFunctions.HoldThenLength, new byte[2 * 1024 * 1024]);
        SpinWait.SpinUntil(() => (file = FindFile(prefix)) is not null, Patience);
        Assert.NotNull(file);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        slow.KillWorkers();
        Assert.Throws<BrokenProcessPoolException>(() => held.Result(Patience));
    }

    [Fact]
    public void Tokens_AndFileNames_AreFreshRandomBytes()
    {
        // From the kernel's random source (getrandom), not OpenSSL: each draw fills the whole buffer, and draws differ.
        byte[] first = new byte[64], second = new byte[64];
        ConcurrentFutures.Platform.NativeMethods.FillRandom(first);
        ConcurrentFutures.Platform.NativeMethods.FillRandom(second);
        Assert.NotEqual(first, second);
        Assert.True(first.AsSpan(48).IndexOfAnyExcept((byte)0) >= 0, "the end of the buffer was left zero");
        Assert.True(second.AsSpan(48).IndexOfAnyExcept((byte)0) >= 0, "the end of the buffer was left zero");

        string name = ConcurrentFutures.Platform.NativeMethods.RandomHex(8);
        Assert.Matches("^[0-9a-f]{16}$", name);
        Assert.NotEqual(name, ConcurrentFutures.Platform.NativeMethods.RandomHex(8));

        using var one = new ProcessPoolExecutor(1);
        using var other = new ProcessPoolExecutor(1);
        string token = WorkerFunctions.SettingOf(one, WorkerEnvironment.Token);
        Assert.Equal(64, token.Length); // 32 bytes, hex
        Assert.NotEqual(token, WorkerFunctions.SettingOf(other, WorkerEnvironment.Token));
        Assert.NotEqual(WorkerFunctions.SettingOf(one, WorkerEnvironment.SharedMemoryPrefix), WorkerFunctions.SettingOf(other, WorkerEnvironment.SharedMemoryPrefix));
    }

    [Fact]
    public void NeitherTheAppNorAWorker_LoadsOpenSsl_ForAPoolItsCallsAndSharedObjects()
    {
        // RandomNumberGenerator loads OpenSSL on Linux the first time (~11 ms): tokens and names come from getrandom.
        string[] lines = ChildProgram.RunToEnd("openssl");
        Assert.Contains("PARENT no", lines);
        Assert.Contains("WORKER no", lines);
        Assert.Contains("LEFT none", lines); // the child unlinked its shared-memory block
    }

    [Fact]
    public void AConnectionWithoutTheToken_IsDropped_AndThePoolKeepsServing()
    {
        using var pool = new ProcessPoolExecutor(1);
        Assert.Equal(9, pool.Submit(Executors.Work.Square, 3).Result(Patience));
        using var intruder = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        intruder.Connect(new UnixDomainSocketEndPoint(WorkerFunctions.SettingOf(pool, WorkerEnvironment.Socket)));
        var hello = new FrameBuffer();
        hello.Append(new HelloMessage(new byte[32], Slot: 0, Environment.ProcessId)); // a wrong token
        intruder.Send(hello.Written.Span);
        intruder.ReceiveTimeout = 30_000;
        Assert.Equal(0, intruder.Receive(new byte[16])); // closed by the pool, nothing sent
        Assert.Equal(16, pool.Submit(Executors.Work.Square, 4).Result(Patience));
    }

    private static string? FindFile(string prefix) =>
        Directory.EnumerateFiles(Path.GetDirectoryName(prefix)!, Path.GetFileName(prefix) + "*").FirstOrDefault();
}
