using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;

namespace Ipto.Integration.Tests.Embedded;

/// <summary>The Api as an operator starts it: its own process, embedded mode, everything under the working dir's ./data.</summary>
public sealed class EmbeddedApiProcessTests
{
    [Fact]
    public async Task ApiServesHealthReadinessAndDocsAndKeepsItsDataAcrossARestart()
    {
        using var dir = new TempDir();
        var port = Ports.Free();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var first = ApiProcess.Start(dir.Path, port, Ports.Free(), Ports.Free());
        try
        {
            var health = await Eventually.Until(() => http.GetStringAsync("/health"), _ => true, TimeSpan.FromSeconds(60), "the Api to listen", retryErrors: true);
            Assert.Equal("healthy", JsonDocument.Parse(health).RootElement.GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
            Assert.Contains("/v1/jobs/{job_id}", await http.GetStringAsync("/openapi/v1.json"));
            var missing = await http.GetAsync("/v1/nothing-here");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("not_found", JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
            await ApiProcess.StopAsync(first);
        }
        finally
        {
            if (!first.HasExited) first.Kill(entireProcessTree: true);
        }

        Assert.Equal(0, first.ExitCode);
        var database = Path.Combine(dir.Path, "data", "ipto.db");
        Assert.True(File.Exists(database));

        var second = ApiProcess.Start(dir.Path, port, Ports.Free(), Ports.Free());
        try
        {
            var ready = await Eventually.Until(async () => (await http.GetAsync("/health/ready")).StatusCode, s => s == HttpStatusCode.OK,
                TimeSpan.FromSeconds(60), "the restarted Api to be ready", retryErrors: true);
            Assert.Equal(HttpStatusCode.OK, ready);
            await ApiProcess.StopAsync(second);
        }
        finally
        {
            if (!second.HasExited) second.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task OnSigtermReadinessAnswers503WhileTheNodeDrainsBeforeTheListenerCloses()
    {
        using var dir = new TempDir();
        var port = Ports.Free();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var api = ApiProcess.Start(dir.Path, port, Ports.Free(), Ports.Free(), new Dictionary<string, string> { ["Ipto__Api__DrainPeriod"] = "00:00:03" });
        try
        {
            await Eventually.Until(async () => (await http.GetAsync("/health/ready")).StatusCode, s => s == HttpStatusCode.OK,
                TimeSpan.FromSeconds(60), "the Api to be ready", retryErrors: true);
            using (var term = Process.Start("kill", ["-TERM", api.Id.ToString(CultureInfo.InvariantCulture)]))
                await term.WaitForExitAsync();

            // Poll until the listener is gone: a load balancer must have seen 503 "draining" first, and /health keeps answering meanwhile.
            var seen = new List<string>();
            while (!api.HasExited)
            {
                try
                {
                    var ready = await http.GetAsync("/health/ready");
                    var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
                    var observed = $"{(int)ready.StatusCode} {body.GetProperty("status").GetString()}";
                    if (seen.Count == 0 || seen[^1] != observed) seen.Add(observed);
                }
                catch (HttpRequestException)
                {
                    if (seen.Count == 0 || seen[^1] != "refused") seen.Add("refused");
                    await Task.Delay(50); // poll interval while the process finishes exiting
                }
            }

            Assert.Contains("503 draining", seen);
            Assert.DoesNotContain("200 healthy", seen.SkipWhile(s => s != "503 draining"));
            await api.WaitForExitAsync();
            Assert.Equal(0, api.ExitCode);
        }
        finally
        {
            if (!api.HasExited) api.Kill(entireProcessTree: true);
        }
    }
}
