using System.Diagnostics;

namespace ConcurrentFutures.Tests.Processes;

/// <summary>Starts ConcurrentFutures.Tests.PoolHost (built beside the tests) as a separate process.</summary>
internal static class ChildProgram
{
    public static Process Start(params string[] arguments)
    {
        string testDirectory = AppContext.BaseDirectory;
        string hostDirectory = testDirectory.Replace(
            $"{Path.DirectorySeparatorChar}ConcurrentFutures.Tests{Path.DirectorySeparatorChar}",
            $"{Path.DirectorySeparatorChar}ConcurrentFutures.Tests.PoolHost{Path.DirectorySeparatorChar}",
            StringComparison.Ordinal);
        string dll = Path.Combine(hostDirectory, "ConcurrentFutures.Tests.PoolHost.dll");
        Assert.True(File.Exists(dll), $"the child program was not built at {dll}");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var startInfo = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(dll);
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Process.Start(startInfo)!;
    }

    /// <summary>Runs the child program in <paramref name="mode"/> to its end (at most a minute): its output lines, after checking it exited with 0.</summary>
    public static string[] RunToEnd(string mode)
    {
        using Process child = Start(mode);
        try
        {
            string output = child.StandardOutput.ReadToEnd();
            Assert.True(child.WaitForExit(60_000));
            Assert.True(child.ExitCode == 0, $"exit {child.ExitCode}: {output}{child.StandardError.ReadToEnd()}");
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        finally
        {
            KillIfAlive(child.Id);
        }
    }

    /// <summary>True when the process no longer runs (gone, or a zombie waiting to be reaped by whoever adopted it).</summary>
    public static bool IsGone(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return StatFields(pid) is not { } fields || fields[0] is "Z" or "X";
        }

        return ProcessPoolExecutorTests.ProcessIsGone(pid);
    }

    /// <summary>The parent pid of a running process (Linux), or 0 when it is gone or unknown.</summary>
    public static int ParentOf(int pid) =>
        StatFields(pid) is { } fields ? int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>The processes whose parent is <paramref name="parent"/> (Linux; none elsewhere).</summary>
    public static int[] ChildrenOf(int parent) =>
        !OperatingSystem.IsLinux() ? [] : [.. Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out int pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == parent)];

    /// <summary>A /proc file of a process (its cmdline, environ…), or "" when the process is gone or it cannot be read.</summary>
    public static string ReadProc(int pid, string name)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/{name}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>The fields of /proc/PID/stat after the command name (state, ppid, …), or null when there is none.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            string text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Kills a process by pid if it still runs (test cleanup; only processes the test started).</summary>
    public static void KillIfAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }
}
