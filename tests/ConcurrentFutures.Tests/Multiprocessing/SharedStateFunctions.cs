using ConcurrentFutures.Multiprocessing;

namespace ConcurrentFutures.Tests.Multiprocessing;

/// <summary>Targets that use shared memory and locks in child processes.</summary>
public static class SharedStateFunctions
{
    public static void FillEveryOther(SharedArray<long> array, int start)
    {
        for (int i = start; i < array.Length; i += 2)
        {
            array[i] = (long)i * i;
        }
    }

    /// <summary>A deliberately non-atomic read-modify-write, made safe only by the lock.</summary>
    public static void IncrementUnderLock(SharedArray<long> counter, ProcessLock guard, int times)
    {
        for (int i = 0; i < times; i++)
        {
            using (guard.Hold())
            {
                long value = counter[0];
                Thread.SpinWait(10);
                counter[0] = value + 1;
            }
        }
    }

    public static void SetEvent(ProcessEvent ready) => ready.Set();

    public static void ReleaseSemaphore(ProcessSemaphore semaphore) => semaphore.Release();

    public static void WriteGreeting(SharedMemory block)
    {
        "hello"u8.CopyTo(block.Span);
        block.Dispose();
    }

    /// <summary>Takes the lock and dies holding it.</summary>
    public static void DieHoldingTheLock(ProcessLock guard)
    {
        guard.Acquire();
        Environment.Exit(3);
    }
}
