using System.Diagnostics;

namespace ConcurrentFutures;

/// <summary>A point in time computed once from a caller's timeout, so that several waits share one budget.</summary>
internal readonly struct Deadline
{
    /// <summary>The deadline as a <see cref="Stopwatch"/> timestamp; <see cref="long.MaxValue"/> means never.</summary>
    private readonly long _expiresAt;

    private Deadline(long expiresAt) => _expiresAt = expiresAt;

    /// <summary>A deadline that never expires.</summary>
    public static Deadline Never => new(long.MaxValue);

    /// <summary>True when the deadline never expires.</summary>
    public bool IsInfinite => _expiresAt == long.MaxValue;

    /// <summary>True once the deadline has passed.</summary>
    public bool HasExpired => !IsInfinite && Stopwatch.GetTimestamp() >= _expiresAt;

    /// <summary>Time left, <see cref="TimeSpan.Zero"/> once expired, <see cref="Timeout.InfiniteTimeSpan"/> if infinite.</summary>
    public TimeSpan Remaining
    {
        get
        {
            if (IsInfinite)
            {
                return Timeout.InfiniteTimeSpan;
            }

            long left = _expiresAt - Stopwatch.GetTimestamp();
            return left <= 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(0, left);
        }
    }

    /// <summary>Milliseconds left for APIs that take an <see cref="int"/>: -1 if infinite, rounded up so a wait never ends early.</summary>
    public int RemainingMilliseconds
    {
        get
        {
            if (IsInfinite)
            {
                return Timeout.Infinite;
            }

            double ms = Math.Ceiling(Remaining.TotalMilliseconds);
            return ms >= int.MaxValue ? int.MaxValue - 1 : (int)ms;
        }
    }

    /// <summary>Starts a deadline now; <c>null</c> or <see cref="Timeout.InfiniteTimeSpan"/> mean "wait forever".</summary>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite).</exception>
    public static Deadline From(TimeSpan? timeout, string paramName = "timeout")
    {
        if (timeout is not { } value || value == Timeout.InfiniteTimeSpan)
        {
            return Never;
        }

        if (value < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(paramName, value, "The timeout must be zero or positive; pass null to wait forever.");
        }

        long ticks = (long)(value.TotalSeconds * Stopwatch.Frequency);
        long now = Stopwatch.GetTimestamp();
        return new Deadline(ticks >= long.MaxValue - now ? long.MaxValue : now + ticks);
    }
}
