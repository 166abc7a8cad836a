using System.Text.Json;
using Ipto.Api.Http;
using Ipto.Api.Http.OpenApi;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

public sealed record PricingBody(
    decimal? PricePerRetrieval, decimal? PricePerDownload, decimal? PricePerCitation, decimal? OutcomeSharePct, decimal? HalfLifeDays,
    decimal? FloorRatio, decimal? ReferenceDailyQueries, decimal? Elasticity, decimal? MinMultiplier, decimal? MaxMultiplier)
{
    public void Validate(ValidationErrors errors)
    {
        errors.Amount("pricing.price_per_retrieval", PricePerRetrieval, Money.MaxUnitPriceMicros);
        errors.Amount("pricing.price_per_download", PricePerDownload, Money.MaxUnitPriceMicros);
        errors.Amount("pricing.price_per_citation", PricePerCitation, Money.MaxUnitPriceMicros);
        // The per-field value rules come from the one rule class the dataset grain applies to the merged pricing.
        foreach (var error in PricingRules.ValidateFields(ToPatch() with { PricePerRetrievalMicros = null, PricePerDownloadMicros = null, PricePerCitationMicros = null }))
            errors.Add(error.Field, error.Issue);
        foreach (var (field, range) in PricingRules.Ranges)
            errors.Describe($"pricing.{field}", new FieldRule { Minimum = range.Min, Maximum = range.Max, ExclusiveMinimum = range.MinExclusive });
    }

    public DatasetPricingPatch ToPatch() => new(
        Micros(PricePerRetrieval), Micros(PricePerDownload), Micros(PricePerCitation), OutcomeSharePct, HalfLifeDays, FloorRatio,
        ReferenceDailyQueries, Elasticity, MinMultiplier, MaxMultiplier);

    private static long? Micros(decimal? amount) => amount is { } value && Money.TryToMicros(value, Money.MaxUnitPriceMicros, out var micros) ? micros : null;
}

public sealed record CreateDatasetRequest(
    string? Name, string? Description, string? SourceModality, string? MonetizationMode, string? PricingModel,
    PricingBody? Pricing, string? Visibility, IReadOnlyList<string>? Tags) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("name", Name);
        DatasetRules.Validate(errors, Name, Description, Tags, MonetizationMode, PricingModel, Pricing, Visibility);
        errors.OneOf("source_modality", SourceModality, [.. DatasetVocabulary.Modalities]);
    }
}

public sealed record UpdateDatasetRequest(
    string? Name, string? Description, IReadOnlyList<string>? Tags, string? MonetizationMode, string? PricingModel,
    PricingBody? Pricing, string? Visibility, string? Status) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        DatasetRules.Validate(errors, Name, Description, Tags, MonetizationMode, PricingModel, Pricing, Visibility);
        errors.OneOf("status", Status, [.. DatasetStatuses.All]);
    }
}

/// <summary>One item of <c>POST /v1/datasets/bulk-update</c>: the dataset's id and the fields of its PATCH.</summary>
public sealed record DatasetUpdateItem(
    string? DatasetId, string? Name, string? Description, IReadOnlyList<string>? Tags, string? MonetizationMode, string? PricingModel,
    PricingBody? Pricing, string? Visibility, string? Status) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("dataset_id", DatasetId);
        ToUpdate().Validate(errors);
    }

    public UpdateDatasetRequest ToUpdate() => new(Name, Description, Tags, MonetizationMode, PricingModel, Pricing, Visibility, Status);
}

/// <summary><c>POST /v1/datasets/bulk-update</c>: 1 to 100 dataset PATCHes, each answered as its own call would be.</summary>
public sealed record BulkDatasetUpdateRequest([property: BulkItemsOf(typeof(DatasetUpdateItem))] IReadOnlyList<JsonElement>? Updates) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.NotEmpty("updates", Updates, "must list at least one update");
        errors.MaxItems("updates", Updates, BulkLimits.MaxDatasetUpdates, $"must list at most {BulkLimits.MaxDatasetUpdates} updates");
    }
}

public sealed record DatasetDeletionResponse(string JobId, string DatasetId, string Status);

public sealed record GrantRequest(string? TenantId) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("tenant_id", TenantId);
        if (TenantId is not null && !Ids.IsValid(TenantId, IdPrefixes.Tenant)) errors.Add("tenant_id", "is not a tenant id");
    }
}

public sealed record GrantResponse(string DatasetId, string TenantId, string Status, DateTimeOffset GrantedAt)
{
    public static GrantResponse From(DatasetGrant grant) => new(grant.DatasetId, grant.TenantId, grant.Status, grant.GrantedAt);
}

internal static class DatasetRules
{
    public const int MaxTags = 50;
    public const int MaxTagLength = 50;

