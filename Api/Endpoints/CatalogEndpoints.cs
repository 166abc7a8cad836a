using Ipto.Api.Http;
using Ipto.Api.Http.OpenApi;
using Ipto.Api.Http.Auth;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

public sealed record CatalogDatasetResponse(
    string DatasetId, string Name, string? Description, string ProviderDisplayName, IReadOnlyList<string> Tags, string SourceModality,
    string MonetizationMode, string PricingModel, PricingResponse Pricing, string Visibility, long ActiveObjectCount, bool HasAccess)
{
    public static CatalogDatasetResponse From(CatalogEntry e) => new(e.DatasetId, e.Name, e.Description, e.ProviderDisplayName, e.Tags,
        e.SourceModality, e.MonetizationMode, e.PricingModel, PricingResponse.From(e.Pricing), e.Visibility, e.ActiveObjectCount, e.HasAccess);
}

/// <summary><c>GET /v1/catalog/datasets</c>: active listed and restricted datasets of every tenant, public fields only.</summary>
public static class CatalogEndpoints
{
    public static RouteGroupBuilder MapCatalogEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGroup("/catalog").WithTags("Catalog")
            .MapGet("/datasets", ListAsync).RequireScope(Scopes.DatasetsRead).WithName("ListCatalogDatasets")
            .QueryText("q", "Words that the dataset's name, description or tags must contain.", CatalogQuery.MaxTextLength)
            .QueryOneOf("source_modality", DatasetVocabulary.Modalities, "Only datasets of this modality.")
            .QueryOneOf("monetization_mode", DatasetVocabulary.MonetizationModes, "Only datasets with this monetization mode.")
            .QueryOneOf("pricing_model", DatasetVocabulary.PricingModels, "Only datasets with this pricing model.")
            .WithSummary("Browse the catalog")
            .WithDescription("Active `listed` and `restricted` datasets of every tenant, public fields only, with whether the caller has access; keyset pages.");
        return v1;
    }

    private static async Task<EnvelopeResult<Page<CatalogDatasetResponse>>> ListAsync(
        HttpContext http, IGrainFactory grains, [FromQuery] string? limit, [FromQuery] string? cursor,
        [FromQuery] string? q, [FromQuery(Name = "source_modality")] string? sourceModality,
        [FromQuery(Name = "monetization_mode")] string? monetizationMode, [FromQuery(Name = "pricing_model")] string? pricingModel)
    {
        var page = await grains.GetGrain<IDatasetDirectoryGrain>(0).Catalog(http.Require(),
            new CatalogQuery(q, sourceModality, monetizationMode, pricingModel), PageRequest.Parse(limit, cursor));
        return ApiResults.Ok(page.Map(CatalogDatasetResponse.From));
    }
}
