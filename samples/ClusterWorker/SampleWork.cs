namespace ConcurrentFutures.Samples.ClusterWorker;

/// <summary>
/// The work this sample sends to the cluster. It lives in the sample's own assembly, which every silo runs, because a
/// silo can only run methods whose code is deployed on it.
/// </summary>
public static class SampleWork
{
    /// <summary>The tutorial's six numbers, checked for primality.</summary>
    public static IReadOnlyList<long> Numbers { get; } =
    [
        112272535095293,
        112582705942171,
        112272535095293,
        115280095190773,
        115797848077099,
        1099726899285419,
    ];

    /// <summary>The tutorial's isPrime.</summary>
    public static bool IsPrime(long n)
    {
        if (n < 2)
        {
            return false;
        }

        if (n == 2)
        {
            return true;
        }

        if (n % 2 == 0)
        {
            return false;
        }

        long sqrtN = (long)Math.Floor(Math.Sqrt(n));
        for (long i = 3; i <= sqrtN; i += 2)
        {
            if (n % i == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Does nothing: measures the executor itself.</summary>
    public static int NoOp(int x) => x;

    /// <summary>Sends its argument back: measures how fast large values travel to a silo and back.</summary>
    public static byte[] Echo(byte[] data) => data;

    /// <summary>A value made on the silo: a small argument, a large result (<paramref name="length"/> bytes, byte i being i % 251).</summary>
    public static byte[] Fill(int length)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i % 251);
        }

        return data;
    }

    /// <summary>The sum of the bytes: a large argument, a small result.</summary>
    public static long Sum(byte[] data)
    {
        long sum = 0;
        foreach (byte b in data)
        {
            sum += b;
        }

        return sum;
    }

    /// <summary>Echoes after a pause, so a large call is still on its silo when the test stops that silo.</summary>
    public static byte[] SlowEcho(byte[] data)
    {
        Thread.Sleep(1_500);
        return data;
    }

    /// <summary>Squares after a short pause, so a long Map is still running when a silo is stopped under it.</summary>
    public static long SlowSquare(int x)
    {
        Thread.Sleep(1);
        return (long)x * x;
    }

    /// <summary>The name of the process that ran the call, to show which silo did the work.</summary>
    /// <summary>Where an item ran: the process, and the silo process (a silo runs work in worker processes it started).</summary>
    public static string WhereAmI(int x) => $"{x} ran in process {Environment.ProcessId} of silo {ParentProcessId()}";

    /// <summary>This process's parent, from /proc (Linux: the process features are Linux-only).</summary>
    private static int ParentProcessId()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
