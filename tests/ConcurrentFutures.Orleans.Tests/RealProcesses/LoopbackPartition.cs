using System.Diagnostics;
using System.Globalization;

namespace ConcurrentFutures.Orleans.Tests.RealProcesses;

/// <summary>
/// Cuts one silo off the network with iptables, on loopback only: every packet its user's sockets send is dropped, and
/// every packet to its ports. Its process keeps running. <see cref="Dispose"/> (and, should the test process end first,
/// its exit) removes exactly the rules it added; rules a killed earlier run left behind are removed before adding any.
/// Needs root and iptables (CI has both: <c>.ci/run</c> installs iptables).
/// </summary>
public sealed class LoopbackPartition : IDisposable
{
    /// <summary>Marks the rules this class adds, so that only they are ever removed.</summary>
    private const string Comment = "concurrentfutures-test-partition";

    private readonly List<string[]> _rules = [];
    private bool _healed;

    public LoopbackPartition(int uid, params int[] ports)
    {
        RemoveLeftovers();
        _rules.Add(["OUTPUT", "-o", "lo", "-m", "owner", "--uid-owner", uid.ToString(CultureInfo.InvariantCulture)]);
        foreach (int port in ports)
        {
            _rules.Add(["INPUT", "-i", "lo", "-p", "tcp", "--dport", port.ToString(CultureInfo.InvariantCulture)]);
        }

        AppDomain.CurrentDomain.ProcessExit += OnExit;
        try
        {
            foreach (string[] rule in _rules)
            {
                Iptables(["-A", .. rule, "-m", "comment", "--comment", Comment, "-j", "DROP"]);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>True when this process may change iptables rules (root, iptables and setpriv installed).</summary>
    public static bool Available { get; } = OperatingSystem.IsLinux() && Environment.UserName == "root"
        && File.Exists("/usr/sbin/iptables") && File.Exists("/usr/bin/setpriv") && Run("/usr/sbin/iptables", ["-S", "OUTPUT"]).Status == 0;

    /// <summary>The rules currently in place that this class added (normally none, or those of one partition).</summary>
    public static IReadOnlyList<string> Rules() =>
        [.. Run("/usr/sbin/iptables", ["-S"]).Output.Split('\n').Where(line => line.Contains(Comment, StringComparison.Ordinal))];

    /// <summary>Heals the partition: removes its rules.</summary>
    public void Dispose()
    {
        if (_healed)
        {
            return;
        }

        _healed = true;
        AppDomain.CurrentDomain.ProcessExit -= OnExit;
        foreach (string[] rule in _rules)
        {
            Run("/usr/sbin/iptables", ["-D", .. rule, "-m", "comment", "--comment", Comment, "-j", "DROP"]); // absent if adding failed
        }

        RemoveLeftovers();
    }

    private void OnExit(object? sender, EventArgs e) => Dispose();

    private static void RemoveLeftovers()
    {
        foreach (string line in Rules())
        {
            // "-A INPUT -i lo ... -j DROP" as listed; deleting takes the same words after -D.
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is ["-A", ..])
            {
                Run("/usr/sbin/iptables", ["-D", .. words[1..].Select(w => w.Trim('"'))]);
            }
        }
    }

    private static void Iptables(string[] arguments)
    {
        (int status, string output) = Run("/usr/sbin/iptables", arguments);
        if (status != 0)
        {
            throw new InvalidOperationException($"iptables {string.Join(' ', arguments)} failed ({status}): {output}");
        }
    }

    private static (int Status, string Output) Run(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using Process process = Process.Start(start)!;
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(30_000))
            {
                process.Kill();
                return (-1, "timed out");
            }

            return (process.ExitCode, output.Result + error.Result);
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return (-1, exception.Message);
        }
    }
}

/// <summary>A theory that cuts a silo off with iptables: skipped, saying why, unless the tests run as root with iptables.</summary>
public sealed class PartitionTheoryAttribute : TheoryAttribute
{
    public PartitionTheoryAttribute()
    {
        if (!LoopbackPartition.Available)
        {
            Skip = "Cutting a silo off needs root, iptables and setpriv (on Debian: apt-get install iptables; .ci/run installs it and CI runs as root).";
        }
    }
}
