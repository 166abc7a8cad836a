using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;

namespace Ipto.Integration.Tests.Cluster;

/// <summary>
/// Two silo processes, two Api nodes in client role, each caching the credentials it was leased: a revocation
/// answered on one node is in force on the other for every request that starts after the answer, and a key's
/// rate limit holds over both nodes together.
/// </summary>
public sealed class CredentialLeaseTests
{
    [SkippableFact]
    public async Task NoRequestStartedAfterARevocationAnsweredSucceedsOnAnotherNodeUnderLoad()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        await using var a = SiloProcess.Start(cluster.Settings);
        await using var b = SiloProcess.Start(cluster.Settings);
        await cluster.WaitForActiveSilosAsync(2, a, b);
        await using var nodeA = Node(cluster, "api-a");
        await using var nodeB = Node(cluster, "api-b");

        var account = await nodeA.SignupAsync();
        using var ownerOnA = nodeA.WithBearer(account.SessionToken);
        var created = await (await ownerOnA.PostAsync("/v1/api-keys", ApiHttp.Json(JsonSerializer.Serialize(new
        {
            name = "busy agent", scopes = new[] { "datasets:read" }, rate_limit_per_second = 10_000,
        })))).DataAsync(HttpStatusCode.Created);
        using var agentOnB = nodeB.WithApiKey(created.GetProperty("key").GetString()!);
        await (await agentOnB.GetAsync("/v1/me")).DataAsync();

        var key = await UnderLoadAsync(agentOnB, async () =>
            await (await ownerOnA.DeleteAsync($"/v1/api-keys/{created.GetProperty("api_key_id").GetString()}")).DataAsync());
        Assert.True(key.SucceededBefore > 0, "the key served requests before the revocation");
        Assert.Empty(key.SucceededAfter);
        Assert.True(key.RefusedAfter > 0);

        // The same for a session: logged out on node A, refused on node B from the answer on.
        using var ownerOnB = nodeB.WithBearer(account.SessionToken);
        var session = await UnderLoadAsync(ownerOnB, async () => await (await ownerOnA.PostAsync("/v1/auth/logout", null)).DataAsync());
        Assert.True(session.SucceededBefore > 0, "the session served requests before the logout");
        Assert.Empty(session.SucceededAfter);
        Assert.True(session.RefusedAfter > 0);
    }

    [SkippableFact]
    public async Task AKeysRateLimitHoldsAcrossNodes()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        await using var a = SiloProcess.Start(cluster.Settings);
        await cluster.WaitForActiveSilosAsync(1, a);
        await using var nodeA = Node(cluster, "api-a");
        await using var nodeB = Node(cluster, "api-b");

        var account = await nodeA.SignupAsync();
        using var owner = nodeA.WithBearer(account.SessionToken);
        const int Rate = 20;
        var key = (await (await owner.PostAsync("/v1/api-keys", ApiHttp.Json(JsonSerializer.Serialize(new
        {
            name = "limited agent", scopes = new[] { "datasets:read" }, rate_limit_per_second = Rate,
        })))).DataAsync(HttpStatusCode.Created)).GetProperty("key").GetString()!;
        using var onA = nodeA.WithApiKey(key);
        using var onB = nodeB.WithApiKey(key);

        // Both nodes hammer the key; whatever the timing, the cluster may admit at most the burst plus what refilled.
        var admitted = 0;
        var refused = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
        {
            var client = worker % 2 == 0 ? onA : onB;
            for (var i = 0; i < 60; i++)
            {
                using var response = await client.GetAsync("/v1/me");
                if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref admitted);
                else if (response.StatusCode == HttpStatusCode.TooManyRequests) Interlocked.Increment(ref refused);
                else Assert.Fail($"unexpected {(int)response.StatusCode}");
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;

        Assert.True(refused > 0, "480 requests exceed a 20/s key");
        Assert.InRange(admitted, Rate, 2 * Rate + Math.Ceiling(elapsed * Rate) + 1);
    }

    private static IptoApiFactory Node(TestClusterContext cluster, string name)
    {
        var settings = cluster.Settings.For(0, 0);
        settings["Ipto:Api:Role"] = "client";
        return new IptoApiFactory(Path.Combine(cluster.DataDir, name), settings, testCredentials: false);
    }

    private sealed record LoadOutcome(int SucceededBefore, IReadOnlyCollection<int> SucceededAfter, int RefusedAfter);

    /// <summary>Four loops of GET /v1/me on <paramref name="client"/> while <paramref name="change"/> runs; sorts each answer by whether its request started after the change answered.</summary>
    private static async Task<LoadOutcome> UnderLoadAsync(HttpClient client, Func<Task> change)
    {
        var answered = 0;
        var stop = 0;
        var before = 0;
        var refusedAfter = 0;
        var succeededAfter = new ConcurrentBag<int>();
        var loops = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (Volatile.Read(ref stop) == 0)
            {
                var startedAfter = Volatile.Read(ref answered) == 1;
                using var response = await client.GetAsync("/v1/me");
                var ok = response.StatusCode == HttpStatusCode.OK;
                if (!ok && response.StatusCode != HttpStatusCode.Unauthorized) Assert.Fail($"unexpected {(int)response.StatusCode}");
                if (!startedAfter && ok) Interlocked.Increment(ref before);
                else if (startedAfter && ok) succeededAfter.Add((int)response.StatusCode);
                else if (startedAfter) Interlocked.Increment(ref refusedAfter);
            }
        })).ToList();

        await Eventually.Until(() => Task.FromResult(Volatile.Read(ref before)), n => n >= 50, TimeSpan.FromSeconds(30), "requests served from the cache");
        await change();
        Volatile.Write(ref answered, 1);
        await Eventually.Until(() => Task.FromResult(Volatile.Read(ref refusedAfter)), n => n >= 50, TimeSpan.FromSeconds(30), "requests after the change");
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(loops);
        return new LoadOutcome(before, succeededAfter, refusedAfter);
    }
}
