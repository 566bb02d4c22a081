using System.Diagnostics;

namespace ConcurrentFutures.Platform;

/// <summary>
/// Removes pools' files even when this process is killed outright (SIGKILL) and cannot do it itself: one
/// <c>/bin/sh</c> child per process, started with the first pool, that collects the name prefixes it is told (one per
/// line on its standard input, a pipe only this process holds) until that pipe closes — which happens when this
/// process ends, however it ends. It then deletes whatever still exists under those prefixes, using only shell
/// builtins when nothing is left (pools disposed normally deleted their own files), and exits. Every file the library
/// makes is named <c>cf-{pid}-…</c> (<see cref="StaleFiles"/>), so the janitor is told one prefix per folder
/// (<c>/tmp/cf-{pid}-</c>, <c>/dev/shm/cf-{pid}-</c>), once: a pool's start does not wake it, and an app that makes
/// pools all day does not grow its list. Terminal signals are ignored, so a Ctrl+C that ends the app does not end the
/// janitor first. Without a shell (Windows) there is no janitor, and the next pool created sweeps what dead processes
/// left.
/// </summary>
internal static class Janitor
{
    private const string Script = """
        trap '' INT TERM HUP QUIT
        while IFS= read -r line; do set -- "$@" "$line"; done
        for prefix in "$@"; do
          for entry in "$prefix"*; do if [ -e "$entry" ]; then rm -rf -- "$entry" 2>/dev/null; fi; done
        done
        """;

    private static readonly Lock s_lock = new();
    private static Process? s_shell;
    private static bool s_unavailable;

    /// <summary>The prefixes the janitor has been told.</summary>
    private static readonly HashSet<string> s_prefixes = new(StringComparer.Ordinal);

    /// <summary>
    /// Has the janitor delete <paramref name="directory"/> (if given) and every file starting with
    /// <paramref name="filePrefix"/> (if given) when this process ends — with everything else of this process's in
    /// their folders: both are named <c>cf-{pid}-…</c>, and the janitor is told that prefix of each folder once.
    /// </summary>
    public static void Watch(string? directory, string? filePrefix = null)
    {
        lock (s_lock)
        {
            if (s_unavailable || (s_shell is null && !TryStart()))
            {
                return;
            }

            try
            {
                foreach (string? path in new[] { directory, filePrefix })
                {
                    if (path is not null && PrefixOf(path) is var prefix && s_prefixes.Add(prefix))
                    {
                        s_shell!.StandardInput.Write($"{prefix}\n");
                    }
                }

                s_shell!.StandardInput.Flush();
            }
            catch (IOException)
            {
                s_unavailable = true; // someone ended it; stale files are swept by the next process's first pool
            }
        }
    }

    /// <summary><c>/tmp/cf-{pid}-</c> for <c>/tmp/cf-{pid}-{random}…</c>; a path named otherwise stands for itself.</summary>
    private static string PrefixOf(string path)
    {
        string prefix = Path.Combine(Path.GetDirectoryName(path) ?? string.Empty, StaleFiles.OwnPrefix);
        return path.StartsWith(prefix, StringComparison.Ordinal) ? prefix : path;
    }

    private static bool TryStart()
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/sh"))
        {
            s_unavailable = true;
            return false;
        }

        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
        foreach (string argument in new[] { "-c", Script, "concurrentfutures-janitor" })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            s_shell = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            s_shell = null;
        }

        s_unavailable = s_shell is null;
        return s_shell is not null;
    }
}
