using Ipto.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Ipto.Domain.Tests.Hosting;

/// <summary>The cluster timeouts of the settings reach Orleans on both sides: silos and client-role Api nodes.</summary>
public sealed class ClusterTimeoutsTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Ipto:Mode"] = "cluster",
        ["Ipto:Postgres:ConnectionString"] = "Host=127.0.0.1;Database=none",
        ["Ipto:Cluster:ResponseTimeout"] = "00:00:07",
        ["Ipto:Cluster:ProbeTimeout"] = "00:00:03",
        ["Ipto:Cluster:GatewayListRefreshPeriod"] = "00:00:04",
    };

    [Fact]
    public void ASiloTakesTheResponseTimeoutAndProbeTimeoutFromTheSettings()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.UseOrleans(silo => silo.UseIpto(builder.Configuration));
        using var host = builder.Build();

        Assert.Equal(TimeSpan.FromSeconds(7), host.Services.GetRequiredService<IOptions<SiloMessagingOptions>>().Value.ResponseTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), host.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value.ProbeTimeout);
    }

    [Fact]
    public void AClientTakesTheResponseTimeoutAndGatewayRefreshFromTheSettings()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.UseOrleansClient(client => client.UseIptoClient(builder.Configuration));
        using var host = builder.Build();

        Assert.Equal(TimeSpan.FromSeconds(7), host.Services.GetRequiredService<IOptions<ClientMessagingOptions>>().Value.ResponseTimeout);
        Assert.Equal(TimeSpan.FromSeconds(4), host.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.GatewayListRefreshPeriod);
    }
}
