using Ipto.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Ipto.Integration.Tests.Support;

/// <summary>An internal tool's view of the cluster: a plain Orleans client that joins through the membership table.</summary>
public static class ClusterClientHost
{
    public static async Task<IHost> StartAsync(ClusterSettings settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.For(0, 0));
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client => client.UseIptoClient(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
