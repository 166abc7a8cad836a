using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;

namespace Ipto.Integration.Tests.Operations;

/// <summary>
/// The operators' listener of real processes: a silo serves health, readiness and metrics on it; an Api serves the
/// scrape endpoint there without a credential (and not on its public port); JSON logs carry the request id.
/// </summary>
public sealed class ManagementListenerTests
{
    [SkippableFact]
    public async Task ASiloServesHealthReadinessAndMetricsOnItsManagementListener()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        var port = Ports.Free();
        await using var silo = SiloProcess.Start(cluster.Settings, new Dictionary<string, string> { ["Ipto__Management__Urls"] = $"http://127.0.0.1:{port}" });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var ready = await Eventually.Until(async () => (await http.GetAsync("/health/ready")).StatusCode, s => s == HttpStatusCode.OK,
            TimeSpan.FromSeconds(90), "the silo to be ready", retryErrors: true);
        Assert.Equal(HttpStatusCode.OK, ready);
        Assert.Equal("healthy", JsonDocument.Parse(await http.GetStringAsync("/health")).RootElement.GetProperty("status").GetString());
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("orleans_", metrics, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task AnApiScrapesOnlyOnItsManagementListenerAndLogsJsonWithTheRequestId()
    {
        using var dir = new TempDir();
        var port = Ports.Free();
        var managementPort = Ports.Free();
        var lines = new ConcurrentQueue<string>();
        var api = ApiProcess.Start(dir.Path, port, Ports.Free(), Ports.Free(), new Dictionary<string, string>
        {
            ["Ipto__Management__Urls"] = $"http://127.0.0.1:{managementPort}",
            ["Ipto__Logging__Format"] = "json",
            ["Logging__LogLevel__Microsoft.AspNetCore.Routing"] = "Information",
        }, lines.Enqueue);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}") };
            await Eventually.Until(() => management.GetStringAsync("/health"), _ => true, TimeSpan.FromSeconds(60), "the management listener", retryErrors: true);

            using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
            request.Headers.Add("X-Request-Id", "req-from-the-operator-42");
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
            var scrape = await management.GetStringAsync("/metrics");
            Assert.Contains("http_server_request_duration_seconds_bucket{", scrape, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/metrics")).StatusCode);

            var line = await Eventually.Until(() => Task.FromResult(lines.FirstOrDefault(l => l.Contains("req-from-the-operator-42", StringComparison.Ordinal))),
                l => l is not null, TimeSpan.FromSeconds(15), "a log line of the request");
            using var entry = JsonDocument.Parse(line!);
            Assert.True(DateTimeOffset.TryParse(entry.RootElement.GetProperty("Timestamp").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
            Assert.Contains(entry.RootElement.GetProperty("Scopes").EnumerateArray(),
                s => s.TryGetProperty("request_id", out var id) && id.GetString() == "req-from-the-operator-42");
            await ApiProcess.StopAsync(api);
        }
        finally
        {
            if (!api.HasExited) api.Kill(entireProcessTree: true);
        }
    }
}
