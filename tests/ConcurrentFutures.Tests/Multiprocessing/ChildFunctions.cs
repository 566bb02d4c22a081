using ConcurrentFutures.Multiprocessing;

namespace ConcurrentFutures.Tests.Multiprocessing;

/// <summary>Targets run in child processes.</summary>
public static class ChildFunctions
{
    /// <summary>The tutorial's func(secs, q), with the sleep unit as a parameter, started by a common signal.</summary>
    public static void SleepThenReport(int secs, int unitMs, ProcessQueue<string> queue, ProcessEvent go, ProcessSemaphore ready)
    {
        ready.Release();
        go.Wait(); // every child has started: only the sleeps decide the order now
        Console.WriteLine($"Start sleeping for {secs} secs");
        Thread.Sleep(secs * unitMs);
        queue.Put($"End sleeping for {secs} secs");
    }

    public static void Succeed()
    {
    }

    public static void Throw() => throw new InvalidOperationException("child failure marker");

    public static void ExitWith(int code) => Environment.Exit(code);

    public static void ExitWith10() => Environment.Exit(10);

    public static void ExitWithSumOf2(int a, int b) => Environment.Exit(a + b);

    public static void ExitWithSumOf3(int a, int b, int c) => Environment.Exit(a + b + c);

    public static void ExitWithSumOf4(int a, int b, int c, int d) => Environment.Exit(a + b + c + d);

    public static void ExitWithSumOf5(int a, int b, int c, int d, int e) => Environment.Exit(a + b + c + d + e);

    public static void ExitWithSumOf6(int a, int b, int c, int d, int e, int f) => Environment.Exit(a + b + c + d + e + f);

    public static void SleepForever() => Thread.Sleep(Timeout.Infinite);

    public static void Produce(ProcessQueue<string> queue, int producer, int count)
    {
        for (int i = 0; i < count; i++)
        {
            queue.Put($"{producer}:{i}");
        }
    }

    public static int ProduceAndCount(ProcessQueue<int> queue, int count)
    {
        for (int i = 0; i < count; i++)
        {
            queue.Put(i);
        }

        return count;
    }

    /// <summary>Takes items until a negative one, marking each done.</summary>
    public static void Consume(JoinableProcessQueue<int> tasks, ProcessQueue<int> results)
    {
        while (true)
        {
            int item = tasks.Get();
            if (item < 0)
            {
                tasks.TaskDone();
                return;
            }

            results.Put(item * 10);
            tasks.TaskDone();
        }
    }
}

/// <summary>Targets that receive queues inside other queues' items.</summary>
public static class NestedQueueFunctions
{
    /// <summary>Takes a reply queue from the request queue and answers on it.</summary>
    public static void Answer(ProcessQueue<ProcessQueue<string>> requests)
    {
        ProcessQueue<string> reply = requests.Get();
        reply.Put($"answered by {Environment.ProcessId}");
    }
}
