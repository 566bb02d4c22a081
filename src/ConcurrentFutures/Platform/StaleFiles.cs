using System.Globalization;

namespace ConcurrentFutures.Platform;

/// <summary>
/// Pools name their socket directory and shared-memory files <c>cf-{ownerPid}-{random}</c>. A parent killed
/// outright (SIGKILL) cannot remove them, so the first pool of each process removes entries whose owner is gone.
/// </summary>
internal static class StaleFiles
{
    private static int s_swept;

    /// <summary>How the names of this process's files begin: <c>cf-{pid}-</c>.</summary>
    /// <remarks>Culture-free (<see cref="CultureFreeDigits"/>): a standby worker's rehearsal names its files with it.</remarks>
    public static string OwnPrefix { get; } = "cf-" + CultureFreeDigits.Format(Environment.ProcessId) + "-";

    /// <summary>A new name for one of this process's pool files: <c>cf-{pid}-{random}</c>.</summary>
    public static string NewName() =>
        OwnPrefix + NativeMethods.RandomHex(8);

    /// <summary>Once per process: deletes pool files left by processes that no longer exist (Linux only).</summary>
    public static void SweepOnce(params string[] directories)
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref s_swept, 1) != 0)
        {
            return;
        }

        foreach (string directory in directories.Distinct())
        {
            try
            {
                foreach (string entry in Directory.EnumerateFileSystemEntries(directory, "cf-*"))
                {
                    string[] parts = Path.GetFileName(entry).Split('-');
                    if (parts.Length >= 3 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int owner)
                        && owner != Environment.ProcessId && !NativeMethods.IsRunning(owner))
                    {
                        Delete(entry);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: another user's files, or a race with their owner.
            }
        }
    }

    public static void Delete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
