using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ConcurrentFutures.Platform;

/// <summary>The few libc calls that make workers die with their parent on Linux, let idle ones give memory back, and draw random bytes without OpenSSL.</summary>
internal static partial class NativeMethods
{
    /// <summary>SIGTERM: asks a process to terminate.</summary>
    public const int Sigterm = 15;

    /// <summary>SIGKILL: ends a process at once.</summary>
    public const int Sigkill = 9;

    private const int PrSetPdeathsig = 1;
    private const int PermissionDenied = 1; // EPERM: the process exists but belongs to someone else

    /// <summary>Asks the kernel to SIGKILL this process when the thread that started it (the pool's launcher) exits.</summary>
    public static void DieWithParent()
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Prctl(PrSetPdeathsig, Sigkill, 0, 0, 0);
        }
    }

    /// <summary>The parent's pid, or -1 where unknown.</summary>
    public static int ParentProcessId() => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? GetParentProcessId() : -1;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; errors (e.g. it already exited) are ignored.</summary>
    public static void SendSignal(int pid, int signal)
    {
        if (OperatingSystem.IsWindows())
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill();
            return;
        }

        _ = Kill(pid, signal);
    }

    /// <summary>True while the process with this pid runs: false once it exited, also while it is a zombie nobody reaped yet.</summary>
    public static bool IsRunning(int pid)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        if (Kill(pid, 0) != 0 && Marshal.GetLastPInvokeError() != PermissionDenied)
        {
            return false; // no such process
        }

        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int state = stat.LastIndexOf(')') + 2;
            return state < stat.Length && stat[state] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Fills <paramref name="buffer"/> from the kernel's random source (<c>getrandom(2)</c> on Linux), for tokens and
    /// file names. Not <see cref="System.Security.Cryptography.RandomNumberGenerator"/> there: on Linux that loads
    /// OpenSSL on its first use, measured at ~11 ms and ~3.5 MB of resident memory — for a pool's first token, in the
    /// app and in every prestarted worker. Elsewhere, and where the C library has no <c>getrandom</c>, it is used.
    /// </summary>
    public static void FillRandom(Span<byte> buffer)
    {
        if (OperatingSystem.IsLinux() && TryGetRandom(buffer))
        {
            return;
        }

        System.Security.Cryptography.RandomNumberGenerator.Fill(buffer);
    }

    /// <summary>A new name's random part: <paramref name="bytes"/> random bytes as lowercase hex.</summary>
    public static string RandomHex(int bytes)
    {
        Span<byte> random = stackalloc byte[bytes];
        FillRandom(random);
        return Convert.ToHexStringLower(random);
    }

    private static unsafe bool TryGetRandom(Span<byte> buffer)
    {
        const int Interrupted = 4; // EINTR: a signal arrived before any bytes were read
        try
        {
            fixed (byte* start = buffer)
            {
                int filled = 0;
                while (filled < buffer.Length)
                {
                    nint read = GetRandom(start + filled, (nuint)(buffer.Length - filled), 0);
                    if (read > 0)
                    {
                        filled += (int)read;
                    }
                    else if (read < 0 && Marshal.GetLastPInvokeError() == Interrupted)
                    {
                        continue;
                    }
                    else
                    {
                        return false; // ENOSYS (a kernel before 3.17) and the like: the fallback takes over
                    }
                }
            }

            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false; // a C library without getrandom (glibc before 2.25), or none by that name
        }
    }

    /// <summary>Arrays of at least this many bytes get huge pages (<see cref="NewLargeArray"/>): one fits whole at any alignment.</summary>
    public const int HugePageArrayThreshold = 2 * HugePageSize;

    private const int HugePageSize = 2 * 1024 * 1024;

    /// <summary>
    /// A new byte array that the caller overwrites whole (its contents are not zeroed first). One of
    /// <see cref="HugePageArrayThreshold"/> bytes or more is backed by transparent huge pages where Linux offers them
    /// on request; one of up to <see cref="MapAtOnceUpTo"/> bytes also has its pages mapped by the kernel before it is
    /// returned. The first touch of fresh memory costs a trap per page here (a 2-core PVM guest: ~8–13 µs per 4 KB
    /// page), so a fresh 10 MiB array took ~33 ms to fill as an ordinary array, 7.6–26 ms with huge pages over the 2 MB
    /// pages wholly inside it, and ~1.5–4.5 ms (advice and fill) mapped at once. The requests, each refused harmlessly
    /// by a kernel without it: <c>madvise(MADV_HUGEPAGE)</c> over the 2 MB pages of the array; for an array mapped at
    /// once, <c>MADV_COLLAPSE</c> (Linux 6.1) on the 2 MB page where it starts — already mapped in 4 KB pages, as the
    /// runtime wrote the array's header there, so only a collapse makes it one huge page (its other contents are kept)
    /// — and <c>MADV_POPULATE_WRITE</c> (Linux 5.14) over the whole array: one call instead of a fault per page.
    /// Larger arrays are left to fault in as they are written: populating 300 MB (in one call, or in 2 MB pieces) held
    /// up the other threads of the process — a cluster client's other calls waited 65–735 ms instead of 21–36 during
    /// such a round trip — while their fill is long enough to hide the faults. Elsewhere an ordinary array.
    /// </summary>
    public static unsafe byte[] NewLargeArray(int length)
    {
        byte[] array = GC.AllocateUninitializedArray<byte>(length);
        if (length >= HugePageArrayThreshold && OperatingSystem.IsLinux())
        {
            fixed (byte* start = array)
            {
                bool mapAtOnce = length <= MapAtOnceUpTo;
                long head = (long)start & ~((long)HugePageSize - 1);
                long first = mapAtOnce ? head : ((long)start + HugePageSize - 1) & ~((long)HugePageSize - 1);
                long end = ((long)start + length) & ~((long)HugePageSize - 1);
                try
                {
                    // Refusals (no THP, an older kernel, the first page shared with memory of another protection) change nothing.
                    _ = Advise((nint)first, (nuint)(end - first), AdviseHugePage);
                    if (mapAtOnce)
                    {
                        long page = Environment.SystemPageSize;
                        long firstPage = (long)start & ~(page - 1);
                        long lastPageEnd = ((long)start + length + page - 1) & ~(page - 1);
                        _ = Advise((nint)head, HugePageSize, AdviseCollapse);
                        _ = Advise((nint)firstPage, (nuint)(lastPageEnd - firstPage), AdvisePopulateWrite);
                    }
                }
                catch (EntryPointNotFoundException)
                {
                }
            }
        }

        return array;
    }

    /// <summary>The largest array <see cref="NewLargeArray"/> has mapped at once (see there).</summary>
    public const int MapAtOnceUpTo = 32 * 1024 * 1024;

    private const int AdviseHugePage = 14; // MADV_HUGEPAGE
    private const int AdvisePopulateWrite = 23; // MADV_POPULATE_WRITE
    private const int AdviseCollapse = 25; // MADV_COLLAPSE

    /// <summary>
    /// Hands the C heap's free pages back to the system (glibc's <c>malloc_trim</c>; the runtime's own native
    /// allocations — JIT data, type information — live there). Does nothing where the C library has no such call.
    /// </summary>
    public static void ReturnFreeNativeMemory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // musl and other C libraries without malloc_trim: their heaps are left as they are.
        }
    }

    /// <summary>
    /// The major version of the ICU library (<c>libicuuc</c>) this process has loaded, read from /proc/self/maps; null
    /// where there is no such file, when none is loaded (invariant globalization, or no culture data needed yet) or when
    /// its file name carries no plain version (a distribution's own naming).
    /// </summary>
    public static string? LoadedIcuMajorVersion()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        const string Library = "/libicuuc.so.";
        try
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
            {
                int name = line.LastIndexOf(Library, StringComparison.Ordinal);
                if (name < 0)
                {
                    continue;
                }

                ReadOnlySpan<char> version = line.AsSpan(name + Library.Length);
                int dot = version.IndexOf('.');
                ReadOnlySpan<char> major = dot < 0 ? version : version[..dot];
                return major.Length > 0 && !major.ContainsAnyExceptInRange('0', '9') ? major.ToString() : null;
            }
        }
        catch (IOException)
        {
            // no /proc: nothing to tell
        }

        return null;
    }

    /// <summary>
    /// Maps the first <paramref name="length"/> bytes of <paramref name="file"/> readable, writable and shared with
    /// every process that maps it (<c>mmap(2)</c>); the mapping stays after the handle is closed. For a few bytes a
    /// process reads on its start: <see cref="System.IO.MemoryMappedFiles.MemoryMappedFile"/> costs a new worker ~2.5 ms
    /// more there (its assembly, its file stream), measured.
    /// </summary>
    /// <exception cref="IOException">The kernel refused the mapping.</exception>
    public static nint MapShared(SafeFileHandle file, nuint length)
    {
        const int ProtectionReadWrite = 0x1 | 0x2; // PROT_READ | PROT_WRITE
        const int SharedMapping = 0x01; // MAP_SHARED
        bool added = false;
        file.DangerousAddRef(ref added);
        try
        {
            nint address = Map(0, length, ProtectionReadWrite, SharedMapping, (int)file.DangerousGetHandle(), 0);
            return address != -1 ? address
                : throw new IOException($"Could not map {length} bytes of a shared file: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Maps the first <paramref name="length"/> bytes of the file at <paramref name="path"/> as <see cref="MapShared"/>
    /// does, opening and closing it with <c>open(2)</c> and <c>close(2)</c> on Linux: a new worker maps its task marker
    /// so before it connects, and <see cref="File.OpenHandle"/> costs such a process ~5 ms on its first use, measured.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="IOException">It could not be opened or mapped.</exception>
    public static nint MapSharedFile(string path, nuint length)
    {
        if (!OperatingSystem.IsLinux())
        {
            using SafeFileHandle opened = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            return MapShared(opened, length);
        }

        const int ReadWriteCloseOnExec = 0x2 | 0x80000; // O_RDWR | O_CLOEXEC
        const int NoSuchFile = 2; // ENOENT
        int fd = Open(path, ReadWriteCloseOnExec);
        if (fd < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            throw error == NoSuchFile
                ? new FileNotFoundException($"No file {path} to map.", path)
                : new IOException($"Could not open {path}: {Marshal.GetPInvokeErrorMessage(error)}.");
        }

        using var file = new SafeFileHandle(fd, ownsHandle: true);
        return MapShared(file, length);
    }

    /// <summary>Undoes <see cref="MapShared"/>.</summary>
    public static void Unmap(nint address, nuint length) => _ = UnmapCore(address, length);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Map(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int UnmapCore(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Advise(nint address, nuint length, int advice);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport("libc", EntryPoint = "getrandom", SetLastError = true)]
    private static unsafe partial nint GetRandom(byte* buffer, nuint length, uint flags);

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetParentProcessId();
}
