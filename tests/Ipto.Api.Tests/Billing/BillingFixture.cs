using Ipto.Api.Tests.Search;
using Ipto.Api.Tests.Support;

namespace Ipto.Api.Tests.Billing;

/// <summary>
/// A provider with a listed open dataset of three shipping texts and a listed <c>outcome_share</c> dataset (10%) of one,
/// a private dataset, built once through upload, review and ingestion; every test makes its own buyer.
/// </summary>
public sealed class BillingFixture : IdentityFixture
{
    public const string Query = "rotterdam OR hamburg"; // two shipping texts and the port audit: three results

    private Task<BillingWorld>? _world;
    private readonly Lock _gate = new();

    public Task<BillingWorld> WorldAsync()
    {
        lock (_gate) return _world ??= BuildAsync();
    }

    private async Task<BillingWorld> BuildAsync()
    {
        var world = new SearchWorld(Factory);
        var admin = await world.AdminAsync();
        var (provider, providerClient) = await world.AccountAsync("Provider Co");
        var shipping = await SearchWorld.CreateDatasetAsync(providerClient, "Shipping records", "listed");
        var audits = await SearchWorld.CreateDatasetAsync(providerClient, "Port audits", "listed",
            new { monetization_mode = "outcome_share", pricing = new { outcome_share_pct = 10 } });
        var priv = await SearchWorld.CreateDatasetAsync(providerClient, "Internal", "private");
        var shippingObjects = await world.AddActiveTextsAsync(providerClient, admin, shipping, SearchWorld.ShippingTexts, SearchWorld.ShippingNames);
        var auditObjects = await world.AddActiveTextsAsync(providerClient, admin, audits, ["Cargo manifests audited for the Rotterdam port authority."], ["audit.txt"]);
        var privateObjects = await world.AddActiveTextsAsync(providerClient, admin, priv, ["Internal memo about Rotterdam berths."], ["memo.txt"]);
        return new BillingWorld(world, providerClient, shipping, shippingObjects, audits, auditObjects[0], priv, privateObjects[0]);
    }
}

public sealed record BillingWorld(
    SearchWorld World, HttpClient Provider, string Shipping, string[] ShippingObjects, string Audits, string AuditObject, string Private, string PrivateObject);
