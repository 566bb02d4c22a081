using System.Diagnostics;

namespace ConcurrentFutures.Platform;

/// <summary>
/// Removes pools' files even when this process is killed outright (SIGKILL) and cannot do it itself: one
/// <c>/bin/sh</c> child per process, started with the first pool, that collects the paths it is told (one per line
/// on its standard input, a pipe only this process holds) until that pipe closes — which happens when this process
/// ends, however it ends. It then deletes whatever of those paths still exists, using only shell builtins when
/// nothing is left (pools disposed normally deleted their own files), and exits. Terminal signals are ignored, so
/// a Ctrl+C that ends the app does not end the janitor first. Without a shell (Windows) there is no janitor, and the
/// next pool created sweeps what dead processes left.
/// </summary>
internal static class Janitor
{
    private const string Script = """
        trap '' INT TERM HUP QUIT
        while IFS= read -r line; do set -- "$@" "$line"; done
        for entry in "$@"; do
          case $entry in
            "d "*) path=${entry#d }; if [ -e "$path" ]; then rm -rf -- "$path" 2>/dev/null; fi ;;
            "p "*) for file in "${entry#p }"*; do if [ -e "$file" ]; then rm -f -- "$file" 2>/dev/null; fi; done ;;
          esac
        done
        """;

    private static readonly Lock s_lock = new();
    private static Process? s_shell;
    private static bool s_unavailable;

    /// <summary>Has the janitor delete <paramref name="directory"/> (if given) and every file starting with <paramref name="filePrefix"/> (if given) when this process ends.</summary>
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
                string lines = (directory is null ? string.Empty : $"d {directory}\n") + (filePrefix is null ? string.Empty : $"p {filePrefix}\n");
                s_shell!.StandardInput.Write(lines);
                s_shell.StandardInput.Flush();
            }
            catch (IOException)
            {
                s_unavailable = true; // someone ended it; stale files are swept by the next process's first pool
            }
        }
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
