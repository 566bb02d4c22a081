namespace ConcurrentFutures.Tests.Executors;

/// <summary>Static work functions: sendable to any executor, including those in other processes.</summary>
public static class Work
{
    public static int FortyTwo() => 42;

    public static int Square(int x) => x * x;

    public static int Add(int a, int b) => a + b;

    public static string Join3(string a, string b, string c) => $"{a}-{b}-{c}";

    public static string Join6(string a, int b, long c, double d, bool e, char f) => FormattableString.Invariant($"{a}-{b}-{c}-{d}-{e}-{f}");

    public static int Sum4(int a, int b, int c, int d) => a + b + c + d;

    public static int Sum5(int a, int b, int c, int d, int e) => a + b + c + d + e;

    public static async Task<int> Sum6Async(int a, int b, int c, int d, int e, int f)
    {
        await Task.Yield();
        return a + b + c + d + e + f;
    }

    public static void DoNothingWith6(int a, int b, int c, int d, int e, int f)
    {
    }

    public static void DoNothing()
    {
    }

    public static void DoNothingWith(int a)
    {
    }

    public static void DoNothingWith2(int a, string b)
    {
    }

    public static void DoNothingWith3(int a, string b, double c)
    {
    }

    public static int SleepThenReturn(int milliseconds)
    {
        Thread.Sleep(milliseconds);
        return milliseconds;
    }

    public static int FailOnFive(int x) => x == 5 ? throw new InvalidOperationException($"item {x} failed") : x;

    public static async Task<int> DoubleAsync(int x)
    {
        await Task.Delay(1);
        return 2 * x;
    }

    public static async Task<int> ThreeAsync()
    {
        await Task.Yield();
        return 3;
    }

    public static Task DelayAsync(int milliseconds) => Task.Delay(milliseconds);

    public static async Task<int> FailAsync(int x)
    {
        await Task.Yield();
        throw new FormatException($"async failure {x}");
    }
}
