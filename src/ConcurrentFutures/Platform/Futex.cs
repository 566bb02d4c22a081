using System.Runtime.InteropServices;

namespace ConcurrentFutures.Platform;

/// <summary>
/// Sleeping on a 32-bit word in shared memory until another process changes it: the Linux <c>futex</c> system call
/// (shared, not private, so it works across processes that mapped the same file). Where futexes are not available the
/// wait sleeps 1 ms at a time and re-reads the word, which is slower but equally correct.
/// </summary>
internal static unsafe partial class Futex
{
    private const int FutexWait = 0;
    private const int FutexWake = 1;

    /// <summary>The futex system call number on this machine, or 0 where there is none.</summary>
    private static readonly long s_syscall = !OperatingSystem.IsLinux() ? 0 : RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        _ => 0,
    };

    /// <summary>Sleeps while <c>*word == expected</c>, at most <paramref name="milliseconds"/> (-1 = no limit); may wake early.</summary>
    public static void Wait(int* word, int expected, int milliseconds)
    {
        if (Volatile.Read(ref *word) != expected)
        {
            return;
        }

        if (s_syscall == 0)
        {
            Thread.Sleep(milliseconds < 0 ? 1 : Math.Min(milliseconds, 1));
            return;
        }

        if (milliseconds < 0)
        {
            _ = Syscall(s_syscall, word, FutexWait, expected, null, 0, 0);
            return;
        }

        var timeout = new TimeSpec { Seconds = milliseconds / 1000, Nanoseconds = milliseconds % 1000 * 1_000_000L };
        _ = Syscall(s_syscall, word, FutexWait, expected, &timeout, 0, 0);
    }

    /// <summary>Wakes every thread of every process sleeping on <paramref name="word"/>.</summary>
    public static void WakeAll(int* word)
    {
        if (s_syscall != 0)
        {
            _ = Syscall(s_syscall, word, FutexWake, int.MaxValue, null, 0, 0);
        }
    }

    /// <summary>
    /// libc's <c>syscall(number, ...)</c>, declared with the futex call's fixed arguments: on x64 and arm64 Linux a
    /// variadic call passes them in the same registers as this one.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, int* word, int operation, int value, TimeSpec* timeout, nint word2, int value3);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
