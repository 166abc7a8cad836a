using System.Net;
using Ipto.Api.Tests.Search;
using Ipto.Api.Tests.Support;
using Ipto.Grains.ObjectStore;
using Ipto.Grains.Search;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Ipto.Api.Tests.Search.SearchWorld;

namespace Ipto.Integration.Tests.Search;

/// <summary>
/// Search in cluster mode on real parts: grain state, read model and ledger in PostgreSQL, chunk and vector files and
/// shard snapshots in the S3 emulator. The second node starts on an empty disk, as a silo that never held the index
/// would, and the chunk files are gone by then: it can only answer from the shards' snapshots.
/// </summary>
public sealed class ClusterSearchTests
{
    [SkippableFact]
    public async Task SearchBillsIntoPostgresAndTheShardsFollowTheirGrainsToANodeWithAnEmptyDiskFromTheirSnapshots()
    {
        Services.RequireS3();
        await using var cluster = await TestClusterContext.CreateAsync();

        string datasetId, key, keyId;
        string[] objects;
        const string paraphrase = "compensation for goods that sank with a ship";
        await using (var nodeA = new IptoApiFactory(Path.Combine(cluster.DataDir, "node-a"), cluster.ApiNodeSettings("node-a"), testCredentials: false))
        {
            var world = new SearchWorld(nodeA);
            using var admin = await world.AdminAsync();
            var (_, provider) = await world.AccountAsync("Provider");
            datasetId = await CreateDatasetAsync(provider, "Shipping records", "listed");
            objects = await world.AddActiveTextsAsync(provider, admin, datasetId, ShippingTexts, ShippingNames, s3Urls: true);
            var (_, buyer) = await world.AccountAsync("Buyer");
            (keyId, key) = await buyer.CreateKeyAsync("search:query", "usage:read");
            using var agent = nodeA.WithApiKey(key);

            var page = await SearchOkAsync(agent, new { query = "cargo", mode = "lexical" });
            Assert.Equal([objects[1]], ObjectIds(page));
            Assert.Equal(0.03m, Charged(page));
            var activity = await (await agent.GetAsync($"/v1/agent/activity/searches?api_key_id={keyId}")).DataAsync();
            Assert.Equal(0.03m, Assert.Single(activity.GetProperty("searches").EnumerateArray()).GetProperty("charged_amount").GetDecimal());
            var store = nodeA.Services.GetRequiredService<IObjectStore>();
            foreach (var id in objects) Assert.NotNull(await store.HeadAsync(ObjectKeys.ObjectVectors(datasetId, id)));
            var shards = nodeA.Services.GetRequiredService<IndexShardMap>().All();
            Assert.All(await Task.WhenAll(shards.Select(shard => shard.Snapshot())), generation => Assert.True(generation > 0));
            foreach (var id in objects)
            {
                await store.DeleteAsync(ObjectKeys.ObjectChunks(datasetId, id));
                await store.DeleteAsync(ObjectKeys.ObjectVectors(datasetId, id));
            }
        }

        Assert.False(Directory.Exists(Path.Combine(cluster.DataDir, "node-b")));
        await using var nodeB = new IptoApiFactory(Path.Combine(cluster.DataDir, "node-b"), cluster.ApiNodeSettings("node-b"), testCredentials: false);
        using var agentB = nodeB.WithApiKey(key);
        Assert.Equal([objects[1]], ObjectIds(await SearchOkAsync(agentB, new { query = "cargo", mode = "lexical" })));
        var hybrid = await SearchOkAsync(agentB, new { query = paraphrase, mode = "hybrid", dataset_ids = new[] { datasetId } });
        Assert.Equal(objects[1], hybrid.GetProperty("results")[0].GetProperty("object_id").GetString());
        Assert.NotEmpty(Directory.EnumerateDirectories(Path.Combine(cluster.DataDir, "node-b", "index", "shards")));
        var activityB = await (await agentB.GetAsync($"/v1/agent/activity/searches?api_key_id={keyId}")).DataAsync();
        Assert.Equal(3, activityB.GetProperty("total").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await agentB.GetAsync("/v1/me")).StatusCode);
    }
}
