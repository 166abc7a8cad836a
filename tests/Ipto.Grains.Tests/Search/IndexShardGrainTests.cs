using System.Text;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.ObjectStore;
using Ipto.Grains.Search;
using Ipto.Grains.Tests.Support;
using Ipto.Objects;
using Ipto.Search;
using Ipto.Testing;
using Ipto.Testing.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Ipto.Grains.Tests.Search;

[Collection(SharedClusterCollection.Name)]
public sealed class IndexShardGrainTests(SharedCluster shared)
{
    private static readonly Caller Owner = new("tnt_owner", "usr_owner", "user", ["objects:write", "datasets:write"], false);
    private static readonly Caller OwnerSearching = Owner with { Scopes = ["search:query"] };
    private static readonly Caller Admin = new("tnt_platform", "usr_admin", "user", ["admin:*"], true);

    private static readonly string[] Documents =
    [
        "Bills of lading for the Rotterdam route. The colour of each container is recorded.",
        "Marine insurance covers cargo lost at sea. Claims are settled within ninety days.",
        "Court rulings on shipping disputes between carriers and insurers in Hamburg.",
    ];

    /// <summary>Uploads, normalizes and approves each text into one dataset; returns the dataset and object ids.</summary>
    private static async Task<(string DatasetId, string[] ObjectIds)> IndexedDatasetAsync(InProcessTestCluster cluster, string[]? documents = null)
    {
        var texts = documents ?? Documents;
        var datasetId = Ids.New(IdPrefixes.Dataset);
        await cluster.Client.GetGrain<IDatasetGrain>(datasetId).Create(Owner, new NewDataset("Shipping", null, "document", "open", "fixed", null, "listed", []));
        var store = cluster.Silos[0].ServiceProvider.GetRequiredService<IObjectStore>();
        var ids = new List<string>();
        for (var i = 0; i < texts.Length; i++)
        {
            var objectId = Ids.New(IdPrefixes.Object);
            var bytes = Encoding.UTF8.GetBytes(texts[i]);
            await cluster.Client.UploadAsync(store, Owner, datasetId, objectId, $"doc{i}.txt", "text/plain", bytes);
            var obj = cluster.Client.GetGrain<IObjectGrain>(objectId);
            await Eventually.Until(async () => (await obj.Get(Owner)).Status, s => s == ObjectStatuses.Ready, what: "ready");
            await obj.Approve(Admin);
            await Eventually.Until(async () => await obj.Get(Owner), o => o.Status == ObjectStatuses.Active && o.IndexStage == IndexStages.Complete,
                what: "active with its embeddings");
            ids.Add(objectId);
        }

        return (datasetId, ids.ToArray());
    }

    [Fact]
    public async Task ApprovedObjectsAreFoundWithTheQuerySyntaxAndLeaveTheIndexWhenDeleted()
    {
        var cluster = shared.Cluster;
        var (datasetId, ids) = await IndexedDatasetAsync(cluster);
        var index = new ShardedIndex(cluster, datasetId);

        async Task<string[]> Found(string query) => (await Lexical(index, query)).Select(h => h.ObjectId).Distinct().Order().ToArray();

        Assert.Equal([ids[1]], await Found("cargo"));
        Assert.Equal([ids[0]], await Found("\"bills of lading\""));
        Assert.Equal([ids[0]], await Found("\"container recorded\"~3"));
        Assert.Equal(new[] { ids[1], ids[2] }.Order(), await Found("insur*"));
        Assert.Equal([ids[0]], await Found("*dam"));
        Assert.Equal([ids[0]], await Found("/colou?r/"));
        Assert.Equal([ids[2]], await Found("shipping AND NOT cargo"));
        Assert.Equal(new[] { ids[0], ids[2] }.Order(), await Found("rotterdam OR hamburg"));
        Assert.Equal([ids[1]], await Found("clams~1"));
        Assert.Equal([ids[2]], await Found("filename:doc2"));
        var error = await Assert.ThrowsAsync<IptoException>(() => Lexical(index, "\"unclosed phrase"));
        Assert.Equal(ErrorCodes.InvalidQuery, error.Code);

        await cluster.Client.GetGrain<IObjectGrain>(ids[1]).Delete(Owner);
        await Eventually.Until(() => Found("cargo"), found => found.Length == 0, what: "the deleted object to leave the index");
        await index.DeactivateAsync();
        Assert.Equal([ids[0]], await Found("lading"));
    }

