using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;

namespace ConcurrentFutures.Orleans.Tests;

/// <summary>The client's gateway list leaves out gateways the executor found silent, and nothing more.</summary>
public class GatewaySteeringTests
{
    private static readonly SiloAddress A = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 30000), 0);
    private static readonly SiloAddress B = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 30001), 0);

    private static IList<Uri> Both => [A.ToGatewayUri(), B.ToGatewayUri()];

    [Fact]
    public void ASilencedGateway_IsLeftOut_UntilRestored_AndTheListIsNeverEmptied()
    {
        var steering = new GatewaySteering();
        Assert.Equal(Both, steering.Filter(Both));

        steering.Silence(SiloAddress.New(A.Endpoint, 155131562)); // a silo's generation does not matter: its endpoint does
        Assert.Equal([B.ToGatewayUri()], steering.Filter(Both));

        steering.Silence(B);
        Assert.Equal(Both, steering.Filter(Both)); // all silent: leave the client its list rather than none

        steering.Restore(A);
        steering.Restore(B);
        Assert.Equal(Both, steering.Filter(Both));
    }

    [Fact]
    public async Task SendingWaits_UntilTheClientHasReadTheListWithoutTheSilencedGateway_OrPatienceRunsOut()
    {
        var steering = new GatewaySteering();
        Assert.True(steering.Settled(TimeSpan.FromSeconds(30)));

        steering.Silence(A);
        Assert.False(steering.Settled(TimeSpan.FromSeconds(30)));
        steering.Filter(Both); // the client reads its list
        await Task.Delay(300); // and applies it
        Assert.True(steering.Settled(TimeSpan.FromSeconds(30)));

        steering.Silence(B);
        Assert.False(steering.Settled(TimeSpan.FromSeconds(30)));
        await Task.Delay(300);
        Assert.True(steering.Settled(TimeSpan.FromMilliseconds(100))); // a client that never reads it does not stop sending for long
    }

    [Fact]
    public async Task UseClusterExecutor_WrapsTheClientsGatewayList_AndReadsItEverySecond()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client.UseLocalhostClustering([30000, 30001]).UseClusterExecutor().UseClusterExecutor());
        using IHost host = builder.Build();

        IGatewayListProvider provider = host.Services.GetRequiredService<IGatewayListProvider>();
        Assert.IsType<SteeredGatewayListProvider>(provider);
        host.Services.GetRequiredService<GatewaySteering>().Silence(A);
        Assert.Equal([B.ToGatewayUri()], await provider.GetGateways());
        Assert.Equal(TimeSpan.FromSeconds(1), host.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.GatewayListRefreshPeriod);
    }

    [Fact]
    public void UseClusterExecutor_BeforeClustering_SaysSo()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var error = Assert.Throws<InvalidOperationException>(() => builder.UseOrleansClient(client => client.UseClusterExecutor()));
        Assert.Contains("configure clustering first", error.Message, StringComparison.Ordinal);
    }
}
