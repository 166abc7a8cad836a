using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Search;
using Ipto.Api.Tests.Support;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;
using static Ipto.Api.Tests.Search.SearchWorld;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Integration.Tests.Billing;

/// <summary>
/// Buyer billing in cluster mode on real parts (ledger, grain state and read model in PostgreSQL, files in the S3
/// emulator), on two Api nodes that are silos of one cluster: the SPEC's amounts, and a spend limit that no mix of
/// concurrent charges on both nodes exceeds.
/// </summary>
public sealed class ClusterBillingTests
{
    private const string Query = "rotterdam OR hamburg"; // two shipping texts and the port audit

    [SkippableFact]
    public async Task ChargesAddUpOnPostgresAndASpendLimitHoldsAcrossTwoNodes()
    {
        Services.RequireS3();
        await using var cluster = await TestClusterContext.CreateAsync();

        await using var nodeA = new IptoApiFactory(Path.Combine(cluster.DataDir, "node-a"), cluster.ApiNodeSettings("node-a"), testCredentials: false);
        await using var nodeB = new IptoApiFactory(Path.Combine(cluster.DataDir, "node-b"), cluster.ApiNodeSettings("node-b"), testCredentials: false);
        var world = new SearchWorld(nodeA);
        using var admin = await world.AdminAsync();
        var (_, provider) = await world.AccountAsync("Provider");
        var shipping = await CreateDatasetAsync(provider, "Shipping records", "listed");
        var audits = await CreateDatasetAsync(provider, "Port audits", "listed", new { monetization_mode = "outcome_share", pricing = new { outcome_share_pct = 10 } });
        await world.AddActiveTextsAsync(provider, admin, shipping, ShippingTexts, ShippingNames, s3Urls: true);
        await world.AddActiveTextsAsync(provider, admin, audits, ["Cargo manifests audited for the Rotterdam port authority."], ["audit.txt"], s3Urls: true);

        // The SPEC's walk on PostgreSQL, its steps spread over both nodes.
        var (_, buyer) = await world.AccountAsync("Buyer");
        var (_, key) = await buyer.CreateKeyAsync("search:query", "usage:read");
        using var agentA = nodeA.WithApiKey(key);
        using var agentB = nodeB.WithApiKey(key);
        var results = (await SearchOkAsync(agentA, new { query = Query, mode = "lexical" })).GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(3, results.Length);
        var cited = results.First(r => r.GetProperty("dataset_id").GetString() == shipping);
        var audit = results.Single(r => r.GetProperty("dataset_id").GetString() == audits);
        Assert.Equal(0.01m, (await (await agentB.PostAsync("/v1/citations", Body(new { retrieval_event_id = Id(cited) }))).DataAsync(HttpStatusCode.Created)).GetProperty("charged_amount").GetDecimal());
        await (await agentA.PostAsync("/v1/citations", Body(new { retrieval_event_id = Id(cited) }))).DataAsync(HttpStatusCode.OK);
        var objectId = cited.GetProperty("object_id").GetString();
        var first = await (await agentA.GetAsync($"/v1/objects/{objectId}/download")).DataAsync();
        var second = await (await agentB.GetAsync($"/v1/objects/{objectId}/download")).DataAsync();
        Assert.Equal((0.10m, 0m), (first.GetProperty("charged_amount").GetDecimal(), second.GetProperty("charged_amount").GetDecimal()));
        Assert.Equal(first.GetProperty("access_id").GetString(), second.GetProperty("access_id").GetString());
        var outcome = await (await agentB.PostAsync("/v1/outcomes", Body(new { retrieval_event_ids = new[] { Id(cited), Id(audit) }, revenue_amount = 100m, currency = "USD" })))
            .DataAsync(HttpStatusCode.Created);
        Assert.Equal(5.00m, outcome.GetProperty("charged_amount").GetDecimal());
        var accesses = (await (await agentA.GetAsync("/v1/agent/activity/accesses?limit=100")).DataAsync()).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(["citation", "download", "outcome", "retrieval", "retrieval", "retrieval"], accesses.Select(a => a.GetProperty("type").GetString()).Order());
        foreach (var groupBy in new[] { "day", "dataset", "api_key" })
            Assert.Equal(5.20m, (await (await agentB.GetAsync($"/v1/agent/spend?group_by={groupBy}")).DataAsync()).GetProperty("total").GetDecimal());

        // 0.50 a day: 50 concurrent charges of every type on both nodes never take the key beyond it.
        var (_, limited) = await world.AccountAsync("Limited buyer");
        var create = await limited.PostAsync("/v1/api-keys", Body(new { name = "capped", scopes = new[] { "search:query", "usage:read" }, spend_limit = new { amount = 0.50m, period = "day" }, rate_limit_per_second = 1000 }));
        var cappedKey = (await create.DataAsync(HttpStatusCode.Created)).GetProperty("key").GetString()!;
        HttpClient[] nodes = [nodeA.WithApiKey(cappedKey), nodeB.WithApiKey(cappedKey)];
        var seed = (await SearchOkAsync(nodes[0], new { query = Query, mode = "lexical" })).GetProperty("results").EnumerateArray().ToArray();
        var charged = seed.Sum(r => r.GetProperty("price").GetDecimal());
        var auditEvent = Id(seed.Single(r => r.GetProperty("dataset_id").GetString() == audits));
        var objects = seed.Select(r => r.GetProperty("object_id").GetString()!).ToArray();

        async Task<decimal> ChargeAsync(int i)
        {
            var node = nodes[i % 2];
            var response = (i % 4) switch
            {
                0 => await node.PostAsync("/v1/search", Body(new { query = Query, mode = "lexical" })),
                1 => await node.PostAsync("/v1/citations", Body(new { retrieval_event_id = Id(seed[i % seed.Length]) })),
                2 => await node.GetAsync($"/v1/objects/{objects[i % objects.Length]}/download"),
                _ => await node.PostAsync("/v1/outcomes", Body(new { retrieval_event_ids = new[] { auditEvent }, revenue_amount = 1m, currency = "USD" })),
            };
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            if (response.StatusCode == HttpStatusCode.PaymentRequired)
            {
                Assert.Equal("spend_limit_exceeded", body.GetProperty("error").GetProperty("code").GetString());
                return 0;
            }

            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
            // A citation answered 200 (already made) charges nothing this time.
            return response.StatusCode == HttpStatusCode.OK && i % 4 == 1 ? 0 : body.GetProperty("data").GetProperty("charged_amount").GetDecimal();
        }

        var charges = await Task.WhenAll(Enumerable.Range(0, 50).Select(ChargeAsync));
        charged += charges.Sum();
        var spent = (await (await nodes[1].GetAsync("/v1/agent/spend?group_by=api_key")).DataAsync()).GetProperty("total").GetDecimal();
        Assert.Equal(charged, spent); // every acknowledged charge is in the ledger, and nothing else
        Assert.InRange(spent, 0.40m, 0.50m); // the budget is used, never exceeded
        await (await nodes[0].PostAsync("/v1/outcomes", Body(new { retrieval_event_ids = new[] { auditEvent }, revenue_amount = 1m, currency = "USD" })))
            .ErrorAsync(HttpStatusCode.PaymentRequired, "spend_limit_exceeded");
    }

    private static string Id(JsonElement result) => result.GetProperty("retrieval_event_id").GetString()!;
}
