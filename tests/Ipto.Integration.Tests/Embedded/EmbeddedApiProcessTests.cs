using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Ipto.Testing;

namespace Ipto.Integration.Tests.Embedded;

/// <summary>The Api as an operator starts it: its own process, embedded mode, everything under the working dir's ./data.</summary>
public sealed class EmbeddedApiProcessTests
{
    private static Process Start(string workingDir, int httpPort, int siloPort, int gatewayPort)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Ipto.Api.dll"), "--urls", $"http://127.0.0.1:{httpPort}"])
        {
            WorkingDirectory = workingDir,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Ipto__", StringComparison.Ordinal)).ToArray())
            start.Environment.Remove(name);
        start.Environment["Ipto__Cluster__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["Ipto__Cluster__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task StopAsync(Process process)
    {
        // SIGTERM: the graceful stop an operator (or systemd) sends.
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
    }

    [Fact]
    public async Task ApiServesHealthReadinessAndDocsAndKeepsItsDataAcrossARestart()
    {
        using var dir = new TempDir();
        var port = Ports.Free();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var first = Start(dir.Path, port, Ports.Free(), Ports.Free());
        try
        {
            var health = await Eventually.Until(() => http.GetStringAsync("/health"), _ => true, TimeSpan.FromSeconds(60), "the Api to listen", retryErrors: true);
            Assert.Equal("healthy", JsonDocument.Parse(health).RootElement.GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
            Assert.Contains("/v1/jobs/{job_id}", await http.GetStringAsync("/openapi/v1.json"));
            var missing = await http.GetAsync("/v1/nothing-here");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("not_found", JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
            await StopAsync(first);
        }
        finally
        {
            if (!first.HasExited) first.Kill(entireProcessTree: true);
        }

        Assert.Equal(0, first.ExitCode);
        var database = Path.Combine(dir.Path, "data", "ipto.db");
        Assert.True(File.Exists(database));

        var second = Start(dir.Path, port, Ports.Free(), Ports.Free());
        try
        {
            var ready = await Eventually.Until(async () => (await http.GetAsync("/health/ready")).StatusCode, s => s == HttpStatusCode.OK,
                TimeSpan.FromSeconds(60), "the restarted Api to be ready", retryErrors: true);
            Assert.Equal(HttpStatusCode.OK, ready);
            await StopAsync(second);
        }
        finally
        {
            if (!second.HasExited) second.Kill(entireProcessTree: true);
        }
    }
}
