using System.Diagnostics;

namespace ConcurrentFutures.Processes;

/// <summary>
/// Removes a pool's files even when this process is killed outright (SIGKILL) and cannot do it itself: a
/// <c>/bin/sh</c> child that reads its standard input, a pipe only this process holds. The pipe closes when the pool
/// is disposed or this process dies, however it dies; the shell then deletes the socket directory and the pool's
/// shared-memory files and exits. Disposing the pool deletes the files first, so the shell finds nothing left.
/// Without a shell (Windows) there is no janitor, and the next pool created sweeps what dead processes left.
/// </summary>
internal sealed class Janitor : IDisposable
{
    // Ignores terminal signals (a Ctrl+C for the app must not kill the janitor before the app is gone); only the end
    // of its input ends it. `read` is a shell builtin: no further process.
    private const string Script = "trap '' INT TERM HUP QUIT; while read -r _; do :; done; rm -rf -- \"$1\" 2>/dev/null; rm -f -- \"$2\"* 2>/dev/null";

    private readonly Process? _shell;

    private Janitor(Process? shell) => _shell = shell;

    /// <summary>Starts the janitor for a pool's socket directory and shared-memory file prefix.</summary>
    public static Janitor Start(string directory, string sharedMemoryPrefix)
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/sh"))
        {
            return new Janitor(null);
        }

        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
        foreach (string argument in new[] { "-c", Script, "concurrentfutures-janitor", directory, sharedMemoryPrefix })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            return new Janitor(Process.Start(start));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new Janitor(null); // the pool works without it; stale files are swept by the next pool
        }
    }

    /// <summary>Ends the janitor: its input closes, it finds the files already gone, and exits.</summary>
    public void Dispose()
    {
        if (_shell is null)
        {
            return;
        }

        try
        {
            _shell.StandardInput.Close();
            if (!_shell.WaitForExit(2_000))
            {
                _shell.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        finally
        {
            _shell.Dispose();
        }
    }
}
