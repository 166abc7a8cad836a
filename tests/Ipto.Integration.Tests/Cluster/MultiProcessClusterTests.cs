using System.Globalization;
using System.Net;
using Ipto.Api.Tests.Support;
using Ipto.Diagnostics;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Ipto.Integration.Tests.Cluster;

/// <summary>Two <c>Ipto.Silo</c> processes on PostgreSQL membership, reached by a client and by the Api in client role.</summary>
public sealed class MultiProcessClusterTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task TwoSiloProcessesSeeEachOtherAndAGrainCallCrossesBetweenThem()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        var settings = cluster.Settings;
        await using var a = SiloProcess.Start(settings);
        await using var b = SiloProcess.Start(settings);
        await cluster.WaitForActiveSilosAsync(2, a, b);

        using var clientHost = await ClusterClientHost.StartAsync(settings);
        var grains = clientHost.Services.GetRequiredService<IClusterClient>();

        var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(2, hosts.Count);
        var placements = new Dictionary<string, string>();
        for (var i = 0; i < 60 && placements.Values.Distinct().Count() < 2; i++)
        {
            var key = "probe-" + i.ToString(CultureInfo.InvariantCulture);
            placements[key] = await grains.GetGrain<ISiloInfoGrain>(key).Where();
        }

        var bySilo = placements.GroupBy(p => p.Value).ToArray();
        Assert.Equal(2, bySilo.Length);
        Assert.Contains(bySilo, g => g.Key.Contains(":" + a.SiloPort.ToString(CultureInfo.InvariantCulture) + ":", StringComparison.Ordinal));
        Assert.Contains(bySilo, g => g.Key.Contains(":" + b.SiloPort.ToString(CultureInfo.InvariantCulture) + ":", StringComparison.Ordinal));
        var onFirst = bySilo[0].First().Key;
        var onSecond = bySilo[1].First().Key;
        Assert.Equal(bySilo[1].Key, await grains.GetGrain<ISiloInfoGrain>(onFirst).CallPeer(onSecond));
        Assert.Equal(bySilo[0].Key, await grains.GetGrain<ISiloInfoGrain>(onSecond).CallPeer(onFirst));
        await clientHost.StopAsync();
    }

    [SkippableFact]
    public async Task KillingASiloLosesNoAcknowledgedWriteAndTheApiNeverAnswers500()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        var settings = cluster.Settings;
        await using var a = SiloProcess.Start(settings);
        await using var b = SiloProcess.Start(settings);
        await cluster.WaitForActiveSilosAsync(2, a, b);

        var apiSettings = settings.For(0, 0);
        apiSettings["Ipto:Api:Role"] = "client";
        await using var api = new IptoApiFactory(Path.Combine(cluster.DataDir, "api"), apiSettings);
        using var client = api.ClientFor(IptoApiFactory.Alice);

        // Acknowledged writes: each idempotent POST's response is stored by an idempotency grain somewhere in the cluster.
        var acknowledged = new Dictionary<string, byte[]>();
        for (var i = 0; i < 40; i++)
        {
            var key = Guid.NewGuid().ToString();
            var response = await client.SendAsync(Counter(i, key));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            acknowledged[key] = await response.Content.ReadAsByteArrayAsync();
        }

        b.Kill();

        var unavailable = 0;
        var pending = acknowledged.Keys.Select((key, i) => (key, i)).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (pending.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{pending.Count} acknowledged writes were not readable again within the deadline.");
            foreach (var (key, i) in pending.ToArray())
            {
                var response = await client.SendAsync(Counter(i, key));
                var body = await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    unavailable++;
                    Assert.NotNull(response.Headers.RetryAfter);
                    continue;
                }

                Assert.True(response.StatusCode == HttpStatusCode.Created,
                    $"Expected 201 or 503 while membership settles, got {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
                Assert.True(response.Headers.Contains("Idempotency-Replayed"), "A write acknowledged before the kill ran again.");
                Assert.Equal(acknowledged[key], body);
                pending.Remove((key, i));
            }

            if (pending.Count > 0) await Task.Delay(200);
        }

        Assert.Equal(40, api.Endpoints.Counters.Count);
        Assert.All(api.Endpoints.Counters.Values, total => Assert.Equal(1, total));
        output.WriteLine($"{unavailable} answers were 503 while membership settled after the SIGKILL.");
    }

    private static HttpRequestMessage Counter(int i, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/test/counters")
        {
            Content = ApiHttp.Json($"{{\"name\":\"kill-{i}\",\"amount\":1}}"),
        };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }
}
