using System.Globalization;
using System.Runtime.InteropServices;
using ConcurrentFutures.Platform;

namespace ConcurrentFutures.Tests.Platform;

/// <summary>
/// Large arrays the library fills whole (a payload read, a relayed value, a queue item) ask Linux for huge pages: a
/// fresh array's first touch then faults once per 2 MB instead of once per 4 KB.
/// </summary>
public class LargeArrayTests
{
    [Fact]
    public void ALargeArray_IsAdvisedHugePages_WhereTheKernelOffersThemOnRequest()
    {
        if (!HugePagesOnRequest())
        {
            return; // no transparent huge pages here, or never: the array is an ordinary one (below)
        }

        byte[] array = NativeMethods.NewLargeArray(10 * 1024 * 1024);
        Assert.Equal(10 * 1024 * 1024, array.Length);
        Assert.Contains("hg", FlagsOfTheMappingHolding(array, offset: array.Length / 2));
    }

    [Fact]
    public unsafe void ALargeArray_IsAlreadyInMemory_BeforeItsFirstWrite()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Mapped in by the kernel in one call (MADV_POPULATE_WRITE), not a fault per page on the first write.
        byte[] array = NativeMethods.NewLargeArray(10 * 1024 * 1024 + 12345);
        fixed (byte* start = array)
        {
            long page = Environment.SystemPageSize;
            long first = (long)start & ~(page - 1);
            long end = ((long)start + array.Length + page - 1) & ~(page - 1);
            byte[] resident = new byte[(end - first) / page];
            Assert.Equal(0, MemoryResidency((nint)first, (nuint)(end - first), resident));
            Assert.Equal(-1, Array.FindIndex(resident, static r => (r & 1) == 0));
        }
    }

    [Fact]
    public void ASmallArray_IsAnOrdinaryOne_OfTheLengthAsked()
    {
        byte[] small = NativeMethods.NewLargeArray(NativeMethods.HugePageArrayThreshold - 1);
        Assert.Equal(NativeMethods.HugePageArrayThreshold - 1, small.Length);
        Assert.Empty(NativeMethods.NewLargeArray(0));
    }

    [Fact]
    public void ALargeArray_HoldsWhatIsWrittenIntoIt()
    {
        byte[] array = NativeMethods.NewLargeArray(12 * 1024 * 1024 + 5);
        array.AsSpan().Fill(0x5a);
        Assert.True(array.AsSpan().IndexOfAnyExcept((byte)0x5a) < 0);
    }

    [DllImport("libc", EntryPoint = "mincore")]
    private static extern int MemoryResidency(nint address, nuint length, byte[] vector);

    private static bool HugePagesOnRequest() =>
        OperatingSystem.IsLinux() && File.Exists("/sys/kernel/mm/transparent_hugepage/enabled")
        && File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled") is var mode
        && (mode.Contains("[madvise]", StringComparison.Ordinal) || mode.Contains("[always]", StringComparison.Ordinal));

    /// <summary>The VmFlags of the mapping in /proc/self/smaps that holds <paramref name="array"/>'s byte at <paramref name="offset"/>.</summary>
    private static unsafe string[] FlagsOfTheMappingHolding(byte[] array, int offset)
    {
        ulong address;
        fixed (byte* start = array)
        {
            address = (ulong)(start + offset);
        }

        bool inside = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.IndexOf('-', StringComparison.Ordinal) is int dash and > 0 && line.IndexOf(' ', StringComparison.Ordinal) > dash)
            {
                ulong low = ulong.Parse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                ulong high = ulong.Parse(line.AsSpan(dash + 1, line.IndexOf(' ', StringComparison.Ordinal) - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                inside = address >= low && address < high;
            }
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
        }

        throw new InvalidOperationException($"No mapping holds 0x{address:x}.");
    }
}