    public static void Validate(ValidationErrors errors, string? name, string? description, IReadOnlyList<string>? tags,
        string? monetizationMode, string? pricingModel, PricingBody? pricing, string? visibility)
    {
        errors.Length("name", name, 1, 200);
        errors.Length("description", description, 0, 5000);
        errors.OneOf("monetization_mode", monetizationMode, [.. DatasetVocabulary.MonetizationModes]);
        errors.OneOf("pricing_model", pricingModel, [.. DatasetVocabulary.PricingModels]);
        errors.OneOf("visibility", visibility, [.. DatasetVocabulary.Visibilities]);
        pricing?.Validate(errors);
        errors.MaxItems("tags", tags, MaxTags, $"must hold at most {MaxTags} tags");
        errors.EachText("tags", tags, 1, MaxTagLength, $"must be 1 to {MaxTagLength} characters");
    }
}

/// <summary>A tenant's own datasets (SPEC §4): create, list with filters and keyset pages, get, update.</summary>
public static class DatasetsEndpoints
{
    public static RouteGroupBuilder MapDatasetsEndpoints(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/datasets").WithTags("Datasets");
        group.MapPost("", CreateAsync).RequireScope(Scopes.DatasetsWrite).WithIdempotency().WithName("CreateDataset").Created()
            .WithSummary("Create a dataset")
            .WithDescription("Creates a dataset of the caller's tenant with its modality, monetization, pricing and visibility (defaults: "
                + "`document`, `open`, `fixed`, `private`). It starts as `draft`.");
        group.MapGet("", ListAsync).RequireScope(Scopes.DatasetsRead).WithName("ListDatasets")
            .QueryOneOf("status", DatasetStatuses.All, "Only datasets in this status.")
            .QueryOneOf("visibility", DatasetVocabulary.Visibilities, "Only datasets with this visibility.")
            .WithSummary("List datasets")
            .WithDescription("The tenant's own datasets, newest first, in keyset pages, optionally filtered by status and visibility.");
        group.MapGet("/{dataset_id}", GetAsync).RequireScope(Scopes.DatasetsRead).WithName("GetDataset")
            .WithSummary("Get a dataset")
            .WithDescription("One of the tenant's datasets with its pricing and object counters.");
        group.MapPatch("/{dataset_id}", UpdateAsync).RequireScope(Scopes.DatasetsWrite).WithName("UpdateDataset")
            .WithSummary("Update a dataset")
            .WithDescription("Changes the fields sent (pricing fields merge into the current pricing); a status change the dataset's state "
                + "does not allow is 409 `invalid_state_transition`.");
        group.MapPost("/bulk-update", BulkUpdateAsync).RequireScope(Scopes.DatasetsWrite).WithIdempotency().WithName("BulkUpdateDatasets")
            .WithSummary("Update up to 100 datasets")
            .WithDescription("Each item of `updates` is `dataset_id` plus the fields of PATCH /v1/datasets/{dataset_id}, answered as that call "
                + "would be: `{index, status: 200, data}` with the dataset, or `{index, status, error}` (404 for an unknown or another tenant's "
                + "dataset, 409, 422). One item's error fails no other. An Idempotency-Key covers the whole batch.");
        group.MapDelete("/{dataset_id}", DeleteAsync).RequireScope(Scopes.DatasetsWrite).WithName("DeleteDataset").Accepted(location: true)
            .WithSummary("Delete a dataset")
            .WithDescription("Marks the dataset `pending_deletion` and starts the job that deletes its objects and index; answers the job.");
        group.MapPost("/{dataset_id}/grants", AddGrantAsync).RequireScope(Scopes.DatasetsWrite).WithIdempotency().WithName("AddDatasetGrant").Created()
            .WithSummary("Grant a tenant access")
            .WithDescription("Lets another tenant search a `restricted` dataset.");
        group.MapGet("/{dataset_id}/grants", ListGrantsAsync).RequireScope(Scopes.DatasetsRead).WithName("ListDatasetGrants")
            .WithSummary("List access grants")
            .WithDescription("The tenants granted access to the dataset, in one page.");
        group.MapDelete("/{dataset_id}/grants/{tenant_id}", RemoveGrantAsync).RequireScope(Scopes.DatasetsWrite).WithName("RemoveDatasetGrant")
            .WithSummary("Revoke a tenant's access")
            .WithDescription("Removes a tenant's grant on the dataset; its searches stop reaching the dataset at once.");

        var admin = v1.MapGroup("/admin/datasets").WithTags("Admin");
        admin.MapPost("/{dataset_id}/suspend", SuspendAsync).RequireScope(Scopes.Admin).WithIdempotency().WithName("SuspendDataset")
            .WithSummary("Suspend a dataset")
            .WithDescription("Platform admins: takes any tenant's dataset out of search and the catalog until it is unsuspended.");
        admin.MapPost("/{dataset_id}/unsuspend", UnsuspendAsync).RequireScope(Scopes.Admin).WithIdempotency().WithName("UnsuspendDataset")
            .WithSummary("Unsuspend a dataset")
            .WithDescription("Platform admins: lifts a dataset's suspension.");
        return v1;
    }

