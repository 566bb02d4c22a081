using System.Diagnostics;
using ConcurrentFutures.Platform;

namespace ConcurrentFutures.Tests.Processes;

public class OrphanTests
{
    [Fact]
    public void Workers_DieWithTheirParent_EvenWhenItIsKilled()
    {
        using Process child = ChildProgram.Start("hold", "2");
        int[] workers = [];
        try
        {
            string? line = ReadLineWithin(child, TimeSpan.FromSeconds(60));
            Assert.NotNull(line);
            Assert.StartsWith("WORKERS ", line, StringComparison.Ordinal);
            workers = line["WORKERS ".Length..].Split(',').Select(int.Parse).ToArray();
            Assert.Equal(2, workers.Length);
            Assert.All(workers, pid => Assert.False(ChildProgram.IsGone(pid)));

            int[] janitors = JanitorsOf(child.Id);
            Assert.Single(janitors);
            Assert.True(SpinWait.SpinUntil(() => ChildProgram.ChildrenOf(child.Id).Except(workers).Except(janitors).Any(), TimeSpan.FromSeconds(30)), "a prestarted worker should be waiting");
            workers = [.. ChildProgram.ChildrenOf(child.Id).Except(janitors)]; // the pool's workers and the waiting one
            Assert.True(LeftoversOf(child.Id).Length >= 2, "the pool's socket directory and the multiprocessing directory should exist while the parent lives");
            child.Kill(); // SIGKILL: the parent gets no chance to clean up
            child.WaitForExit();
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(2) && !workers.All(ChildProgram.IsGone))
            {
                Thread.Sleep(20);
            }

            Assert.All(workers, pid => Assert.True(ChildProgram.IsGone(pid), $"worker {pid} survived its parent by 2 s"));

            // A parent killed outright cannot delete its socket directory and shared-memory files; its pools'
            // janitors do, and then exit: within 5 s nothing of it is left, files nor processes.
            bool clean = SpinWait.SpinUntil(() => LeftoversOf(child.Id).Length == 0 && janitors.All(ChildProgram.IsGone), TimeSpan.FromSeconds(5));
            Assert.True(clean, $"left behind: {string.Join(", ", LeftoversOf(child.Id))}; janitor alive: {janitors.Any(pid => !ChildProgram.IsGone(pid))}");
        }
        finally
        {
            ChildProgram.KillIfAlive(child.Id);
            foreach (int pid in workers)
            {
                ChildProgram.KillIfAlive(pid);
            }
        }
    }

    [Fact]
    public void AMultiprocessingProcess_DiesWithItsParent_EvenWhenItIsKilled()
    {
        using Process parent = ChildProgram.Start("process");
        int pid = 0;
        try
        {
            string? line = ReadLineWithin(parent, TimeSpan.FromSeconds(60));
            Assert.NotNull(line);
            Assert.StartsWith("PROCESS ", line, StringComparison.Ordinal);
            pid = int.Parse(line["PROCESS ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.False(ChildProgram.IsGone(pid));
            Assert.Contains(pid, ChildProgram.ChildrenOf(parent.Id));

            parent.Kill(); // SIGKILL: the parent gets no chance to stop its child
            parent.WaitForExit();
            Assert.True(SpinWait.SpinUntil(() => ChildProgram.IsGone(pid), TimeSpan.FromSeconds(2)), $"process {pid} survived its parent by 2 s");
        }
        finally
        {
            ChildProgram.KillIfAlive(parent.Id);
            if (pid != 0)
            {
                ChildProgram.KillIfAlive(pid);
            }
        }
    }

    [Fact]
    public void WorkerOutput_GoesToTheParentsConsole()
    {
        using Process child = ChildProgram.Start("print");
        try
        {
            string output = child.StandardOutput.ReadToEnd();
            Assert.True(child.WaitForExit(60_000));
            Assert.Equal(0, child.ExitCode);
            Assert.Contains("hello from a worker (pid ", output, StringComparison.Ordinal);
            Assert.DoesNotContain($"(pid {child.Id})", output, StringComparison.Ordinal);
        }
        finally
        {
            ChildProgram.KillIfAlive(child.Id);
        }
    }

    /// <summary>The janitor shells started by process <paramref name="parent"/> (Linux; none elsewhere).</summary>
    private static int[] JanitorsOf(int parent) =>
        [.. ChildProgram.ChildrenOf(parent).Where(pid => ChildProgram.ReadProc(pid, "cmdline").Contains("concurrentfutures-janitor", StringComparison.Ordinal))];

    private static string[] LeftoversOf(int pid) =>
        [.. new[] { Path.GetTempPath(), "/tmp", "/dev/shm" }
            .Where(Directory.Exists)
            .Distinct()
            .SelectMany(d => Directory.EnumerateFileSystemEntries(d, $"cf-{pid}-*"))];

    private static string? ReadLineWithin(Process process, TimeSpan timeout)
    {
        Task<string?> read = process.StandardOutput.ReadLineAsync();
        return read.Wait(timeout) ? read.Result : null;
    }
}
