using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Ipto.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

/// <summary>
/// Login timing: does a wrong password for an existing email take as long as any password for an unknown email?
/// Runs the embedded Api in-process with the production password work factor and reports both medians and their
/// ratio (side by side in one run, so the machine's speed cancels out). Usage: dotnet run -c Release --project tests/bench/Ipto.Bench [rounds]
/// </summary>
internal static class LoginTimingBench
{
    public static async Task Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "normalize-memory")
        {
            await NormalizeMemoryBench.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 500);
            return;
        }

        if (args.Length > 0 && args[0] == "ledger")
        {
            await LedgerBench.RunAsync(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "ann")
        {
            AnnBench.Run(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "embedding")
        {
            EmbeddingBench.Run(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "scale")
        {
            await ScaleBench.RunAsync(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "load")
        {
            await LoadBench.RunAsync(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == LoadDriver.Mode)
        {
            await LoadDriver.RunAsync(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "search")
        {
            await SearchBench.RunAsync(args[1..]);
            return;
        }

        await RunLoginTimingAsync(args);
    }

    private static async Task RunLoginTimingAsync(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 30;
        var dataDir = Directory.CreateTempSubdirectory("ipto-bench-").FullName;
        // The Api needs no content files; tell the test host so it does not look for the project folder.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_IPTO_API", AppContext.BaseDirectory);
        await using var api = new BenchApi(dataDir);
        using var client = api.CreateClient();

        static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

        var emails = new List<string>();
        for (var i = 0; i < rounds; i++)
        {
            var email = $"bench-{i}-{Guid.NewGuid():N}@example.com";
            await client.SignupAsync(email, "Bench", displayName: "B");
            emails.Add(email);
        }

        async Task<double> TimeLoginAsync(string email)
        {
            var watch = Stopwatch.StartNew();
            var response = await client.PostAsync("/v1/auth/login", Json(new { email, password = "not the password" }));
            watch.Stop();
            if (response.StatusCode != HttpStatusCode.Unauthorized) throw new InvalidOperationException($"expected 401, got {response.StatusCode}");
            return watch.Elapsed.TotalMilliseconds;
        }

        var known = new List<double>();
        var unknown = new List<double>();
        await TimeLoginAsync($"warmup-{Guid.NewGuid():N}@example.com");
        for (var i = 0; i < rounds; i++)
        {
            // Interleaved, so drift in machine load hits both series alike.
            known.Add(await TimeLoginAsync(emails[i]));
            unknown.Add(await TimeLoginAsync($"ghost-{i}-{Guid.NewGuid():N}@example.com"));
        }

        static double Median(List<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        Console.WriteLine($"rounds: {rounds}");
        Console.WriteLine($"wrong password, existing email: median {Median(known):F1} ms");
        Console.WriteLine($"unknown email:                  median {Median(unknown):F1} ms");
        Console.WriteLine($"ratio existing/unknown:         {Median(known) / Median(unknown):F3}");
        Directory.Delete(dataDir, recursive: true);
    }
}

/// <summary>The embedded Api with production password hashing and a roomy per-IP bucket (the bench is one client).</summary>
internal sealed class BenchApi(string dataDir) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Ipto:Mode", "embedded");
        builder.UseSetting("Ipto:DataDir", dataDir);
        builder.UseSetting("Ipto:Cluster:SiloPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Ipto:Cluster:GatewayPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Ipto:RateLimits:AuthPerIpPerMinute", "1000000");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
