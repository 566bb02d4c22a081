using System.Diagnostics;
using Xunit.Abstractions;

namespace ConcurrentFutures.Tests.Processes;

/// <summary>
/// Millions of small tasks through a 2-worker pool: nothing lost, memory flat. Trait Category=Soak; the task count
/// comes from CONCURRENTFUTURES_SOAK_TASKS (default 2,000,000, which takes well under a minute here).
/// </summary>
[Collection(RunsAlone.Name)]
public class SoakTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Soak")]
    public void MillionsOfSmallTasks_LoseNothing_AndMemoryStaysFlat()
    {
        int tasks = int.TryParse(Environment.GetEnvironmentVariable("CONCURRENTFUTURES_SOAK_TASKS"), out int n) ? n : 2_000_000;
        using var pool = new ProcessPoolExecutor(2);
        long expected = 0;
        long sum = 0;
        long count = 0;
        long managedAtTenPercent = 0;
        var clock = Stopwatch.StartNew();
        foreach (int square in pool.Map(Executors.Work.Square, Enumerable.Range(0, tasks).Select(i => i % 1000), chunkSize: 1, bufferSize: 2_000))
        {
            sum += square;
            if (++count == tasks / 10)
            {
                managedAtTenPercent = GC.GetTotalMemory(forceFullCollection: true);
            }
        }

        for (int i = 0; i < tasks; i++)
        {
            expected += (i % 1000) * (i % 1000);
        }

        long managedAtEnd = GC.GetTotalMemory(forceFullCollection: true);
        long[] workerPeaks = [.. pool.WorkerProcessIds.Select(PeakWorkingSet)];
        output.WriteLine($"{tasks:N0} tasks in {clock.Elapsed.TotalSeconds:F1} s; parent managed heap {managedAtTenPercent / 1e6:F1} MB at 10%, {managedAtEnd / 1e6:F1} MB at the end; parent peak working set {PeakWorkingSet(Environment.ProcessId) / 1e6:F0} MB; worker peaks {string.Join(", ", workerPeaks.Select(p => $"{p / 1e6:F0} MB"))}");
        Assert.Equal(tasks, count);
        Assert.Equal(expected, sum);
        Assert.True(managedAtEnd - managedAtTenPercent < 64 * 1024 * 1024, $"the parent's managed heap grew from {managedAtTenPercent} to {managedAtEnd} bytes");
        Assert.All(workerPeaks, peak => Assert.True(peak < 512L * 1024 * 1024, $"a worker peaked at {peak} bytes"));
    }

    /// <summary>VmHWM (peak resident set) from /proc; 0 where unavailable.</summary>
    private static long PeakWorkingSet(int pid)
    {
        string status = $"/proc/{pid}/status";
        if (!File.Exists(status))
        {
            return 0;
        }

        string? line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