    [Fact]
    public async Task DeletingTheDatasetEmptiesItsIndex()
    {
        var cluster = shared.Cluster;
        var (datasetId, _) = await IndexedDatasetAsync(cluster);
        var (otherId, _) = await IndexedDatasetAsync(cluster);
        var index = new ShardedIndex(cluster, datasetId);
        Assert.NotEmpty(await Lexical(index, "shipping"));

        var job = await cluster.Client.GetGrain<IDatasetGrain>(datasetId).Delete(Owner);

        await Eventually.Until(() => ReadModel.JobStatusAsync(shared.DataDir, job.JobId), s => s == Ipto.Jobs.JobStatuses.Succeeded, TimeSpan.FromSeconds(30), "the deletion");
        Assert.Empty(await Lexical(index, "shipping OR cargo OR lading"));
        Assert.Equal(0, await index.CountAsync());
        // The other dataset shares the shards and keeps every document.
        Assert.Equal(Documents.Length, await new ShardedIndex(cluster, otherId).CountAsync());
    }

    [Fact]
    public async Task DenseVectorsFindAParaphraseAndTheIndexRebuildsItselfWhereItsFilesAreMissing()
    {
        var cluster = shared.Cluster;
        var (datasetId, ids) = await IndexedDatasetAsync(cluster);
        var index = new ShardedIndex(cluster, datasetId);
        var embedder = cluster.Silos[0].ServiceProvider.GetRequiredService<ITextEmbedder>();
        var paraphrase = embedder.Embed(["compensation for goods that sank with a ship"])[0];

        async Task<string?> TopDense() => (await index.SearchAsync(new IndexQuery(null, paraphrase, null, 3))).Dense.FirstOrDefault()?.ObjectId;

        Assert.Equal(ids[1], await TopDense());
        var store = cluster.Silos[0].ServiceProvider.GetRequiredService<IObjectStore>();
        Assert.NotNull(await store.HeadAsync(ObjectKeys.ObjectVectors(datasetId, ids[1])));

        // Another silo has no local files: simulate it by deleting them while the shards are away.
        await index.DeactivateAsync();
        Directory.Delete(Path.Combine(shared.DataDir, "index", "shards"), recursive: true);

        Assert.Equal(Documents.Length, await index.CountAsync());
        Assert.Equal(ids[1], await TopDense());
        Assert.Equal([ids[0]], (await Lexical(index, "lading")).Select(h => h.ObjectId).Distinct().ToArray());
    }

    [Fact]
    public async Task FiltersRestrictBothListsAndHostileQueriesAreRefusedWithAPosition()
    {
        var cluster = shared.Cluster;
        var manyTerms = string.Join(' ', Enumerable.Range(0, 1100).Select(i => $"w{i:D4}"));
        var sameTerms = string.Join(' ', Enumerable.Range(0, 600).Select(i => $"v{i:D4}"));
        var (datasetId, ids) = await IndexedDatasetAsync(cluster, [.. Documents, manyTerms, sameTerms, sameTerms]);
        var index = new ShardedIndex(cluster, datasetId);
        var embedder = cluster.Silos[0].ServiceProvider.GetRequiredService<ITextEmbedder>();

        var filter = new IndexFilter(null, [ids[0], ids[2]], null, null);
        var filtered = await index.SearchAsync(new IndexQuery("shipping OR cargo OR lading", embedder.Embed(["cargo insurance"])[0], filter, 10));
        Assert.Equal(new[] { ids[0], ids[2] }.Order(), filtered.Lexical.Select(h => h.ObjectId).Distinct().Order());
        Assert.All(filtered.Dense, h => Assert.Contains(h.ObjectId, new[] { ids[0], ids[2] }));
        var future = await index.SearchAsync(new IndexQuery("shipping", null, new IndexFilter(null, null, DateTimeOffset.UtcNow.AddDays(1), null), 10));
        Assert.Empty(future.Lexical);
        var byType = await index.SearchAsync(new IndexQuery("shipping", null, new IndexFilter(["application/pdf"], null, null, null), 10));
        Assert.Empty(byType.Lexical);

        var expansion = await Assert.ThrowsAsync<IptoException>(() => Lexical(index, "cargo OR w*"));
        Assert.Equal(ErrorCodes.InvalidQuery, expansion.Code);
        Assert.Contains("position 10", expansion.Message);
        Assert.Single(await Lexical(index, "w000*"));
        // 600 distinct terms, each in two objects (in one shard or two): counted once per shard, so allowed.
        Assert.Equal(2, (await Lexical(index, "v*")).Select(h => h.ObjectId).Distinct().Count());

        var regex = await Assert.ThrowsAsync<IptoException>(() => Lexical(index, "cargo /(a|b){1000}/"));
        Assert.Equal(ErrorCodes.InvalidQuery, regex.Code);
        Assert.Contains("position 7", regex.Message);
    }

