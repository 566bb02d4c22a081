using System.Buffers;
using System.Diagnostics;

namespace ConcurrentFutures.Processes;

/// <summary>
/// Arrays for large payloads passing through (a silo relaying cluster calls, a client sending and fetching them),
/// reused so their pages are already there: a fresh large array's pages must be zeroed and faulted in by the kernel,
/// which costs several times the copy into them. Arrays below <see cref="LargeFrom"/> come from
/// <see cref="ArrayPool{T}.Shared"/>. Large ones are kept here instead, shared by all threads (the shared pool keeps an
/// array in the returning thread's own slot, where another thread's next rent misses it and allocates anew — measured:
/// one more copy of the value held per round trip), at most <see cref="MaxKept"/> of them, and let go once unused for
/// <see cref="IdleLifetime"/> so an idle process does not keep the memory of its largest value for good.
/// </summary>
internal static class LargeArrayPool
{
    /// <summary>Arrays from this length on are kept here (and rented from here for any length above half of it).</summary>
    public const int LargeFrom = 1024 * 1024;

    /// <summary>Large arrays kept at most (a process has few large transfers under way at once).</summary>
    private const int MaxKept = 4;

    /// <summary>A kept array unused this long is let go.</summary>
    private static readonly TimeSpan IdleLifetime = TimeSpan.FromSeconds(30);

    private static readonly List<(byte[] Array, long Since)> Kept = [];
    private static Timer? s_sweeper;

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes; its contents are undefined.</summary>
    public static byte[] Rent(int minimumLength)
    {
        if (minimumLength <= LargeFrom / 2)
        {
            // The shared pool's arrays are powers of two: from this length on they would be LargeFrom or more, which
            // Return keeps here, so a rent that asked the shared pool would never find them.
            return ArrayPool<byte>.Shared.Rent(minimumLength);
        }

        lock (Kept)
        {
            int best = -1;
            for (int i = 0; i < Kept.Count; i++)
            {
                if (Kept[i].Array.Length >= minimumLength && (best < 0 || Kept[i].Array.Length < Kept[best].Array.Length))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                byte[] reused = Kept[best].Array;
                Kept.RemoveAt(best);
                return reused;
            }
        }

        // Rounded up to a megabyte, so values of about the same size share arrays.
        long rounded = Math.Min(((long)minimumLength + LargeFrom - 1) / LargeFrom * LargeFrom, Array.MaxLength);
        return Platform.NativeMethods.NewLargeArray((int)rounded);
    }

    /// <summary>Gives back an array from <see cref="Rent"/>.</summary>
    public static void Return(byte[] array)
    {
        if (array.Length < LargeFrom)
        {
            ArrayPool<byte>.Shared.Return(array);
            return;
        }

        lock (Kept)
        {
            Kept.Add((array, Stopwatch.GetTimestamp()));
            if (Kept.Count > MaxKept)
            {
                // Keep the largest: they serve any smaller value too.
                Kept.RemoveAt(Kept.FindIndex(k => k.Array.Length == Kept.Min(m => m.Array.Length)));
            }

            s_sweeper ??= new Timer(static _ => Sweep(), null, IdleLifetime, IdleLifetime);
        }
    }

    /// <summary>Lets go of arrays unused for <see cref="IdleLifetime"/>; stops once none is kept.</summary>
    private static void Sweep()
    {
        lock (Kept)
        {
            Kept.RemoveAll(k => Stopwatch.GetElapsedTime(k.Since) >= IdleLifetime);
            if (Kept.Count == 0)
            {
                s_sweeper?.Dispose();
                s_sweeper = null;
            }
        }
    }
}
