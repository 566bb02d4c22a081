namespace ConcurrentFutures.Tests.Processes;

/// <summary>On a system without process support (simulated in a child process with the AppContext switch).</summary>
public sealed class PlatformSupportTests
{
    private static readonly string[] ProcessTypes =
    [
        "ProcessPoolExecutor", "ProcessPoolExecutor.PrestartWorkers", "Process", "Pool", "ProcessQueue", "JoinableProcessQueue",
        "Pipe", "ProcessLock", "ProcessEvent", "ProcessSemaphore", "SharedMemory", "SharedArray",
    ];

    [Fact]
    public void Elsewhere_FuturesAndTheThreadPoolWork_AndEveryProcessTypeRefusesAtItsConstructor_SayingWhatToDo()
    {
        string[] lines = ChildProgram.RunToEnd("elsewhere");
        Assert.Contains("WORKS thread pool 42 1 9", lines);
        foreach (string type in ProcessTypes)
        {
            string line = Assert.Single(lines, l => l.StartsWith($"REFUSED {type}: ", StringComparison.Ordinal));
            Assert.Contains($"{type.Split('.')[0]} needs Linux", line, StringComparison.Ordinal);
            Assert.Contains("ThreadPoolExecutor and ClusterExecutor clients work", line, StringComparison.Ordinal);
            Assert.Contains("Linux container or in WSL", line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(lines, l => l.StartsWith("CREATED ", StringComparison.Ordinal));
    }
}
