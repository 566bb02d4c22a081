namespace ConcurrentFutures.Tests.Processes;

/// <summary>
/// A pool reads and writes each worker's connection with blocking calls on two threads of its own (a batch of results
/// wakes one thread, not the runtime's socket event thread and then a pool thread); they end with the connection.
/// </summary>
[Collection(RunsAlone.Name)]
public class WorkerIoThreadTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void EachWorker_HasAReaderAndAWriterThread_WhichEndWithThePool()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // thread names are read from /proc
        }

        int readersBefore = ThreadsNamed("cf-pool-reader"), writersBefore = ThreadsNamed("cf-pool-writer");
        using (var pool = new ProcessPoolExecutor(2))
        {
            Assert.Equal(Enumerable.Range(0, 200).Select(WorkerFunctions.Twice), pool.Map(WorkerFunctions.Twice, Enumerable.Range(0, 200)).ToList());
            Assert.True(pool.Submit(WorkerFunctions.Pid).Result(Patience) > 0);
            Assert.True(SpinWait.SpinUntil(() => ThreadsNamed("cf-pool-reader") - readersBefore == 2, Patience), "a reader thread per worker");
            Assert.Equal(2, ThreadsNamed("cf-pool-writer") - writersBefore);
        }

        Assert.True(SpinWait.SpinUntil(() => ThreadsNamed("cf-pool-reader") == readersBefore && ThreadsNamed("cf-pool-writer") == writersBefore, Patience),
            $"threads left after the pool ended: {ThreadsNamed("cf-pool-reader") - readersBefore} readers, {ThreadsNamed("cf-pool-writer") - writersBefore} writers");
    }

    private static int ThreadsNamed(string name) =>
        Directory.GetDirectories("/proc/self/task").Count(task =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name;
            }
            catch (IOException)
            {
                return false; // the thread ended meanwhile
            }
        });
}
