using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Datasets;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Integration.Tests.Cluster;

/// <summary>The read models (keys, datasets, catalog, grants, jobs) through the Api on PostgreSQL, as cluster mode runs them.</summary>
public sealed class PostgresReadModelTests
{
    [SkippableFact]
    public async Task ListsCatalogGrantsAndDeletionWorkOnPostgres()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        var settings = cluster.Settings.For(Ports.Free(), Ports.Free());
        await using var api = new IptoApiFactory(cluster.DataDir, settings, testCredentials: false);

        var provider = await api.SignupAsync(tenantName: "PG Provider");
        var buyer = await api.SignupAsync(tenantName: "PG Buyer");
        using var owner = api.WithBearer(provider.SessionToken);
        using var buyerSession = api.WithBearer(buyer.SessionToken);

        var (keyId, _) = await owner.CreateKeyAsync("datasets:read");
        Assert.Contains(keyId, (await (await owner.GetAsync("/v1/api-keys?limit=1")).DataAsync()).ToString());

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
            ids.Add((await (await owner.PostAsync("/v1/datasets", Body(new { name = $"PG set {i}", visibility = i % 2 == 0 ? "listed" : "restricted", tags = new[] { "Postgres_100%" } })))
                .DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString()!);
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await owner.GetAsync("/v1/datasets?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).DataAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("dataset_id").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(ids.AsEnumerable().Reverse(), seen);

        var grains = api.Services.GetRequiredService<IGrainFactory>();
        foreach (var id in ids.Take(2))
        {
            await grains.GetGrain<IDatasetGrain>(id).Advance(DatasetStatuses.Ingesting);
            await grains.GetGrain<IDatasetGrain>(id).Advance(DatasetStatuses.Active);
        }

        await (await owner.PostAsync($"/v1/datasets/{ids[1]}/grants", Body(new { tenant_id = buyer.TenantId }))).DataAsync(HttpStatusCode.Created);
        var catalog = (await (await buyerSession.GetAsync("/v1/catalog/datasets?q=postgres_100%25%20PG")).DataAsync()).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal([ids[1], ids[0]], catalog.Select(c => c.GetProperty("dataset_id").GetString()));
        Assert.All(catalog, c => Assert.True(c.GetProperty("has_access").GetBoolean()));
        Assert.Equal("PG Provider", catalog[0].GetProperty("provider_display_name").GetString());
        Assert.Empty((await (await buyerSession.GetAsync("/v1/catalog/datasets?q=postgres_1000")).DataAsync()).GetProperty("items").EnumerateArray());

        var jobId = (await (await owner.DeleteAsync($"/v1/datasets/{ids[0]}")).DataAsync(HttpStatusCode.Accepted)).GetProperty("job_id").GetString();
        var job = await Eventually.Until(async () => await (await owner.GetAsync($"/v1/jobs/{jobId}")).DataAsync(),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed", TimeSpan.FromSeconds(30), "the deletion job");
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(1, await cluster.Database.ScalarAsync<int>($"SELECT count(*) FROM datasets WHERE dataset_id = '{ids[0]}' AND status = 'deleted'"));
        Assert.Equal(0, await cluster.Database.ScalarAsync<int>($"SELECT count(*) FROM catalog_datasets WHERE dataset_id = '{ids[0]}'"));
        Assert.Equal("succeeded", await cluster.Database.ScalarAsync<string>($"SELECT status FROM jobs WHERE job_id = '{jobId}'"));
    }
}