    private static async Task<EnvelopeResult<DatasetDeletionResponse>> DeleteAsync([FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        var job = await Grain(grains, datasetId).Delete(caller);
        http.Response.Headers.Location = $"/v1/jobs/{job.JobId}";
        return ApiResults.Accepted(new DatasetDeletionResponse(job.JobId, datasetId, DatasetStatuses.PendingDeletion));
    }

    private static async Task<EnvelopeResult<GrantResponse>> AddGrantAsync(
        [FromRoute(Name = "dataset_id")] string datasetId, JsonBody<GrantRequest> body, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        var grant = await Grain(grains, datasetId).AddGrant(caller, body.Value.TenantId!);
        return ApiResults.Created($"/v1/datasets/{datasetId}/grants/{grant.TenantId}", GrantResponse.From(grant));
    }

    private static async Task<EnvelopeResult<Page<GrantResponse>>> ListGrantsAsync([FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        var grants = await Grain(grains, datasetId).ListGrants(caller);
        return ApiResults.Ok(Page<GrantResponse>.All(grants.Select(GrantResponse.From).ToArray()));
    }

    private static async Task<EnvelopeResult<GrantResponse>> RemoveGrantAsync(
        [FromRoute(Name = "dataset_id")] string datasetId, [FromRoute(Name = "tenant_id")] string tenantId, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        return ApiResults.Ok(GrantResponse.From(await Grain(grains, datasetId).RemoveGrant(caller, tenantId)));
    }

    private static async Task<EnvelopeResult<DatasetResponse>> SuspendAsync([FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        return ApiResults.Ok(DatasetResponse.From(await Grain(grains, datasetId).Suspend(caller)));
    }

    private static async Task<EnvelopeResult<DatasetResponse>> UnsuspendAsync([FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        return ApiResults.Ok(DatasetResponse.From(await Grain(grains, datasetId).Unsuspend(caller)));
    }

    private static async Task<EnvelopeResult<DatasetResponse>> CreateAsync(JsonBody<CreateDatasetRequest> body, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        var r = body.Value;
        var created = await grains.GetGrain<IDatasetDirectoryGrain>(0).Create(caller, new NewDataset(
            r.Name!, r.Description, r.SourceModality ?? "document", r.MonetizationMode ?? "open", r.PricingModel ?? "fixed",
            r.Pricing?.ToPatch(), r.Visibility ?? "private", r.Tags?.Distinct(StringComparer.Ordinal).ToArray() ?? []), http.CreationSeed());
        return ApiResults.Created($"/v1/datasets/{created.DatasetId}", DatasetResponse.From(created));
    }

    private static async Task<EnvelopeResult<Page<DatasetResponse>>> ListAsync(
        HttpContext http, IGrainFactory grains, [FromQuery] string? limit, [FromQuery] string? cursor, [FromQuery] string? status, [FromQuery] string? visibility)
    {
        var page = await grains.GetGrain<IDatasetDirectoryGrain>(0).List(http.Require(), new DatasetListFilter(status, visibility), PageRequest.Parse(limit, cursor));
        return ApiResults.Ok(page.Map(DatasetResponse.From));
    }

    private static async Task<EnvelopeResult<DatasetResponse>> GetAsync([FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        return ApiResults.Ok(DatasetResponse.From(await Grain(grains, datasetId).Get(caller)));
    }

    private static Task<EnvelopeResult<DatasetResponse>> UpdateAsync(
        [FromRoute(Name = "dataset_id")] string datasetId, JsonBody<UpdateDatasetRequest> body, HttpContext http, IGrainFactory grains) =>
        PatchAsync(grains, http.Require(), datasetId, body.Value);

    /// <summary>Every item answered as PATCH /v1/datasets/{dataset_id} would answer it.</summary>
    private static Task<EnvelopeResult<BulkItemsResponse<DatasetResponse>>> BulkUpdateAsync(JsonBody<BulkDatasetUpdateRequest> body, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        return BulkItems.RunAsync<DatasetUpdateItem, DatasetResponse>(http, body.Value.Updates!, (item, _) =>
            PatchAsync(grains, caller, item.DatasetId!, item.ToUpdate()));
    }

    /// <summary>The one path of PATCH /v1/datasets/{dataset_id} and each item of a bulk update.</summary>
    private static async Task<EnvelopeResult<DatasetResponse>> PatchAsync(IGrainFactory grains, Caller caller, string datasetId, UpdateDatasetRequest r)
    {
        var patch = new DatasetPatch(r.Name, r.Description, r.Tags?.Distinct(StringComparer.Ordinal).ToArray(), r.MonetizationMode, r.PricingModel,
            r.Pricing?.ToPatch(), r.Visibility, r.Status);
        return ApiResults.Ok(DatasetResponse.From(await Grain(grains, datasetId).Update(caller, patch)));
    }

    private static IDatasetGrain Grain(IGrainFactory grains, string datasetId) =>
        Ids.IsValid(datasetId, IdPrefixes.Dataset) ? grains.GetGrain<IDatasetGrain>(datasetId) : throw IptoException.NotFound("Dataset");
}
