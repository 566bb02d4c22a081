namespace ConcurrentFutures.Tests.Processes;

public class JanitorTests
{
    [Fact]
    public void NewPools_DoNotWakeTheJanitor_ItKnowsThisProcesssFoldersAlready()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // no janitor elsewhere; reads /proc
        }

        using (var first = new ProcessPoolExecutor(1))
        {
            Assert.Equal(4, first.Submit(Executors.Work.Square, 2).Result(TimeSpan.FromSeconds(60)));
        }

        int janitor = Assert.Single(ChildProgram.ChildrenOf(Environment.ProcessId),
            pid => ChildProgram.ReadProc(pid, "cmdline").Contains("concurrentfutures-janitor", StringComparison.Ordinal));
        long before = BytesRead(janitor);
        for (int i = 0; i < 20; i++)
        {
            using var pool = new ProcessPoolExecutor(1); // its socket folder and shared-memory names: cf-{pid}-… as the first's
        }

        // Told each folder's cf-{pid}- once, it reads nothing more: an app making pools all day does not grow its list.
        Assert.Equal(before, BytesRead(janitor));
    }

    /// <summary>What the process has read so far (<c>rchar</c> in /proc/{pid}/io): the janitor reads only its input.</summary>
    private static long BytesRead(int pid) =>
        long.Parse(ChildProgram.ReadProc(pid, "io").Split('\n').First(l => l.StartsWith("rchar:", StringComparison.Ordinal))["rchar:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
