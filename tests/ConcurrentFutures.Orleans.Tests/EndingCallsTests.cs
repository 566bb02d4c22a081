namespace ConcurrentFutures.Orleans.Tests;

/// <summary>
/// The race the house review suspected in the membership loop: calls to end are chosen under the dispatcher's lock
/// and cancelled after leaving it, while a call may end on its own meanwhile (its token source disposed) or be re-sent
/// (with a new token source). What is taken under the lock is each call's own token source — never read from its task
/// afterwards — so a re-sent call is out of reach by construction; a disposed one must be skipped, not thrown on.
/// </summary>
public class EndingCallsTests
{
    [Fact]
    public void EndingCallsTakenUnderTheLock_SkipsOnesThatEndedMeanwhile_AndEndsTheOthers()
    {
        var endedMeanwhile = new CancellationTokenSource();
        using var stillRunning = new CancellationTokenSource();
        List<CancellationTokenSource> taken = [endedMeanwhile, stillRunning]; // under the lock
        endedMeanwhile.Dispose(); // after the lock: that call ended on its own

        ClusterDispatcher.Cancel(taken); // must not throw out of the membership loop

        Assert.True(stillRunning.IsCancellationRequested);
    }
}
