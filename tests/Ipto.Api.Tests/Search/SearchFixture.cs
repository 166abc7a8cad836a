using Ipto.Api.Tests.Support;

namespace Ipto.Api.Tests.Search;

public sealed record SearchCorpus(
    SearchWorld World, HttpClient Admin,
    Account Provider, HttpClient ProviderClient, string Listed, string[] ListedObjects, string Private, string Restricted,
    Account OtherProvider, HttpClient OtherClient, string OtherListed, string[] OtherObjects,
    Account Buyer, HttpClient BuyerClient, string BuyerKeyId, HttpClient BuyerKey);

/// <summary>One Api with real credentials and a corpus built once through upload, review and ingestion.</summary>
public class SearchFixture : IdentityFixture
{
    private Task<SearchCorpus>? _corpus;
    private readonly object _gate = new();

    public Task<SearchCorpus> CorpusAsync()
    {
        lock (_gate) return _corpus ??= BuildAsync();
    }

    private async Task<SearchCorpus> BuildAsync()
    {
        var world = new SearchWorld(Factory);
        var admin = await world.AdminAsync();
        var (provider, providerClient) = await world.AccountAsync("Provider Co");
        var listed = await SearchWorld.CreateDatasetAsync(providerClient, "Shipping records", "listed");
        var priv = await SearchWorld.CreateDatasetAsync(providerClient, "Internal", "private");
        var restricted = await SearchWorld.CreateDatasetAsync(providerClient, "Baltic surveys", "restricted");
        var (other, otherClient) = await world.AccountAsync("Weather Co");
        var otherListed = await SearchWorld.CreateDatasetAsync(otherClient, "Weather", "listed");

        var listedObjects = await world.AddActiveTextsAsync(providerClient, admin, listed, SearchWorld.ShippingTexts, SearchWorld.ShippingNames);
        await world.AddActiveTextsAsync(providerClient, admin, priv, ["Secret ledger about cargo manifests."], ["secret.txt"]);
        await world.AddActiveTextsAsync(providerClient, admin, restricted, ["Restricted cargo survey of Baltic ports."], ["baltic.txt"]);
        var otherObjects = await world.AddActiveTextsAsync(otherClient, admin, otherListed, ["Weather reports about cargo delays in Singapore."], ["weather.txt"]);

        var (buyer, buyerClient) = await world.AccountAsync("Buyer Co");
        var (keyId, key) = await buyerClient.CreateKeyAsync("search:query", "usage:read");
        return new SearchCorpus(world, admin, provider, providerClient, listed, listedObjects, priv, restricted,
            other, otherClient, otherListed, otherObjects, buyer, buyerClient, keyId, Factory.WithApiKey(key));
    }
}