    [Fact]
    public async Task AShardOnAnEmptyDiskRestoresItsSnapshotCatchesUpAndRebuildsWhenThereIsNone()
    {
        var cluster = shared.Cluster;
        var store = cluster.Silos[0].ServiceProvider.GetRequiredService<IObjectStore>();
        var (snapshotted, ids) = await IndexedDatasetAsync(cluster);
        var index = new ShardedIndex(cluster, snapshotted);
        var generations = await index.SnapshotAsync();
        Assert.All(generations, g => Assert.True(g > 0));

        // After the snapshot: one object deleted, another dataset indexed.
        await cluster.Client.GetGrain<IObjectGrain>(ids[2]).Delete(Owner);
        var (later, laterIds) = await IndexedDatasetAsync(cluster, ["Customs declarations for rice shipments."]);

        // A node with an empty disk, and chunk files gone for the snapshotted dataset: only the snapshot can answer for it.
        await index.DeactivateAsync();
        Directory.Delete(Path.Combine(shared.DataDir, "index", "shards"), recursive: true);
        foreach (var id in ids)
        {
            await store.DeleteAsync(ObjectKeys.ObjectChunks(snapshotted, id));
            await store.DeleteAsync(ObjectKeys.ObjectVectors(snapshotted, id));
        }

        Assert.Equal([ids[0]], (await Lexical(index, "lading")).Select(h => h.ObjectId).Distinct().ToArray());
        Assert.Empty(await Lexical(index, "hamburg"));
        Assert.Equal(2, await index.CountAsync());
        Assert.Equal([laterIds[0]], (await Lexical(new ShardedIndex(cluster, later), "rice")).Select(h => h.ObjectId).ToArray());

        // No snapshot at all: the shards rebuild from chunk files (which the first dataset no longer has).
        await index.DeactivateAsync();
        Directory.Delete(Path.Combine(shared.DataDir, "index", "shards"), recursive: true);
        foreach (var key in await store.ListKeysAsync("search-shards/", 10_000)) await store.DeleteAsync(key);
        Assert.Equal(0, await index.CountAsync());
        Assert.Equal([laterIds[0]], (await Lexical(new ShardedIndex(cluster, later), "rice")).Select(h => h.ObjectId).ToArray());
    }

    [Fact]
    public async Task AnApprovedObjectIsSearchableLexicallyBeforeItsEmbeddingsAndDenselyAfter()
    {
        var cluster = shared.Cluster;
        var datasetId = Ids.New(IdPrefixes.Dataset);
        await cluster.Client.GetGrain<IDatasetGrain>(datasetId).Create(Owner, new NewDataset("Held", null, "document", "open", "fixed", null, "listed", []));
        var store = cluster.Silos[0].ServiceProvider.GetRequiredService<IObjectStore>();
        var objectId = Ids.New(IdPrefixes.Object);
        var text = $"Marine insurance covers cargo lost at sea ({HoldingEmbedder.Marker}).";
        using var hold = new ManualResetEventSlim(false);
        HoldingEmbedder.Hold = hold;
        try
        {
            await cluster.Client.UploadAsync(store, Owner, datasetId, objectId, "held.txt", "text/plain", Encoding.UTF8.GetBytes(text));
            var obj = cluster.Client.GetGrain<IObjectGrain>(objectId);
            await Eventually.Until(async () => (await obj.Get(Owner)).Status, s => s == ObjectStatuses.Ready, what: "ready");
            await obj.Approve(Admin);
            var lexical = await Eventually.Until(async () => await obj.Get(Owner), o => o.Status == ObjectStatuses.Active, what: "active");
            Assert.Equal(IndexStages.Lexical, lexical.IndexStage);

            var index = new ShardedIndex(cluster, datasetId);
            var embedder = cluster.Silos[0].ServiceProvider.GetRequiredService<ITextEmbedder>();
            var paraphrase = embedder.Embed(["compensation for goods that sank with a ship"])[0];
            Assert.Equal([objectId], (await Lexical(index, "cargo")).Select(m => m.ObjectId).ToArray());
            Assert.Empty((await index.SearchAsync(new IndexQuery(null, paraphrase, null, 3))).Dense);

            hold.Set();
            var complete = await Eventually.Until(async () => await obj.Get(Owner), o => o.IndexStage == IndexStages.Complete, what: "the embeddings");
            Assert.Equal(ObjectStatuses.Active, complete.Status);
            Assert.Equal([objectId], (await index.SearchAsync(new IndexQuery(null, paraphrase, null, 3))).Dense.Select(m => m.ObjectId).ToArray());
            Assert.Equal([objectId], (await Lexical(index, "cargo")).Select(m => m.ObjectId).ToArray());
        }
        finally
        {
            HoldingEmbedder.Hold = null;
            hold.Set();
        }
    }

