namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// One 32-bit integer in shared memory, changed only with atomic instructions (atomic across processes on the same
/// machine), plus a wait that spins briefly then sleeps 1 ms between checks. The shared state of
/// <see cref="ProcessSemaphore"/> and <see cref="ProcessEvent"/>.
/// </summary>
internal sealed unsafe class SharedCounter : IDisposable
{
    private readonly SharedArray<int> _cell;

    public SharedCounter(int initialValue)
    {
        _cell = new SharedArray<int>(1);
        Volatile.Write(ref _cell[0], initialValue);
    }

    private SharedCounter(SharedArray<int> cell) => _cell = cell;

    public string Name => _cell.Name;

    public ref int Value => ref _cell[0];

    public static SharedCounter Open(string name) => new(SharedArray<int>.Open(name, 1));

    /// <summary>Waits until <paramref name="condition"/> (an atomic attempt) succeeds or the deadline passes.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan? timeout)
    {
        var deadline = Deadline.From(timeout);
        SpinWait spinner = default;
        while (!condition())
        {
            if (deadline.HasExpired)
            {
                return false;
            }

            if (spinner.NextSpinWillYield)
            {
                Thread.Sleep(1);
            }
            else
            {
                spinner.SpinOnce();
            }
        }

        return true;
    }

    public void Dispose() => _cell.Dispose();
}
