namespace ConcurrentFutures.Platform;

/// <summary>
/// A directory only this user can enter (0700), named <c>cf-{pid}-{random}</c> under the temp folder so that a sweep
/// by a later process can tell whose it was (see <see cref="StaleFiles"/>). Pools keep their socket there, the
/// multiprocessing objects their call files.
/// </summary>
internal static class PrivateDirectory
{
    /// <summary>Unix socket paths are limited to about 100 bytes: a longer temp folder is replaced by /tmp.</summary>
    private const int MaxRootLength = 60;

    /// <summary>Creates a new private directory and returns its path; the caller deletes it (the janitor if it is killed).</summary>
    public static string Create()
    {
        string root = Path.GetTempPath();
        string path = Path.Combine(root.Length > MaxRootLength ? "/tmp" : root, StaleFiles.NewName());
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
