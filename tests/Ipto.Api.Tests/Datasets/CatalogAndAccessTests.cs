using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Datasets;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Datasets;

public sealed class CatalogAndAccessTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;

    private async Task<(Account Account, HttpClient Client)> ProviderAsync(string tenantName = "Provider Co")
    {
        var account = await Api.SignupAsync(tenantName: tenantName);
        return (account, Api.WithBearer(account.SessionToken));
    }

    /// <summary>A dataset made active the way the object pipeline will (draft → ingesting → active).</summary>
    private async Task<string> ActiveDatasetAsync(HttpClient owner, object body)
    {
        var id = (await (await owner.PostAsync("/v1/datasets", Body(body))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString()!;
        var grain = Api.Services.GetRequiredService<IGrainFactory>().GetGrain<IDatasetGrain>(id);
        await grain.Advance(DatasetStatuses.Ingesting);
        await grain.Advance(DatasetStatuses.Active);
        return id;
    }

    private static async Task<JsonElement[]> CatalogAsync(HttpClient client, string query = "") =>
        (await (await client.GetAsync("/v1/catalog/datasets?limit=100" + query)).DataAsync()).GetProperty("items").EnumerateArray().ToArray();

    private async Task<HttpClient> AdminAsync() =>
        Api.WithBearer((await (await Api.LoginAsync(IdentityFixture.AdminEmail, IdentityFixture.AdminPassword)).DataAsync()).GetProperty("session_token").GetString()!);

    [Fact]
    public async Task CatalogShowsOnlyActiveListedOrRestrictedDatasetsWithPublicFields()
    {
        var (_, provider) = await ProviderAsync("Visible Provider");
        var word = "zq" + Guid.NewGuid().ToString("N")[..8];
        var listed = await ActiveDatasetAsync(provider, new { name = $"Listed {word}", visibility = "listed", tags = new[] { "law" } });
        var restricted = await ActiveDatasetAsync(provider, new { name = $"Restricted {word}", visibility = "restricted" });
        var hidden = await ActiveDatasetAsync(provider, new { name = $"Private {word}" });
        var draft = (await (await provider.PostAsync("/v1/datasets", Body(new { name = $"Draft {word}", visibility = "listed" }))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString();
        var paused = await ActiveDatasetAsync(provider, new { name = $"Paused {word}", visibility = "listed" });
        await (await provider.PatchAsync($"/v1/datasets/{paused}", Body(new { status = "paused" }))).DataAsync();
        var (_, buyer) = await ProviderAsync("Buyer Co");

        var items = await CatalogAsync(buyer, "&q=" + word);

        Assert.Equal([restricted, listed], items.Select(i => i.GetProperty("dataset_id").GetString()));
        var entry = items.Single(i => i.GetProperty("dataset_id").GetString() == listed);
        Assert.Equal("Visible Provider", entry.GetProperty("provider_display_name").GetString());
        Assert.True(entry.GetProperty("has_access").GetBoolean());
        Assert.False(items.Single(i => i.GetProperty("dataset_id").GetString() == restricted).GetProperty("has_access").GetBoolean());
        foreach (var field in new[] { "tenant_id", "counters", "grants", "status" })
            Assert.False(entry.TryGetProperty(field, out _), $"the catalog leaks {field}");
        Assert.Equal(0, entry.GetProperty("active_object_count").GetInt64());
        Assert.DoesNotContain(hidden, items.Select(i => i.GetProperty("dataset_id").GetString()));
        Assert.DoesNotContain(draft, items.Select(i => i.GetProperty("dataset_id").GetString()));
    }

    [Fact]
    public async Task CatalogQueryMatchesEveryWordInNameDescriptionOrTagsIgnoringCase()
    {
        var (_, provider) = await ProviderAsync();
        var word = "kx" + Guid.NewGuid().ToString("N")[..8];
        var byTag = await ActiveDatasetAsync(provider, new { name = $"Alpha {word}", visibility = "listed", tags = new[] { "Maritime" } });
        var byDescription = await ActiveDatasetAsync(provider, new { name = $"Beta {word}", description = "maritime shipping logs", visibility = "listed" });
        await ActiveDatasetAsync(provider, new { name = $"Gamma {word}", visibility = "listed" });

        var both = await CatalogAsync(provider, $"&q={word.ToUpperInvariant()}%20MARITIME");
        var none = await CatalogAsync(provider, $"&q={word}%20maritime%20aviation");

        Assert.Equal([byDescription, byTag], both.Select(i => i.GetProperty("dataset_id").GetString()));
        Assert.Empty(none);
        Assert.Empty(await CatalogAsync(provider, $"&q={word}%25"));
    }

    [Fact]
    public async Task CatalogFiltersAndRefusesUnknownValues()
    {
        var (_, provider) = await ProviderAsync();
        var word = "fl" + Guid.NewGuid().ToString("N")[..8];
        var images = await ActiveDatasetAsync(provider, new { name = $"Images {word}", visibility = "listed", source_modality = "image", pricing_model = "time_decay" });
        await ActiveDatasetAsync(provider, new { name = $"Docs {word}", visibility = "listed" });

        Assert.Equal([images], (await CatalogAsync(provider, $"&q={word}&source_modality=image")).Select(i => i.GetProperty("dataset_id").GetString()));
        Assert.Equal([images], (await CatalogAsync(provider, $"&q={word}&pricing_model=time_decay")).Select(i => i.GetProperty("dataset_id").GetString()));
        Assert.Equal(2, (await CatalogAsync(provider, $"&q={word}&monetization_mode=open")).Length);
        await (await provider.GetAsync("/v1/catalog/datasets?source_modality=smell")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await provider.GetAsync("/v1/catalog/datasets?q=" + new string('q', 2001))).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task GrantsGiveAccessToARestrictedDatasetAndCanBeRemoved()
    {
        var (_, provider) = await ProviderAsync();
        var (buyerAccount, buyer) = await ProviderAsync("Granted Buyer");
        var word = "gr" + Guid.NewGuid().ToString("N")[..8];
        var id = await ActiveDatasetAsync(provider, new { name = $"Secret {word}", visibility = "restricted" });

        var grant = await (await provider.PostAsync($"/v1/datasets/{id}/grants", Body(new { tenant_id = buyerAccount.TenantId }))).DataAsync(HttpStatusCode.Created);
        Assert.Equal(buyerAccount.TenantId, grant.GetProperty("tenant_id").GetString());
        Assert.True((await CatalogAsync(buyer, "&q=" + word)).Single().GetProperty("has_access").GetBoolean());
        var grants = await (await provider.GetAsync($"/v1/datasets/{id}/grants")).DataAsync();
        Assert.Equal(1, grants.GetProperty("total").GetInt32());

        var removed = await (await provider.DeleteAsync($"/v1/datasets/{id}/grants/{buyerAccount.TenantId}")).DataAsync();
        Assert.Equal("revoked", removed.GetProperty("status").GetString());
        Assert.False((await CatalogAsync(buyer, "&q=" + word)).Single().GetProperty("has_access").GetBoolean());
        await (await provider.DeleteAsync($"/v1/datasets/{id}/grants/{buyerAccount.TenantId}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task GrantValidationAndTenancy()
    {
        var (providerAccount, provider) = await ProviderAsync();
        var (_, stranger) = await ProviderAsync();
        var id = (await (await provider.PostAsync("/v1/datasets", Body(new { name = "G", visibility = "restricted" }))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString();

        await (await provider.PostAsync($"/v1/datasets/{id}/grants", Body(new { }))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await provider.PostAsync($"/v1/datasets/{id}/grants", Body(new { tenant_id = "nope" }))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await provider.PostAsync($"/v1/datasets/{id}/grants", Body(new { tenant_id = "tnt_01jq3n5a7v8x9y0z1a2b3c4d5e" }))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await provider.PostAsync($"/v1/datasets/{id}/grants", Body(new { tenant_id = providerAccount.TenantId }))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await stranger.PostAsync($"/v1/datasets/{id}/grants", Body(new { tenant_id = providerAccount.TenantId }))).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.GetAsync($"/v1/datasets/{id}/grants")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task PlatformAdminSuspendsAndUnsuspendsBackToThePreviousState()
    {
        var (_, provider) = await ProviderAsync();
        var word = "su" + Guid.NewGuid().ToString("N")[..8];
        var id = await ActiveDatasetAsync(provider, new { name = $"Suspect {word}", visibility = "listed" });
        await (await provider.PatchAsync($"/v1/datasets/{id}", Body(new { status = "paused" }))).DataAsync();
        using var admin = await AdminAsync();

        var suspended = await (await admin.PostAsync($"/v1/admin/datasets/{id}/suspend", null)).DataAsync();
        Assert.Equal("suspended", suspended.GetProperty("status").GetString());
        await (await admin.PostAsync($"/v1/admin/datasets/{id}/suspend", null)).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
        await (await provider.PatchAsync($"/v1/datasets/{id}", Body(new { status = "active" }))).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");

        var restored = await (await admin.PostAsync($"/v1/admin/datasets/{id}/unsuspend", null)).DataAsync();
        Assert.Equal("paused", restored.GetProperty("status").GetString());
        await (await admin.PostAsync($"/v1/admin/datasets/{id}/unsuspend", null)).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
    }

    [Fact]
    public async Task SuspendedDatasetLeavesTheCatalogAndOnlyAdminsMaySuspend()
    {
        var (_, provider) = await ProviderAsync();
        var word = "sc" + Guid.NewGuid().ToString("N")[..8];
        var id = await ActiveDatasetAsync(provider, new { name = $"Gone {word}", visibility = "listed" });
        using var admin = await AdminAsync();

        await (await provider.PostAsync($"/v1/admin/datasets/{id}/suspend", null)).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await admin.PostAsync($"/v1/admin/datasets/{id}/suspend", null)).DataAsync();

        Assert.Empty(await CatalogAsync(provider, "&q=" + word));
        await (await admin.PostAsync("/v1/admin/datasets/dset_01jq3n5a7v8x9y0z1a2b3c4d5e/suspend", null)).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task DeletedDatasetLeavesTheCatalogAtOnce()
    {
        var (_, provider) = await ProviderAsync();
        var word = "dl" + Guid.NewGuid().ToString("N")[..8];
        var id = await ActiveDatasetAsync(provider, new { name = $"Leaving {word}", visibility = "listed" });
        Assert.Single(await CatalogAsync(provider, "&q=" + word));

        await (await provider.DeleteAsync($"/v1/datasets/{id}")).DataAsync(HttpStatusCode.Accepted);

        Assert.Empty(await CatalogAsync(provider, "&q=" + word));
        var (_, buyer) = await ProviderAsync();
        await (await buyer.GetAsync($"/v1/datasets/{id}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task CatalogNeedsDatasetsReadAndACredential()
    {
        var (_, provider) = await ProviderAsync();
        var (_, key) = await provider.CreateKeyAsync("search:query");
        using var agent = Api.WithApiKey(key);
        using var anonymous = Api.ClientFor(null);

        await (await agent.GetAsync("/v1/catalog/datasets")).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await anonymous.GetAsync("/v1/catalog/datasets")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }
}