    [Fact]
    public async Task ChunksScoreTheSameWhicheverShardHoldsThem()
    {
        var cluster = shared.Cluster;
        var shardCount = cluster.Silos[0].ServiceProvider.GetRequiredService<IndexShardMap>().Count;
        Assert.True(shardCount > 1, "the test deployment runs several shards");
        const string twin = "Tariff schedules for copper cathodes imported through Antwerp in the third quarter.";
        // Two datasets hold the same chunk in different shards; the first one's shard also holds other copper
        // documents, so its own statistics (document frequency, field length) differ from the other shard's.
        string first, second;
        string[] firstIds, secondIds;
        int firstShard;
        do
        {
            (first, firstIds) = await IndexedDatasetAsync(cluster, [twin, "Copper wire gauges.", "Copper roofing sheets, copper gutters and copper nails.", "Zinc."]);
            firstShard = IndexShards.Of(first, firstIds[0], shardCount);
        } while (firstIds.Skip(1).All(id => IndexShards.Of(first, id, shardCount) != firstShard));

        do
        {
            (second, secondIds) = await IndexedDatasetAsync(cluster, [twin]);
        } while (IndexShards.Of(second, secondIds[0], shardCount) == firstShard);

        var coordinator = cluster.Client.GetGrain<ISearchCoordinatorGrain>(0);
        var page = await coordinator.Search(OwnerSearching, new SearchRequest("copper cathodes antwerp", SearchModes.Lexical, [first, second], null, 10, null, true));
        var scores = page.Results.Where(r => r.ObjectId == firstIds[0] || r.ObjectId == secondIds[0]).Select(r => r.Score).ToArray();
        Assert.Equal(2, scores.Length);
        Assert.Equal(scores[0], scores[1], 5);

        // Scored with each shard's own statistics, the same chunk would not score the same.
        var local = await Task.WhenAll(new[] { first, second }.Select(id => new ShardedIndex(cluster, id).SearchAsync(
            new IndexQuery("copper cathodes antwerp", null, null, 10), corpusStatistics: false)));
        Assert.NotEqual(local[0].Lexical.Single(m => m.ObjectId == firstIds[0]).Score, local[1].Lexical.Single(m => m.ObjectId == secondIds[0]).Score, 5);
    }

    private static async Task<IReadOnlyList<IndexMatch>> Lexical(ShardedIndex index, string query) =>
        (await index.SearchAsync(new IndexQuery(query, null, null, 10))).Lexical;

    /// <summary>One dataset's documents across every shard, queried as the coordinator does (statistics first, then the search).</summary>
    private sealed class ShardedIndex(InProcessTestCluster cluster, string datasetId)
    {
        private IServiceProvider Services => cluster.Silos[0].ServiceProvider;
        private IIndexShardGrain[] Shards => Services.GetRequiredService<IndexShardMap>().All();

        public async Task<IndexResult> SearchAsync(IndexQuery query, bool corpusStatistics = true)
        {
            var view = await Services.GetRequiredService<SearchableDatasets>().CurrentAsync();
            var scope = new DatasetScope(Owner.TenantId, [datasetId], true, null, view.Version);
            var statistics = corpusStatistics && query.Lexical is { } lexical
                ? CorpusStatistics.Sum(await Task.WhenAll(Shards.Select(shard => shard.Statistics(lexical))))
                : null;
            var results = await Task.WhenAll(Shards.Select(shard => shard.Search(new ShardQuery(query, scope, statistics))));
            return new IndexResult(results.SelectMany(r => r.Lexical).OrderByDescending(m => m.Score).ToArray(),
                results.SelectMany(r => r.Dense).OrderByDescending(m => m.Score).ToArray());
        }

        public Task<long[]> SnapshotAsync() => Task.WhenAll(Shards.Select(shard => shard.Snapshot()));

        public async Task<int> CountAsync() => (await Task.WhenAll(Shards.Select(shard => shard.Count(datasetId)))).Sum();

        public async Task DeactivateAsync()
        {
            foreach (var shard in Shards) await cluster.DeactivateAsync(shard);
        }
    }
}
