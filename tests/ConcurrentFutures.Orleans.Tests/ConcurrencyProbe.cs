namespace ConcurrentFutures.Orleans.Tests;

/// <summary>Work that records how many calls run at once; test-cluster silos share this process, so the statics too.</summary>
public static class ConcurrencyProbe
{
    private static int s_running;
    private static int s_peak;

    public static int Peak => Volatile.Read(ref s_peak);

    public static void Reset() => Interlocked.Exchange(ref s_peak, 0);

    public static int Hold(int milliseconds)
    {
        int now = Interlocked.Increment(ref s_running);
        int peak;
        while (now > (peak = Volatile.Read(ref s_peak)) && Interlocked.CompareExchange(ref s_peak, now, peak) != peak)
        {
        }

        Thread.Sleep(milliseconds);
        Interlocked.Decrement(ref s_running);
        return milliseconds;
    }
}
