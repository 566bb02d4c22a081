using System.Reflection;
using ConcurrentFutures.Platform;
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
        // Many short tasks first: the pool then hands a worker several tasks at once (its pipelining follows the
        // tasks' average run time; a first task slowed by start-up alone would keep it at one, and the staging below
        // needs the second task queued in the worker, not in the pool).
        Assert.Equal(200, pool.Map(Work.Square, Enumerable.Range(0, 200)).Count());
        Future<int> running = pool.Submit(Work.SleepThenReturn, 1_500);
        Future<int> meant = pool.Submit(Work.SleepThenReturn, 7);

        object manager = typeof(ProcessPoolExecutor).GetField("_pool", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(pool)!;
        object gate = manager.GetType().GetField("_lock", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(manager)!;
        var workers = (List<WorkerHandle>)manager.GetType().GetField("_workers", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(manager)!;
        bool Staged()
        {
            lock (gate)
            {
                return workers.Count == 1 && workers[0].InFlight.Any(t => t.Future == meant) && running.IsRunning;
            }
        }

        Assert.True(SpinWait.SpinUntil(Staged, TimeSpan.FromSeconds(10)), "the second task never queued behind the first in the worker");
        Thread.Sleep(200); // the first is running in the worker, the second waits behind it
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
