using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ConcurrentFutures.Processes;

/// <summary>
/// Knows how to start a worker: the dotnet muxer, the application's own deps.json and runtimeconfig.json (so the
/// worker resolves every assembly the parent can), and this assembly as the entry point. Works for apps started with
/// <c>dotnet run</c>, <c>dotnet app.dll</c>, an apphost, and under <c>dotnet test</c>.
/// </summary>
internal sealed class WorkerLauncher
{
    private readonly string _dotnet;
    private readonly string _depsFile;
    private readonly string _runtimeConfig;
    private readonly string _entryAssembly;

    private WorkerLauncher(string dotnet, string depsFile, string runtimeConfig, string entryAssembly) =>
        (_dotnet, _depsFile, _runtimeConfig, _entryAssembly) = (dotnet, depsFile, runtimeConfig, entryAssembly);

    /// <summary>Finds what a worker needs, writing a runtimeconfig into <paramref name="scratchDirectory"/> if the app has none.</summary>
    /// <exception cref="PlatformNotSupportedException">The app is single-file or Native AOT, so its assemblies are not on disk.</exception>
    public static WorkerLauncher Discover(string scratchDirectory)
    {
        string entry = typeof(WorkerLauncher).Assembly.Location;
        if (string.IsNullOrEmpty(entry))
        {
            throw new PlatformNotSupportedException("ProcessPoolExecutor needs the application's assemblies as files on disk; single-file and Native AOT applications cannot start worker processes.");
        }

        string runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        string? depsFile = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?
            .Split(';', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(path => !path.StartsWith(Path.GetDirectoryName(Path.GetDirectoryName(runtimeDirectory.TrimEnd('/')))!, StringComparison.Ordinal) && File.Exists(path));
        if (depsFile is null)
        {
            throw new PlatformNotSupportedException("ProcessPoolExecutor could not find the application's .deps.json; start the app with 'dotnet run', 'dotnet app.dll' or its apphost.");
        }

        string runtimeConfig = depsFile[..^".deps.json".Length] + ".runtimeconfig.json";
        if (!File.Exists(runtimeConfig))
        {
            runtimeConfig = Path.Combine(scratchDirectory, "worker.runtimeconfig.json");
            string version = Environment.Version.ToString();
            string tfm = string.Create(CultureInfo.InvariantCulture, $"net{Environment.Version.Major}.{Environment.Version.Minor}");
            File.WriteAllText(runtimeConfig, "{\"runtimeOptions\":{\"tfm\":\"" + tfm + "\",\"framework\":{\"name\":\"Microsoft.NETCore.App\",\"version\":\"" + version + "\"}}}");
        }

        return new WorkerLauncher(FindDotnet(runtimeDirectory), depsFile, runtimeConfig, entry);
    }

    /// <summary>
    /// Starts one worker process; it inherits this process's console so user output appears there (its input too,
    /// unless <paramref name="redirectInput"/>: a standby worker reads its pool's settings there).
    /// </summary>
    public Process Start(IReadOnlyDictionary<string, string> environment, bool redirectInput = false)
    {
        var startInfo = new ProcessStartInfo(_dotnet)
        {
            UseShellExecute = false,
            RedirectStandardInput = redirectInput,
            ArgumentList = { "exec", "--runtimeconfig", _runtimeConfig, "--depsfile", _depsFile, _entryAssembly },
        };
        foreach ((string name, string value) in WorkerEnvironment.RuntimeDefaults().Concat(environment))
        {
            startInfo.Environment[name] = value;
        }

        return Process.Start(startInfo) ?? throw new BrokenProcessPoolException($"Could not start a worker process ({_dotnet}).");
    }

    private static string FindDotnet(string runtimeDirectory)
    {
        string executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == executable)
        {
            return self;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet
        string root = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        string candidate = Path.Combine(root, executable);
        return File.Exists(candidate)
            ? candidate
            : throw new PlatformNotSupportedException($"ProcessPoolExecutor could not find the dotnet executable near {runtimeDirectory}; set DOTNET_HOST_PATH.");
    }
}
