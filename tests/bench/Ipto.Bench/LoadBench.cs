using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ipto.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

/// <summary>
/// Throughput of the hot paths against a bare Kestrel minimal API answering the same routes with a similar JSON
/// envelope, both on this machine in the same run (so the ratio, not the figure, is the result). The load comes
/// from <see cref="LoadDriver"/> in its own process, closed loop on kept-alive connections; each scenario runs
/// bare then Ipto after a warm-up of both. The Api is the embedded one (co-hosted silo, SQLite, local store) with
/// rate limits far above the load. Usage: <c>load [seconds=10] [connections=32]</c>.
/// </summary>
internal static class LoadBench
{
    private sealed record Scenario(string Name, string Method, string Path, string? Credential, string? Body);

    private sealed record Run(int Requests, int Ok, double Seconds, double P50, double P99, string Error)
    {
        public double PerSecond => Ok / Seconds;
    }

    public static async Task RunAsync(string[] args)
    {
        var seconds = SearchBench.Option(args, "seconds", 0, 10);
        var connections = SearchBench.Option(args, "connections", 1, 32);
        var settings = new Dictionary<string, string>
        {
            ["Ipto:RateLimits:DefaultPerSecond"] = "10000000",
            ["Logging:LogLevel:Default"] = "Warning",
        };

        var dataDir = Directory.CreateTempSubdirectory("ipto-load-").FullName;
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_IPTO_API", AppContext.BaseDirectory);
        await using var ipto = new SearchBench.KestrelApi(dataDir, SearchBench.FreePort(), shards: 4, settings);
        ipto.StartServer();
        await using var bare = await BareKestrel.StartAsync(SearchBench.FreePort());
        try
        {
            using var client = new SearchBenchClient(ipto.BaseAddress);
            var account = await SearchBench.SignupAsync(client, "load", "Load Co");
            var dataset = await client.CallAsync(HttpMethod.Post, "/v1/datasets", new { name = "Load test", visibility = "listed" }, account.SessionToken, System.Net.HttpStatusCode.Created);
            var datasetId = dataset.GetProperty("dataset_id").GetString()!;
            var key = (await client.CallAsync(HttpMethod.Post, "/v1/api-keys", new { name = "load agent", scopes = new[] { "search:query", "datasets:read" } },
                account.SessionToken, System.Net.HttpStatusCode.Created)).GetProperty("key").GetString()!;

            var scenarios = new[]
            {
                new Scenario("GET /health (no credential, the Api's floor)", "GET", "/health", null, null),
                new Scenario("API-key GET /v1/me", "GET", "/v1/me", "X-API-Key: " + key, null),
                new Scenario("session GET /v1/datasets/{id}", "GET", "/v1/datasets/" + datasetId, "Authorization: Bearer " + account.SessionToken, null),
                new Scenario("session GET /v1/datasets (list)", "GET", "/v1/datasets?limit=20", "Authorization: Bearer " + account.SessionToken, null),
                new Scenario("session POST /v1/datasets (create)", "POST", "/v1/datasets", "Authorization: Bearer " + account.SessionToken, """{"name":"Load dataset","visibility":"private"}"""),
                new Scenario("API-key POST /v1/search (lexical, no hits)", "POST", "/v1/search", "X-API-Key: " + key, """{"query":"nothingmatchesthis","mode":"lexical"}"""),
            };

            Console.WriteLine($"load bench: {connections} connections, {seconds} s per run, driver in its own process, {Environment.ProcessorCount} cores");
            Console.WriteLine("| scenario | bare Kestrel req/s | Ipto req/s | ratio | Ipto p50 / p99 ms | bare p50 / p99 ms |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var scenario in scenarios)
            {
                await DriveAsync(bare.Port, scenario, connections, 3);
                await DriveAsync(ipto.BaseAddress.Port, scenario, connections, 3);
                var baseline = await DriveAsync(bare.Port, scenario, connections, seconds);
                var measured = await DriveAsync(ipto.BaseAddress.Port, scenario, connections, seconds);
                if (measured.Ok < measured.Requests) Console.WriteLine($"  {scenario.Name}: {measured.Requests - measured.Ok} failed: {measured.Error}");
                Console.WriteLine($"| {scenario.Name} | {Q(baseline.PerSecond)} | {Q(measured.PerSecond)} | {(measured.PerSecond / baseline.PerSecond).ToString("F2", CultureInfo.InvariantCulture)}× | {F(measured.P50)} / {F(measured.P99)} | {F(baseline.P50)} / {F(baseline.P99)} |");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<Run> DriveAsync(int port, Scenario scenario, int connections, int seconds)
    {
        var request = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{scenario.Method} {scenario.Path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
        if (scenario.Credential is not null) request.Append(scenario.Credential).Append("\r\n");
        if (scenario.Body is not null)
            request.Append(CultureInfo.InvariantCulture, $"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(scenario.Body)}\r\n\r\n{scenario.Body}");
        else
            request.Append("\r\n");
        var file = Path.GetTempFileName();
        await File.WriteAllBytesAsync(file, Encoding.UTF8.GetBytes(request.ToString()));
        try
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(LoadBench).Assembly.Location);
            foreach (var arg in new[] { LoadDriver.Mode, Invariant(port), Invariant(connections), Invariant(seconds), file }) start.ArgumentList.Add(arg);
            using var driver = Process.Start(start)!;
            var output = await driver.StandardOutput.ReadToEndAsync();
            await driver.WaitForExitAsync();
            if (driver.ExitCode != 0) throw new InvalidOperationException($"the load driver failed: {output}");
            var parts = output.Trim().Split(' ', 6);
            return new Run(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), D(parts[2]), D(parts[3]), D(parts[4]), parts[5]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static double D(string value) => double.Parse(value, CultureInfo.InvariantCulture);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Q(double value) => value.ToString("F0", CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>The baseline: Kestrel and minimal APIs alone, the same routes, a similar envelope, no work behind it.</summary>
    private sealed class BareKestrel(WebApplication app, int port) : IAsyncDisposable
    {
        public int Port { get; } = port;

        public static async Task<BareKestrel> StartAsync(int port)
        {
            var builder = WebApplication.CreateBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{Invariant(port)}");
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            var app = builder.Build();
            app.MapGet("/health", () => Results.Json(new { status = "healthy", version = "1.0.0" }));
            app.MapGet("/v1/me", () => Envelope(new { principal_type = "api_key", tenant_id = "ten_01", scopes = new[] { "search:query", "datasets:read" } }));
            app.MapGet("/v1/datasets/{id}", (string id) => Envelope(Dataset(id)));
            app.MapGet("/v1/datasets", () => Envelope(Enumerable.Range(0, 20).Select(i => Dataset("ds_" + Invariant(i))).ToArray()));
            app.MapPost("/v1/datasets", (NewDataset body) => Results.Json(new { data = Dataset("ds_new", body.Name), request_id = RequestId(), timestamp = DateTimeOffset.UtcNow }, statusCode: 201));
            app.MapPost("/v1/search", (SearchBody body) => Envelope(new { results = Array.Empty<object>(), query = body.Query, mode = body.Mode, next_cursor = (string?)null }));
            await app.StartAsync();
            return new BareKestrel(app, port);
        }

        private static IResult Envelope(object data) => Results.Json(new { data, request_id = RequestId(), timestamp = DateTimeOffset.UtcNow });

        private static string RequestId() => "req_" + Guid.NewGuid().ToString("N");

        private static object Dataset(string id, string name = "Load test") => new
        {
            dataset_id = id, tenant_id = "ten_01", name, visibility = "listed", status = "active", description = (string?)null,
            tags = Array.Empty<string>(), created_at = DateTimeOffset.UtcNow, updated_at = DateTimeOffset.UtcNow,
        };

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }

    private sealed record NewDataset(string Name, string Visibility);

    private sealed record SearchBody(string Query, string Mode);
}
