using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Tests.Support;
using Ipto.Testing;

namespace Ipto.Grains.Tests.Datasets;

[Collection(SharedClusterCollection.Name)]
public sealed class DatasetSearchProfileGrainTests(SharedCluster shared)
{
    private static readonly Caller Owner = new("tnt_owner", "usr_owner", "user", ["datasets:write", "search:query"], false);
    private static readonly Caller Buyer = new(Ids.New(IdPrefixes.Tenant), Ids.New(IdPrefixes.ApiKey), "api_key", ["search:query"], false);
    private static readonly Caller Admin = new("tnt_platform", "usr_admin", "user", ["admin:*"], true);

    private static async Task<IDatasetGrain> ActiveDatasetAsync(IClusterClient client, string visibility)
    {
        var dataset = client.GetGrain<IDatasetGrain>(Ids.New(IdPrefixes.Dataset));
        await dataset.Create(Owner, new NewDataset("Searchable", null, "document", "open", "fixed", null, visibility, []));
        await dataset.ApplyObjectChange(new ObjectChange("obj_a", 1, null, new ObjectFootprint("indexing", "approved", 10)));
        await dataset.ApplyObjectChange(new ObjectChange("obj_a", 2, new ObjectFootprint("indexing", "approved", 10), new ObjectFootprint("active", "approved", 10)));
        Assert.Equal(DatasetStatuses.Active, (await dataset.Get(Owner)).Status);
        return dataset;
    }

    [Fact]
    public async Task OnlyCallersWhoMaySearchAnActiveDatasetGetItsProfile()
    {
        var cluster = shared.Cluster;

        var priv = await ActiveDatasetAsync(cluster.Client, "private");
        Assert.NotNull(await priv.OpenForSearch(Owner));
        Assert.Null(await priv.OpenForSearch(Buyer));

        var restricted = await ActiveDatasetAsync(cluster.Client, "restricted");
        Assert.Null(await restricted.OpenForSearch(Buyer)); // granted access is covered end to end in the Api search tests
        Assert.Equal(Owner.TenantId, (await restricted.OpenForSearch(Owner))!.TenantId);

        var listed = await ActiveDatasetAsync(cluster.Client, "listed");
        Assert.NotNull(await listed.OpenForSearch(Buyer));
        await listed.Update(Owner, new DatasetPatch(null, null, null, null, null, null, null, DatasetStatuses.Paused));
        Assert.Null(await listed.OpenForSearch(Buyer));
        Assert.Null(await listed.OpenForSearch(Owner));
        await listed.Update(Owner, new DatasetPatch(null, null, null, null, null, null, null, DatasetStatuses.Active));
        await listed.Suspend(Admin);
        Assert.Null(await listed.OpenForSearch(Buyer));
        Assert.Null(await cluster.Client.GetGrain<IDatasetGrain>(Ids.New(IdPrefixes.Dataset)).OpenForSearch(Owner));
    }

    [Fact]
    public async Task TheDemandCounterCountsEachSearchAndSurvivesDeactivation()
    {
        var cluster = shared.Cluster;
        var dataset = await ActiveDatasetAsync(cluster.Client, "listed");

        for (var i = 1; i <= 3; i++) Assert.Equal(i, (await dataset.OpenForSearch(Buyer))!.QueriesLast24h);
        await cluster.DeactivateAsync(dataset);
        Assert.Equal(4, (await dataset.OpenForSearch(Buyer))!.QueriesLast24h);
    }
}
