using System.Globalization;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Ipto.Integration.Tests.Faults;

/// <summary>
/// Three <c>Ipto.Silo</c> processes and two Api processes (client role) on a PostgreSQL and an S3 emulator of the
/// test's own, under a bounded write load: a silo is SIGKILLed and restarted, PostgreSQL and the emulator are stopped
/// and started, an Api node gets SIGTERM and comes back. Afterwards every acknowledged write is read by id and found
/// in its list on both nodes, exactly once.
/// </summary>
public sealed class ClusterFaultTests(ITestOutputHelper output)
{
    private const int Writers = 6;
    private const int Progress = 16;
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(90);

    [SkippableFact]
    public async Task NothingAcknowledgedIsLostOrDuplicatedWhenASiloPostgresTheStoreAndAnApiNodeFailUnderLoad()
    {
        await using var services = await PrivateServices.StartAsync();
        using var dir = new TempDir();
        var settings = new ClusterSettings(services.PostgresConnectionString, "fault-" + Guid.NewGuid().ToString("N")[..8], dir.Path);
        var store = services.Environment.Where(e => e.Key.StartsWith("Ipto__S3__", StringComparison.Ordinal) || e.Key == "Ipto__ObjectStore__Provider")
            .ToDictionary(e => e.Key, e => e.Value);
        var silos = new List<SiloProcess>();
        var nodes = new List<ApiNode>();
        try
        {
            for (var i = 0; i < 3; i++) silos.Add(SiloProcess.Start(settings, store));
            await WaitForActiveSilosAsync(settings, 3, silos);
            var environment = ApiEnvironment(settings, store);
            nodes.Add(new ApiNode("a", Path.Combine(dir.Path, "api-a"), environment));
            nodes.Add(new ApiNode("b", Path.Combine(dir.Path, "api-b"), environment));
            await Task.WhenAll(nodes.Select(n => n.StartAsync()));
            var session = await SignupAsync(nodes[0]);

            var load = new FaultLoad(nodes, session, Writers);
            load.Start();
            await load.WaitForProgressAsync(Progress, PhaseTimeout);

            load.Phase = "silo-killed";
            var killedAt = load.Now;
            silos[1].Kill();
            await WaitForActiveSilosAsync(settings, 2, silos);
            var declaredDeadAfter = load.Now - killedAt;
            await load.WaitForProgressAsync(Progress, PhaseTimeout);
            await silos[1].DisposeAsync();
            load.Phase = "silo-restarted";
            silos[1] = SiloProcess.Start(settings, store);
            await WaitForActiveSilosAsync(settings, 3, silos);
            await load.WaitForProgressAsync(Progress, PhaseTimeout);

            var postgresUpAt = await OutageAsync(load, services, "postgres", services.StopPostgresAsync);
            var s3UpAt = await OutageAsync(load, services, "s3", services.StopS3Async);

            load.Phase = "api-stopped";
            Assert.Equal(0, await nodes[1].StopAsync()); // SIGTERM: drains, then exits cleanly
            await load.WaitForProgressAsync(Progress, PhaseTimeout);
            load.Phase = "api-restarted";
            await nodes[1].StartAsync();
            await load.WaitForProgressAsync(Progress, PhaseTimeout);
            await load.StopAsync();

            var attempts = load.Attempts.ToArray();
            Report(attempts, load);
            output.WriteLine($"SIGKILLed silo declared dead after {declaredDeadAfter.TotalSeconds:F1} s");
            output.WriteLine($"recovery to >= 90% success: after the SIGKILL {Recovery(attempts, killedAt)}, after PostgreSQL came back {Recovery(attempts, postgresUpAt)}, after the emulator came back {Recovery(attempts, s3UpAt)}");

            var apiAttempts = attempts.Where(a => a.Node != "s3").ToArray();
            foreach (var slow in apiAttempts.Where(a => a.Latency > TimeSpan.FromSeconds(5)))
                output.WriteLine($"slow: {slow.Latency.TotalSeconds:F1} s at {slow.At.TotalSeconds:F1} s in {slow.Phase} on {slow.Node}: {slow.Request} {slow.Outcome} {slow.Body}");
            if (apiAttempts.Any(a => a.Outcome == "500"))
                foreach (var node in nodes) output.WriteLine($"node {node.Name} output:\n{node.Output}");
            Assert.All(apiAttempts, a => Assert.False(a.Outcome.StartsWith('5') && a.Outcome != "503", $"{a.Outcome} in {a.Phase} on {a.Node}: {a.Request} {a.Body}"));
            Assert.All(apiAttempts.Where(a => a.Outcome == "503"), a => Assert.True(a.HasRetryAfter, $"a 503 without Retry-After in {a.Phase}: {a.Body}"));
            Assert.All(apiAttempts.Where(a => a.Outcome.StartsWith('4')), a => Assert.True(a.Outcome is "409" or "429" && a.Body!.Contains(a.Outcome == "409"
                ? "idempotency_request_in_progress" : "rate_limited", StringComparison.Ordinal), $"{a.Outcome} in {a.Phase} on {a.Node}: {a.Body}"));
            Assert.All(apiAttempts.Where(a => a.Outcome is "connection" or "timeout"), a => Assert.True(a.Node == "b" && a.Phase is "api-stopped" or "api-restarted",
                $"{a.Outcome} from node {a.Node} in {a.Phase}: {a.Body}"));
            Assert.Contains(apiAttempts, a => a.Phase == "postgres-down" && a.Outcome == "503");
            Assert.Equal(0, load.Abandoned);

            foreach (var node in nodes)
            {
                var problems = await new AcknowledgedWrites(node, session).VerifyAsync(load);
                Assert.True(problems.Count == 0, $"node {node.Name}: {problems.Count} problems:\n{string.Join('\n', problems.Take(40))}");
            }

            output.WriteLine($"verified on both nodes: {load.Datasets.Count} datasets (with their last patch), {load.Keys.Count} API keys (each authenticates), {load.Objects.Count} uploaded objects");
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    private static Dictionary<string, string> ApiEnvironment(ClusterSettings settings, IReadOnlyDictionary<string, string> store)
    {
        var environment = settings.For(0, 0)
            .Where(s => s.Key is not ("Ipto:Cluster:SiloPort" or "Ipto:Cluster:GatewayPort"))
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value ?? "");
        environment["Ipto__Api__Role"] = "client";
        environment["Ipto__Api__DrainPeriod"] = "00:00:02";
        foreach (var (name, value) in store) environment[name] = value;
        environment["Logging__LogLevel__Default"] = "Warning";
        return environment;
    }

    private static async Task<string> SignupAsync(ApiNode node)
    {
        using var anonymous = new HttpClient { BaseAddress = node.BaseAddress };
        return (await anonymous.SignupAsync(Accounts.NewEmail("fault"), "Fault Data", "Fault")).SessionToken;
    }

    private static async Task WaitForActiveSilosAsync(ClusterSettings settings, int count, IReadOnlyList<SiloProcess> silos)
    {
        try
        {
            await Eventually.Until(async () =>
            {
                await using var connection = new NpgsqlConnection(settings.ConnectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT count(*) FROM orleansmembershiptable WHERE deploymentid = @cluster AND status = 3", connection);
                command.Parameters.AddWithValue("cluster", settings.ClusterId);
                return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            }, n => n == count, PhaseTimeout, $"{count} active silos", retryErrors: true);
        }
        catch (TimeoutException)
        {
            foreach (var silo in silos) Console.Error.WriteLine($"silo {silo.Pid} exited={silo.HasExited}:\n{silo.Output}");
            throw;
        }
    }

    /// <summary>
    /// Stops a service until the load has met the outage (phase <c>{name}-down</c>), starts it again and waits for the
    /// load to make progress (<c>{name}-restarted</c>); returns when the service was back.
    /// </summary>
    private static async Task<TimeSpan> OutageAsync(FaultLoad load, PrivateServices services, string name, Func<Task> stop)
    {
        load.Phase = name + "-down";
        await stop();
        await WaitForFailedAttemptsAsync(load, name + "-down", 20);
        load.Phase = name + "-restarted";
        var upAt = load.Now;
        await services.UpAsync();
        await load.WaitForProgressAsync(Progress, PhaseTimeout);
        return upAt;
    }

    /// <summary>Waits until the load has met the outage: <paramref name="count"/> attempts of the phase that did not succeed.</summary>
    private static Task WaitForFailedAttemptsAsync(FaultLoad load, string phase, int count) =>
        Eventually.Until(() => Task.FromResult(load.Attempts.Count(a => a.Phase == phase && !a.Outcome.StartsWith('2'))),
            n => n >= count, PhaseTimeout, $"{count} failed attempts in {phase}");

    /// <summary>The first second-long window after <paramref name="from"/> in which at least 90% of the Api attempts succeeded.</summary>
    private static string Recovery(IReadOnlyList<Attempt> attempts, TimeSpan from)
    {
        var api = attempts.Where(a => a.Node != "s3" && a.At >= from).OrderBy(a => a.At).ToArray();
        for (var start = from; api.Length > 0 && start <= api[^1].At; start += TimeSpan.FromMilliseconds(250))
        {
            var end = start + TimeSpan.FromSeconds(1);
            var window = api.Where(a => a.At >= start && a.At < end).ToArray();
            if (window.Length >= 3 && window.Count(a => a.Outcome.StartsWith('2')) >= 0.9 * window.Length)
                return $"{(start - from).TotalSeconds:F2} s";
        }

        return "never";
    }

    private void Report(IReadOnlyList<Attempt> attempts, FaultLoad load)
    {
        foreach (var phase in attempts.GroupBy(a => a.Phase))
        {
            var outcomes = string.Join(", ", phase.GroupBy(a => a.Node == "s3" ? "s3 " + a.Outcome : a.Outcome).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key}: {g.Count()}"));
            var slowest = phase.Where(a => a.Node != "s3").Select(a => a.Latency).DefaultIfEmpty().Max();
            output.WriteLine($"{phase.Key,-20} {outcomes}; slowest Api answer {slowest.TotalSeconds:F2} s");
        }

        output.WriteLine($"acknowledged: {load.Datasets.Count} datasets, {load.Keys.Count} keys, {load.Objects.Count} objects");
    }
}
