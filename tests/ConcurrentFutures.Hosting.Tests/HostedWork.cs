namespace ConcurrentFutures.Hosting.Tests;

/// <summary>Work sent to worker processes by the hosting tests.</summary>
public static class HostedWork
{
    public static int Square(int x) => x * x;

    public static int Pid() => Environment.ProcessId;

    public static int SleepThenSquare(int x)
    {
        Thread.Sleep(300);
        return x * x;
    }

    public static int SleepForever()
    {
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
