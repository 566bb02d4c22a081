using System.Reflection;
using ConcurrentFutures.Processes;
using ConcurrentFutures.Tests.Executors;

namespace ConcurrentFutures.Tests.Processes;

/// <summary>
/// The pool kills a worker to end one task (TaskTimeout, or Abort when a silo's caller stopped waiting). The kill can
/// land just after that task finished and the worker began the next one; that next task is innocent and must run
/// again, not fail. The race is staged here: the pool is told to kill the worker for a task queued behind the one it
/// runs, as if the kill decision had been taken for a task it has since moved past.
/// </summary>
public class AbortRaceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void AKillMeantForAnotherTask_FailsOnlyThatTask_TheTaskRunningAtTheKillRunsAgain()
    {
        using var pool = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1 });
        Assert.Equal(5, pool.Submit(Work.SleepThenReturn, 5).Result(Patience)); // the worker is up
        Future<int> running = pool.Submit(Work.SleepThenReturn, 1_500);
        Future<int> meant = pool.Submit(Work.SleepThenReturn, 7);
        Thread.Sleep(500); // the first runs, the second waits behind it in the same worker

        object manager = typeof(ProcessPoolExecutor).GetField("_pool", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(pool)!;
        object gate = manager.GetType().GetField("_lock", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(manager)!;
        var workers = (List<WorkerHandle>)manager.GetType().GetField("_workers", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(manager)!;
        lock (gate)
        {
            WorkerHandle worker = Assert.Single(workers);
            worker.TimedOutTask = Assert.Single(worker.InFlight, t => t.Future == meant);
            worker.State = WorkerState.Retiring;
            worker.Signal(NativeMethods.Sigkill);
        }

        Assert.Equal(1_500, running.Result(Patience)); // before: failed as "killed by signal 9 while running" it
        Assert.Throws<TimeoutException>(() => meant.Result(Patience));
        Assert.Equal(3, pool.Submit(Work.SleepThenReturn, 3).Result(Patience)); // and the pool serves on
    }
}
