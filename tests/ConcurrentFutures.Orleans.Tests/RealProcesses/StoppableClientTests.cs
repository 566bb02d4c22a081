using System.Globalization;

namespace ConcurrentFutures.Orleans.Tests.RealProcesses;

/// <summary>
/// An app holding a <see cref="ClusterExecutor"/> from <c>ConnectAsync</c> leaves SIGTERM to the app: it ends as a plain
/// .NET 10 console app does (the signal's default action, exit status 143: measured here, a plain console app's
/// <c>ProcessExit</c> does not run on SIGTERM either), even with a Map waiting on the cluster. Before, the client host
/// that <c>ConnectAsync</c> builds took the signal and the app ran on.
/// </summary>
[Trait("Category", "RealCluster")]
[Collection(RealSilos.Name)]
public class StoppableClientTests
{
    [Fact]
    public async Task AClientAppWithAMapInFlight_ExitsOnSigterm()
    {
        using SiloProcess silo = await SiloProcess.StartLocalhostAsync(primary: null);
        using SiloProcess client = await SiloProcess.StartClientAsync(
            "--gateway-port", silo.GatewayPort.ToString(CultureInfo.InvariantCulture), "--work", "noop", "--items", "100000000", "--chunk-size", "1");
        await Task.Delay(TimeSpan.FromSeconds(2)); // the Map is under way

        client.Terminate();

        Assert.Equal(143, client.WaitForExit(TimeSpan.FromSeconds(15))); // before: still running, the signal taken by the client's host
        Assert.False(silo.HasExited, silo.Output);
    }

    /// <summary>
    /// The same client inside a Generic Host: the host's own lifetime takes SIGTERM (not the Orleans client that
    /// <c>ConnectAsync</c> builds), stops its services — which cancels the Map and shuts the executor down — and the app
    /// ends normally.
    /// </summary>
    [Fact]
    public async Task AHostedClientWithAMapInFlight_StopsThroughItsHostOnSigterm()
    {
        using SiloProcess silo = await SiloProcess.StartLocalhostAsync(primary: null);
        using SiloProcess client = await SiloProcess.StartClientAsync(
            "--hosted", "--gateway-port", silo.GatewayPort.ToString(CultureInfo.InvariantCulture), "--items", "100000000", "--chunk-size", "1");
        await Task.Delay(TimeSpan.FromSeconds(2)); // the Map is under way

        client.Terminate();

        Assert.Equal(0, client.WaitForExit(TimeSpan.FromSeconds(15)));
        Assert.Contains("stopping after", client.Output, StringComparison.Ordinal);
        Assert.Contains("host stopped", client.Output, StringComparison.Ordinal);
        Assert.False(silo.HasExited, silo.Output);
    }

    /// <summary>
    /// A cluster client needs no process support: in a process that acts as on Windows or macOS (ConcurrentFutures'
    /// platform switch set, so every process-based type refuses), a client's Map runs on the silos and returns.
    /// </summary>
    [Fact]
    public async Task AClientOnASystemWithoutProcessSupport_RunsItsWorkOnTheSilos()
    {
        using SiloProcess silo = await SiloProcess.StartLocalhostAsync(primary: null);
        using SiloProcess client = await SiloProcess.StartClientAsync(
            "--as-if-not-linux", "--gateway-port", silo.GatewayPort.ToString(CultureInfo.InvariantCulture), "--work", "primes", "--items", "2000", "--chunk-size", "50");

        Assert.True(client.WaitForExit(TimeSpan.FromSeconds(60)) == 0, client.Output);
        Assert.Contains("a process pool here: refused", client.Output, StringComparison.Ordinal); // the switch is on
        Assert.Contains("112272535095293 is prime: True", client.Output, StringComparison.Ordinal);
        Assert.Contains("primes from 1,000,000,000: 2,000 items", client.Output, StringComparison.Ordinal);
    }
}
