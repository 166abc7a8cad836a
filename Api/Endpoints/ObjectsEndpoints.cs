using Ipto.Api.Http;
using Ipto.Api.Http.OpenApi;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Ipto.Common;
using Ipto.Identity;
using Ipto.Objects;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

/// <summary>A download URL; a buyer's also names its access event and what this call charged (null for the owner's free download).</summary>
public sealed record DownloadResponse(string Url, DateTimeOffset ExpiresAt, string? AccessId, decimal? ChargedAmount, string? Currency);

/// <summary><c>POST /v1/objects/batch-delete</c>: 1 to 1,000 ids of objects to delete as DELETE /v1/objects/{object_id} does.</summary>
public sealed record BatchDeleteObjectsRequest(IReadOnlyList<string>? ObjectIds) : IValidatable
{
    public const int MaxIdLength = 255;

    public void Validate(ValidationErrors errors)
    {
        errors.NotEmpty("object_ids", ObjectIds, "must list at least one object id");
        errors.MaxItems("object_ids", ObjectIds, BulkObjectDelete.MaxObjectIds, $"must list at most {BulkObjectDelete.MaxObjectIds} object ids");
        errors.EachText("object_ids", ObjectIds, 1, MaxIdLength, $"must be an object id of 1 to {MaxIdLength} characters",
            checkedItems: BulkObjectDelete.MaxObjectIds);
    }
}

/// <summary>The job that deletes the objects: its <c>result.items</c> says, per id, <c>deleted</c>, <c>not_found</c> or <c>error</c>.</summary>
public sealed record BatchDeleteResponse(string JobId, string Status, int ObjectCount);

/// <summary>Objects (SPEC §5): the owner reads an object's state, review and extraction stats.</summary>
public static class ObjectsEndpoints
{
    public static RouteGroupBuilder MapObjectsEndpoints(this RouteGroupBuilder v1)
    {
        var objects = v1.MapGroup("/objects").WithTags("Objects");
        objects.MapGet("/{object_id}", GetAsync).RequireScope(Scopes.DatasetsRead).WithName("GetObject")
            .WithSummary("Get an object")
            .WithDescription("One of the tenant's objects: status, review state and extraction statistics.");
        objects.MapDelete("/{object_id}", DeleteAsync).RequireScope(Scopes.ObjectsWrite).WithName("DeleteObject")
            .WithSummary("Delete an object")
            .WithDescription("Deletes one of the tenant's objects; it leaves search.");
        objects.MapPost("/batch-delete", BatchDeleteAsync).RequireScope(Scopes.ObjectsWrite).WithIdempotency().WithName("BatchDeleteObjects")
            .Accepted(location: true)
            .WithSummary("Delete up to 1,000 objects")
            .WithDescription("Starts a `bulk_object_delete` job that deletes each listed object as DELETE /v1/objects/{object_id} does (tombstone, "
                + "out of search, bytes purged). Its `result.items` holds `{object_id, status: deleted|not_found|error, error?}` per id, in order; "
                + "unknown ids and another tenant's objects are `not_found` and untouched. A repeated id is 422. An Idempotency-Key covers the whole batch.");
        objects.MapGet("/{object_id}/download", DownloadAsync).RequireScope(Scopes.DatasetsRead, Scopes.SearchQuery).WithName("DownloadObject").WithStateConflicts()
            .WithErrorStatus(StatusCodes.Status402PaymentRequired)
            .WithSummary("Download an object")
            .WithDescription("A presigned GET URL valid 15 minutes. The owner's (datasets:read) is free; an object whose bytes are not kept is 409. A buyer's (search:query), for an active object of a dataset it may search, is charged the dataset's price_per_download once per API key or session in a rolling 24 h (later calls: a fresh URL, the same access_id, charged 0; beyond the key's spend limit: 402). Anything else is 404.");
        v1.MapGet("/datasets/{dataset_id}/objects", ListAsync).RequireScope(Scopes.DatasetsRead).WithTags("Objects").WithName("ListDatasetObjects")
            .QueryOneOf("status", ObjectStatuses.All, "Only objects in this status.")
            .QueryOneOf("review_state", ReviewStates.All, "Only objects in this review state.")
            .WithSummary("List a dataset's objects")
            .WithDescription("The objects of one of the tenant's datasets, newest first, in keyset pages.");
        return v1;
    }

    private static async Task<EnvelopeResult<BatchDeleteResponse>> BatchDeleteAsync(JsonBody<BatchDeleteObjectsRequest> body, HttpContext http, IGrainFactory grains)
    {
        var ids = body.Value.ObjectIds!;
        var job = await grains.GetGrain<IObjectDirectoryGrain>(0).StartBatchDelete(http.Require(), ids, http.CreationSeed());
        http.Response.Headers.Location = $"/v1/jobs/{job.JobId}";
        return ApiResults.Accepted(new BatchDeleteResponse(job.JobId, job.Status, ids.Count));
    }

    private static async Task<EnvelopeResult<ObjectResponse>> DeleteAsync([FromRoute(Name = "object_id")] string objectId, HttpContext http, IGrainFactory grains) =>
        ApiResults.Ok(ObjectResponse.From(await Grain(grains, objectId).Delete(http.Require())));

    /// <summary>A presigned GET valid 15 minutes: the owner's free, a buyer's charged (the object grain decides which).</summary>
    private static async Task<EnvelopeResult<DownloadResponse>> DownloadAsync([FromRoute(Name = "object_id")] string objectId, HttpContext http, IGrainFactory grains)
    {
        var download = await Grain(grains, objectId).Download(http.Require());
        return ApiResults.Ok(new DownloadResponse(download.Url, download.ExpiresAt, download.AccessId,
            download.ChargedMicros is { } charged ? Money.FromMicros(charged) : null, download.AccessId is null ? null : Money.Currency));
    }

    private static async Task<EnvelopeResult<Page<ObjectResponse>>> ListAsync(
        [FromRoute(Name = "dataset_id")] string datasetId, HttpContext http, IGrainFactory grains,
        [FromQuery] string? limit, [FromQuery] string? cursor, [FromQuery] string? status, [FromQuery(Name = "review_state")] string? reviewState)
    {
        var page = await grains.GetGrain<IObjectDirectoryGrain>(0).List(http.Require(), datasetId, new ObjectListFilter(status, reviewState),
            PageRequest.Parse(limit, cursor));
        return ApiResults.Ok(page.Map(ObjectResponse.From));
    }

    private static async Task<EnvelopeResult<ObjectResponse>> GetAsync([FromRoute(Name = "object_id")] string objectId, HttpContext http, IGrainFactory grains) =>
        ApiResults.Ok(ObjectResponse.From(await Grain(grains, objectId).Get(http.Require())));

    private static IObjectGrain Grain(IGrainFactory grains, string objectId) =>
        Ids.IsValid(objectId, IdPrefixes.Object) ? grains.GetGrain<IObjectGrain>(objectId) : throw IptoException.NotFound("Object");
}
