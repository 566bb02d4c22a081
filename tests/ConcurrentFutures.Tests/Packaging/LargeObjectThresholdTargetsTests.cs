using System.Diagnostics;
using System.Text.Json;

namespace ConcurrentFutures.Tests.Packaging;

/// <summary>
/// The package's MSBuild targets (build/ConcurrentFutures.targets, also in buildTransitive/) on a small app of their own:
/// what its runtimeconfig.json gets, by default and when the app chose otherwise.
/// </summary>
public sealed class LargeObjectThresholdTargetsTests : IDisposable
{
    private const string Setting = "System.GC.LOHThreshold";
    private readonly string _directory = Directory.CreateTempSubdirectory("cf-targets-").FullName;
    private int _apps;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AnApp_GetsA2MBThreshold_ByDefault()
    {
        Assert.Equal(2_097_152, Threshold(Generate(App())));
    }

    [Fact]
    public void AnAppsOwnThreshold_InItsProject_IsKept()
    {
        Assert.Equal(4_000_000, Threshold(Generate(App(items: $"<RuntimeHostConfigurationOption Include=\"{Setting}\" Value=\"4000000\" />"))));
    }

    [Fact]
    public void AnAppsOwnThreshold_InItsRuntimeConfigTemplate_IsKept()
    {
        string project = App();
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(project)!, "runtimeconfig.template.json"), $$"""{ "configProperties": { "{{Setting}}": 300000 } }""");
        Assert.Equal(300_000, Threshold(Generate(project)));
    }

    [Fact]
    public void AnApp_CanChooseTheSize_OrOptOut()
    {
        Assert.Equal(4_194_304, Threshold(Generate(App(properties: "<ConcurrentFuturesLargeObjectThreshold>4194304</ConcurrentFuturesLargeObjectThreshold>"))));
        Assert.Null(Threshold(Generate(App(properties: "<ConcurrentFuturesLargeObjectThreshold>false</ConcurrentFuturesLargeObjectThreshold>"))));
    }

    [Fact]
    public void OptingOut_OnAnAppAlreadyBuilt_WritesItsRuntimeConfigAgain()
    {
        // Whole builds, as an app's: its runtimeconfig.json is written only when what the SDK hashes of its options changed.
        string project = App();
        Assert.Equal(2_097_152, Threshold(Generate(project, "-t:Build")));
        Assert.Null(Threshold(Generate(project, "-t:Build", "-p:ConcurrentFuturesLargeObjectThreshold=false")));
        Assert.Equal(2_097_152, Threshold(Generate(project, "-t:Build")));
    }

    [Fact]
    public void ASizeThatIsNotANumber_FailsTheBuild_NamingTheProperty()
    {
        (int exitCode, string output) = MSBuild(App(properties: "<ConcurrentFuturesLargeObjectThreshold>2MB</ConcurrentFuturesLargeObjectThreshold>"));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("ConcurrentFuturesLargeObjectThreshold must be a number of bytes or 'false'; it is '2MB'", output, StringComparison.Ordinal);
    }

    private static string TargetsFile()
    {
        DirectoryInfo? root = new(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "ConcurrentFutures.slnx")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        return Path.Combine(root.FullName, "src", "ConcurrentFutures", "build", "ConcurrentFutures.targets");
    }

    /// <summary>A console app importing the targets as NuGet imports a package's build/ folder: after its project.</summary>
    private string App(string properties = "", string items = "")
    {
        string directory = Directory.CreateDirectory(Path.Combine(_directory, $"app{++_apps}")).FullName;
        string project = Path.Combine(directory, "App.csproj");
        File.WriteAllText(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net{Environment.Version.Major}.{Environment.Version.Minor}</TargetFramework>
                {properties}
              </PropertyGroup>
              <ItemGroup>{items}</ItemGroup>
              <Import Project="{TargetsFile()}" />
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), "System.Console.WriteLine();");
        return project;
    }

    private static string Generate(string project, params string[] arguments)
    {
        (int exitCode, string output) = MSBuild(project, arguments);
        Assert.True(exitCode == 0, output);
        string config = Directory.EnumerateFiles(Path.GetDirectoryName(project)!, "App.runtimeconfig.json", SearchOption.AllDirectories).Single();
        return File.ReadAllText(config);
    }

    private static int? Threshold(string runtimeConfig)
    {
        using JsonDocument document = JsonDocument.Parse(runtimeConfig);
        JsonElement options = document.RootElement.GetProperty("runtimeOptions");
        return options.TryGetProperty("configProperties", out JsonElement properties) && properties.TryGetProperty(Setting, out JsonElement value)
            ? value.GetInt32()
            : null;
    }

    /// <summary>Restores the app and writes its runtimeconfig.json (the target the SDK builds it with, no compile), or runs the targets given.</summary>
    private static (int ExitCode, string Output) MSBuild(string project, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(project)!,
            ArgumentList = { "msbuild", project, "-restore", "-nologo", "-v:minimal", "-nodeReuse:false" },
        };
        if (!arguments.Any(a => a.StartsWith("-t:", StringComparison.Ordinal)))
        {
            startInfo.ArgumentList.Add("-t:PrepareForBuild;GenerateBuildRuntimeConfigurationFiles");
        }

        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The test host's own MSBuild settings are not the app's.
        foreach (string name in startInfo.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        using Process process = Process.Start(startInfo)!;
        try
        {
            Task<string> error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(120_000), "msbuild did not finish within 120 s");
            return (process.ExitCode, output + error.Result);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
