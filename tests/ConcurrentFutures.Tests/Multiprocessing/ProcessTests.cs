using ConcurrentFutures.Multiprocessing;

namespace ConcurrentFutures.Tests.Multiprocessing;

public class ProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void TheTutorialsProcessAndQueueProgram_ReportsInFinishingOrder()
    {
        using var queue = new ProcessQueue<string>();
        using var go = new ProcessEvent();
        using var ready = new ProcessSemaphore(0);
        var processes = new List<Process>();
        try
        {
            for (int i = 3; i > 0; i--)
            {
                var process = new Process(ChildFunctions.SleepThenReport, i, 300, queue, go, ready);
                process.Start();
                processes.Add(process);
            }

            for (int i = 0; i < processes.Count; i++)
            {
                Assert.True(ready.TryAcquire(Patience), "a child never started"); // under load, starting a child can take longer than a sleep
            }

            go.Set();

            var results = new List<string>();
            foreach (Process process in processes)
            {
                results.Add(queue.Get(Patience));
                Assert.True(process.Join(Patience));
            }

            // Started 3, 2, 1: finishing 1, 2, 3 proves the three slept at the same time.
            Assert.Equal(["End sleeping for 1 secs", "End sleeping for 2 secs", "End sleeping for 3 secs"], results);
            Assert.All(processes, p => Assert.Equal(0, p.ExitCode));
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
        }
    }

    [Fact]
    public void Lifecycle_PidIsAliveAndExitCodes()
    {
        using var ok = new Process(ChildFunctions.Succeed) { Name = "worker-ok" };
        Assert.Null(ok.Pid);
        Assert.False(ok.IsAlive);
        Assert.Null(ok.ExitCode);
        Assert.Throws<InvalidOperationException>(() => ok.Join());
        ok.Start();
        Assert.NotNull(ok.Pid);
        Assert.NotEqual(Environment.ProcessId, ok.Pid);
        Assert.Throws<InvalidOperationException>(ok.Start);
        Assert.True(ok.Join(Patience));
        Assert.False(ok.IsAlive);
        Assert.Equal(0, ok.ExitCode);

        Assert.Equal(1, RunToEnd(new Process(ChildFunctions.Throw)));
        Assert.Equal(7, RunToEnd(new Process(ChildFunctions.ExitWith, 7)));
    }

    [Fact]
    public void TerminateAndKill_ReportTheSignalAsANegativeExitCode()
    {
        using var terminated = new Process(ChildFunctions.SleepForever);
        using var killed = new Process(ChildFunctions.SleepForever);
        terminated.Start();
        killed.Start();
        Assert.False(terminated.Join(TimeSpan.FromMilliseconds(300)));
        Assert.True(terminated.IsAlive);
        terminated.Terminate();
        killed.Kill();
        Assert.True(terminated.Join(Patience));
        Assert.True(killed.Join(Patience));
        Assert.Equal(-15, terminated.ExitCode);
        Assert.Equal(-9, killed.ExitCode);
    }

    [Fact]
    public async Task JoinAsync_CompletesWhenTheChildExits()
    {
        using var process = new Process(ChildFunctions.Succeed);
        process.Start();
        await process.JoinAsync().WaitAsync(Patience);
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task Create_IsTyped_AndStartAsync_StartsTheChildOnce()
    {
        using var queue = new ProcessQueue<string>();
        using var process = Process.Create(ChildFunctions.Produce, queue, 7, 2); // Process.Create(ChildFunctions.Produce, queue, "7", 2) does not compile
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => process.StartAsync(new CancellationToken(canceled: true)));
        Assert.Null(process.Pid); // a cancelled start starts nothing
        await process.StartAsync();
        Assert.NotNull(process.Pid);
        await Assert.ThrowsAsync<InvalidOperationException>(() => process.StartAsync());
        Assert.Throws<InvalidOperationException>(process.Start);
        await process.JoinAsync().WaitAsync(Patience);
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(["7:0", "7:1"], new[] { queue.Get(Patience), queue.Get(Patience) }.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Create_OfEveryArity_PassesItsArguments()
    {
        Process[] processes =
        [
            Process.Create(ChildFunctions.ExitWith10), Process.Create(ChildFunctions.ExitWith, 11),
            Process.Create(ChildFunctions.ExitWithSumOf2, 10, 2), Process.Create(ChildFunctions.ExitWithSumOf3, 10, 2, 1),
            Process.Create(ChildFunctions.ExitWithSumOf4, 10, 2, 1, 1), Process.Create(ChildFunctions.ExitWithSumOf5, 10, 2, 1, 1, 1),
            Process.Create(ChildFunctions.ExitWithSumOf6, 10, 2, 1, 1, 1, 1),
        ];
        try
        {
            foreach (Process process in processes)
            {
                process.Start();
            }

            Assert.All(processes, process => Assert.True(process.Join(Patience)));
            Assert.Equal([10, 11, 12, 13, 14, 15, 16], processes.Select(p => p.ExitCode));
        }
        finally
        {
            foreach (Process process in processes)
            {
                process.Dispose();
            }
        }
    }

    [Fact]
    public void BadTargetsAndArguments_AreRejectedAtTheConstructor()
    {
        using var stream = new MemoryStream();
        Assert.Throws<ArgumentException>(() => new Process(() => stream.ReadByte()));
        Assert.Throws<ArgumentException>(() => new Process(ChildFunctions.ExitWith));
        Assert.Throws<ArgumentNullException>(() => new Process(null!));
    }

    private static int? RunToEnd(Process process)
    {
        using (process)
        {
            process.Start();
            Assert.True(process.Join(Patience));
            return process.ExitCode;
        }
    }
}
