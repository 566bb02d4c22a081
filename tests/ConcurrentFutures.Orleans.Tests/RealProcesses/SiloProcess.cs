using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ConcurrentFutures.Orleans.Tests.RealProcesses;

/// <summary>
/// A <c>samples/ClusterWorker</c> silo in its own process, started from the sample's own build output (so it has the
/// sample's assemblies and not the tests'). It is told the test process's PID, so it stops if the tests die; Dispose
/// kills it by PID in any case.
/// </summary>
public sealed class SiloProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    /// <summary>A copy of the sample that another user can read, when the silo runs as one; deleted with the silo.</summary>
    private readonly string? _copy;

    private SiloProcess(int siloPort, int gatewayPort, IEnumerable<string> arguments, int payloadPort = 0, int? uid = null, bool ownSharedMemory = false)
    {
        (SiloPort, GatewayPort, PayloadPort, Uid) = (siloPort, gatewayPort, payloadPort, uid);
        var start = new ProcessStartInfo(uid is null ? "dotnet" : "/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (ownSharedMemory)
        {
            // In a mount namespace of its own with an empty /dev/shm: as on another machine, the silos' shared-memory
            // files are not there. The shell execs dotnet, so the process is the app's own.
            start.FileName = "/usr/bin/unshare";
            foreach (string option in new[] { "--mount", "--propagation", "private", "/bin/sh", "-c", "mount -t tmpfs tmpfs /dev/shm && exec dotnet \"$@\"", "sh", SampleDll })
            {
                start.ArgumentList.Add(option);
            }
        }
        else if (uid is int user && OperatingSystem.IsLinux())
        {
            // As another user (so iptables can drop this silo's packets by owner): from a copy it can read, whatever the
            // permissions of the checkout, with a home of its own.
            _copy = Directory.CreateTempSubdirectory("cf-silo-as-" + user + "-").FullName;
            CopyDirectory(Path.GetDirectoryName(SampleDll)!, _copy);
            string home = Path.Combine(_copy, "home");
            Directory.CreateDirectory(home);
            File.SetUnixFileMode(_copy, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(home, (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit);
            start.WorkingDirectory = _copy; // the host's content root: the checkout may not be readable to that user
            start.Environment["HOME"] = home;
            start.Environment["DOTNET_CLI_HOME"] = home;
            start.Environment["TMPDIR"] = "/tmp";
            foreach (string option in new[] { $"--reuid={user}", $"--regid={user}", "--clear-groups", "/usr/bin/dotnet", Path.Combine(_copy, "ClusterWorker.dll") })
            {
                start.ArgumentList.Add(option);
            }
        }
        else
        {
            start.ArgumentList.Add(SampleDll);
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--parent-pid");
        start.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException($"The silo exited with code {_process.ExitCode} before it was ready:\n{Output}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    /// <summary>The port the silo takes large values and the executor's probes on (0: one it picked).</summary>
    public int PayloadPort { get; }

    /// <summary>The user the silo runs as, when not the tests' own.</summary>
    public int? Uid { get; }

    public int Pid => _process.Id;

    /// <summary>True once the silo process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>A client of these silos, through their gateways.</summary>
    public static Task<ClusterExecutor> ConnectAsync(ClusterExecutorOptions options, params SiloProcess[] silos)
    {
        foreach (SiloProcess silo in silos)
        {
            options.GatewayPorts.Add(silo.GatewayPort);
        }

        return ClusterExecutor.ConnectAsync(options);
    }

    /// <summary>Waits until the executor sees <paramref name="count"/> silos.</summary>
    public static async Task WaitForSilosAsync(ClusterExecutor executor, int count, TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        while (executor.SiloCount < count)
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>The sample's dll in its own output folder, built with the same configuration as these tests.</summary>
    private static string SampleDll
    {
        get
        {
            var tests = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // tests/X/bin/<Configuration>/<tfm>
            string framework = tests.Name;
            string configuration = tests.Parent!.Name;
            DirectoryInfo? root = tests;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "ConcurrentFutures.slnx")))
            {
                root = root.Parent;
            }

            string dll = Path.Combine(root?.FullName ?? throw new InvalidOperationException("The repository root (ConcurrentFutures.slnx) was not found above " + tests.FullName), "samples", "ClusterWorker", "bin", configuration, framework, "ClusterWorker.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build samples/ClusterWorker first.");
        }
    }

    /// <summary>Starts the sample's client (<c>--client</c> and <paramref name="arguments"/>); returns once it has connected.</summary>
    public static Task<SiloProcess> StartClientAsync(params string[] arguments) => StartClientAsync(ownSharedMemory: false, arguments);

    /// <summary>
    /// Starts the sample's client as <see cref="StartClientAsync"/> does, with a <c>/dev/shm</c> of its own (a mount
    /// namespace: root only): as on another machine, the silos' shared memory is not where it looks.
    /// </summary>
    public static Task<SiloProcess> StartClientInOwnSharedMemoryAsync(params string[] arguments) => StartClientAsync(ownSharedMemory: true, arguments);

    private static async Task<SiloProcess> StartClientAsync(bool ownSharedMemory, string[] arguments)
    {
        var client = new SiloProcess(0, 0, ["--client", .. arguments], ownSharedMemory: ownSharedMemory);
        try
        {
            await client._ready.Task.WaitAsync(StartTimeout);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>True when a process can be given a <c>/dev/shm</c> of its own here (root, with <c>unshare</c>).</summary>
    public static bool OwnSharedMemoryAvailable { get; } = OperatingSystem.IsLinux() && Environment.UserName == "root" && File.Exists("/usr/bin/unshare");

    /// <summary>A localhost silo with Orleans' default failure detection (a silo is declared dead slowly, or with two silos not at all).</summary>
    /// <param name="primary">The primary silo, or null to start the primary.</param>
    /// <param name="uid">Run the silo as this user (root only), so its packets can be told apart; null: as the tests.</param>
    public static Task<SiloProcess> StartLocalhostWithDefaultDetectionAsync(SiloProcess? primary, int? uid = null) =>
        StartAsync(["--cluster", "localhost"], primary is null ? [] : ["--primary-port", primary.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture)], uid);

    /// <summary>Starts a silo with localhost clustering; <paramref name="primary"/> null makes it the primary.</summary>
    /// <param name="primary">The primary silo, or null.</param>
    /// <param name="extra">More silo arguments (e.g. <c>--max-workers 1</c>).</param>
    public static Task<SiloProcess> StartLocalhostAsync(SiloProcess? primary, params string[] extra) =>
        StartAsync(["--cluster", "localhost", "--fast-failure-detection"], [.. primary is null ? [] : new[] { "--primary-port", primary.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture) }, .. extra]);

    /// <summary>Starts a silo that finds the cluster through Redis.</summary>
    public static Task<SiloProcess> StartRedisAsync(string redis, string clusterId) =>
        StartAsync(["--cluster", "redis", "--redis", redis, "--cluster-id", clusterId, "--fast-failure-detection"], []);

    private static async Task<SiloProcess> StartAsync(string[] cluster, string[] more, int? uid = null)
    {
        int siloPort = FreePort();
        int gatewayPort = FreePort();
        int payloadPort = FreePort();
        var silo = new SiloProcess(
            siloPort,
            gatewayPort,
            [.. cluster, "--silo-port", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--gateway-port", gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--payload-port", payloadPort.ToString(System.Globalization.CultureInfo.InvariantCulture), .. more],
            payloadPort,
            uid);
        try
        {
            await silo._ready.Task.WaitAsync(StartTimeout);
            return silo;
        }
        catch (TimeoutException)
        {
            string output = silo.Output;
            silo.Dispose();
            throw new TimeoutException($"The silo did not become ready within {StartTimeout}:\n{output}");
        }
        catch
        {
            silo.Dispose();
            throw;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGTERM, as a service manager stops a silo: it should leave gracefully. Returns at once.</summary>
    public void Terminate()
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit(10_000);
    }

    /// <summary>SIGSTOP: the process is alive but silent, the classic gray failure. <see cref="Thaw"/> resumes it.</summary>
    public void Freeze() => Signal("-STOP");

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Thaw() => Signal("-CONT");

    private void Signal(string signal)
    {
        if (_process.HasExited)
        {
            return; // its PID may belong to another process by now
        }

        using var kill = System.Diagnostics.Process.Start("kill", [signal, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit(10_000);
    }

    /// <summary>Waits for the silo process to end; its exit code, or null if it did not end in time.</summary>
    public int? WaitForExit(TimeSpan patience)
    {
        if (!_process.WaitForExit(patience))
        {
            return null;
        }

        _process.WaitForExit(); // and its output read to the end
        return _process.ExitCode;
    }

    /// <summary>SIGKILL, as a crashed machine would look: no goodbye to the cluster.</summary>
    public void Kill()
    {
        int pid = -1;
        try
        {
            pid = _process.Id;
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone (or never started)
        }

        _process.WaitForExit(10_000);
        if (pid > 0)
        {
            RemoveFilesOf(pid);
        }
    }

    /// <summary>
    /// What the killed tree leaves: its pools' socket folders and shared-memory files (<c>cf-{pid}-…</c>). The silo's
    /// janitor shell would remove them, but it is part of the tree killed; the library's next pool would sweep them.
    /// </summary>
    private static void RemoveFilesOf(int pid)
    {
        foreach (string folder in new[] { Path.GetTempPath(), "/tmp", "/dev/shm" }.Where(Directory.Exists).Distinct())
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(folder, $"cf-{pid}-*"))
            {
                ConcurrentFutures.Platform.StaleFiles.Delete(entry); // as the library's own sweep does
            }
        }
    }

    public void Dispose()
    {
        Thaw(); // a frozen process cannot run its exit, and the kill below must not wait on it
        Kill();
        _process.Dispose();
        if (_copy is not null)
        {
            try
            {
                Directory.Delete(_copy, recursive: true);
            }
            catch (IOException)
            {
                // a worker of the silo still ending; the temp folder is cleaned by the OS eventually
            }
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (line.StartsWith("silo ready", StringComparison.Ordinal) || line.StartsWith("client connected", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }
}
