using System.Runtime.Versioning;
using ConcurrentFutures.Platform;
namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// One 32-bit integer in shared memory, changed only with atomic instructions (atomic across processes on the same
/// machine), and a count of processes sleeping until it changes: a wait spins briefly, then sleeps on the word (a
/// futex), and whoever changes the word wakes the sleepers. The shared state of <see cref="ProcessSemaphore"/> and
/// <see cref="ProcessEvent"/>.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class SharedCounter : IDisposable
{
    /// <summary>Longest single sleep; the condition is checked again after each (covers a sleeper that died counted).</summary>
    private const int MaxSleepMilliseconds = 100;

    private readonly SharedArray<int> _cells; // [0] the value, [1] how many threads sleep on it

    public SharedCounter(int initialValue)
    {
        _cells = new SharedArray<int>(2);
        Volatile.Write(ref _cells[0], initialValue);
    }

    private SharedCounter(SharedArray<int> cells) => _cells = cells;

    public string Name => _cells.Name;

    public ref int Value => ref _cells[0];

    private ref int Sleepers => ref _cells[1];

    public static SharedCounter Open(string name) => new(SharedArray<int>.Open(name, 2));

    /// <summary>Waits until <paramref name="condition"/> (an atomic attempt) succeeds or the deadline passes.</summary>
    public unsafe bool WaitUntil(Func<bool> condition, TimeSpan? timeout)
    {
        var deadline = Deadline.From(timeout);
        SpinWait spinner = default;
        while (!spinner.NextSpinWillYield)
        {
            if (condition())
            {
                return true;
            }

            spinner.SpinOnce();
        }

        while (true)
        {
            int seen = Volatile.Read(ref Value);
            if (condition())
            {
                return true;
            }

            if (deadline.HasExpired)
            {
                return false;
            }

            // Counted before the last look at the value: a change made after that look sees a sleeper and wakes it.
            Interlocked.Increment(ref Sleepers);
            try
            {
                int milliseconds = deadline.IsInfinite ? MaxSleepMilliseconds : Math.Min(deadline.RemainingMilliseconds, MaxSleepMilliseconds);
                fixed (int* word = &Value)
                {
                    Futex.Wait(word, seen, milliseconds);
                }
            }
            finally
            {
                Interlocked.Decrement(ref Sleepers);
            }
        }
    }

    /// <summary>
    /// Async twin of <see cref="WaitUntil"/>: checks <paramref name="condition"/> every millisecond without holding a
    /// thread (a futex wait would need one).
    /// </summary>
    public static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Call after changing <see cref="Value"/> (with an atomic instruction): wakes the threads sleeping on it.</summary>
    public unsafe void Changed()
    {
        if (Volatile.Read(ref Sleepers) > 0)
        {
            fixed (int* word = &Value)
            {
                Futex.WakeAll(word);
            }
        }
    }

    public void Dispose() => _cells.Dispose();
}
