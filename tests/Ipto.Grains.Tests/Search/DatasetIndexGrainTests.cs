using System.Text;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.ObjectStore;
using Ipto.Grains.Tests.Support;
using Ipto.Objects;
using Ipto.Search;
using Ipto.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Ipto.Grains.Tests.Search;

public sealed class DatasetIndexGrainTests
{
    private static readonly Caller Owner = new("tnt_owner", "usr_owner", "user", ["objects:write", "datasets:write"], false);
    private static readonly Caller Admin = new("tnt_platform", "usr_admin", "user", ["admin:*"], true);

    private static readonly string[] Documents =
    [
        "Bills of lading for the Rotterdam route. The colour of each container is recorded.",
        "Marine insurance covers cargo lost at sea. Claims are settled within ninety days.",
        "Court rulings on shipping disputes between carriers and insurers in Hamburg.",
    ];

    /// <summary>Uploads, normalizes and approves each text into one dataset; returns the dataset and object ids.</summary>
    private static async Task<(string DatasetId, string[] ObjectIds)> IndexedDatasetAsync(InProcessTestCluster cluster)
    {
        var datasetId = Ids.New(IdPrefixes.Dataset);
        await cluster.Client.GetGrain<IDatasetGrain>(datasetId).Create(Owner, new NewDataset("Shipping", null, "document", "open", "fixed", null, "listed", []));
        var store = cluster.Silos[0].ServiceProvider.GetRequiredService<IObjectStore>();
        var ids = new List<string>();
        for (var i = 0; i < Documents.Length; i++)
        {
            var objectId = Ids.New(IdPrefixes.Object);
            var bytes = Encoding.UTF8.GetBytes(Documents[i]);
            var upload = cluster.Client.GetGrain<IUploadGrain>(Ids.New(IdPrefixes.Upload));
            await upload.Create(Owner, objectId, new NewUpload(datasetId, $"doc{i}.txt", "text/plain", bytes.Length, null));
            await store.WriteAsync(ObjectKeys.ObjectBlob(datasetId, objectId), new MemoryStream(bytes), "text/plain");
            await upload.Complete(Owner, null);
            var obj = cluster.Client.GetGrain<IObjectGrain>(objectId);
            await Eventually.Until(async () => (await obj.Get(Owner)).Status, s => s == ObjectStatuses.Ready, what: "ready");
            await obj.Approve(Admin);
            await Eventually.Until(async () => (await obj.Get(Owner)).Status, s => s == ObjectStatuses.Active, what: "active");
            ids.Add(objectId);
        }

        return (datasetId, ids.ToArray());
    }

    [Fact]
    public async Task ApprovedObjectsAreFoundWithTheQuerySyntaxAndLeaveTheIndexWhenDeleted()
    {
        using var dir = new TempDir();
        await using var cluster = await EmbeddedCluster.StartAsync(dir.Path);
        var (datasetId, ids) = await IndexedDatasetAsync(cluster);
        var index = cluster.Client.GetGrain<IDatasetIndexGrain>(datasetId);

        async Task<string[]> Found(string query) => (await index.SearchLexical(query, 10)).Select(h => h.ObjectId).Distinct().Order().ToArray();

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
        var error = await Assert.ThrowsAsync<IptoException>(() => index.SearchLexical("\"unclosed phrase", 10));
        Assert.Equal(ErrorCodes.InvalidQuery, error.Code);

        await cluster.Client.GetGrain<IObjectGrain>(ids[1]).Delete(Owner);
        await Eventually.Until(() => Found("cargo"), found => found.Length == 0, what: "the deleted object to leave the index");
        await cluster.DeactivateAsync(index);
        Assert.Equal([ids[0]], await Found("lading"));
    }

    [Fact]
    public async Task DeletingTheDatasetEmptiesItsIndex()
    {
        using var dir = new TempDir();
        await using var cluster = await EmbeddedCluster.StartAsync(dir.Path);
        var (datasetId, _) = await IndexedDatasetAsync(cluster);
        var index = cluster.Client.GetGrain<IDatasetIndexGrain>(datasetId);
        Assert.NotEmpty(await index.SearchLexical("shipping", 10));

        var job = await cluster.Client.GetGrain<IDatasetGrain>(datasetId).Delete(Owner);

        await Eventually.Until(() => ReadModel.JobStatusAsync(dir.Path, job.JobId), s => s == Ipto.Jobs.JobStatuses.Succeeded, TimeSpan.FromSeconds(30), "the deletion");
        Assert.Empty(await index.SearchLexical("shipping OR cargo OR lading", 10));
    }
}
