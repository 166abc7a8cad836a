using Ipto.Api.Http;
using Ipto.Api.Http.OpenApi;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Ipto.Common;
using Ipto.Identity;
using Ipto.Objects;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

public sealed record StagedObjectResponse(
    string ObjectId, string TenantId, string DatasetId, string DatasetName, string Filename, string ContentType, long SizeBytes,
    DateTimeOffset UploadedAt, string? ReviewState, DateTimeOffset? ReviewExpiresAt, ExtractionResponse? Extraction)
{
    public static StagedObjectResponse From(ObjectSnapshot o, string datasetName) => new(o.ObjectId, o.TenantId, o.DatasetId, datasetName,
        o.Filename, o.ContentType, o.SizeBytes, o.CreatedAt, o.ReviewState, o.ReviewExpiresAt, ObjectResponse.From(o).Extraction);
}

public sealed record ReviewDecisionRequest(string? Reason) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("reason", Reason);
        errors.Length("reason", Reason, 1, 2000);
    }
}

public sealed record ApprovedResponse(string ObjectId, string ReviewState, string JobId);

/// <summary>Review of staged objects by platform admins (SPEC §6), with the aliases of the public docs.</summary>
public static class ReviewEndpoints
{
    public static RouteGroupBuilder MapReviewEndpoints(this RouteGroupBuilder v1)
    {
        var admin = v1.MapGroup("/admin").WithTags("Review").RequireScope(Scopes.Admin);
        admin.MapGet("/staged-objects", QueueAsync).WithName("ListStagedObjects").ReviewQueueDocs("List staged objects");
        admin.MapGet("/staged-objects/{object_id}", (string object_id, HttpContext http, IGrainFactory g) => DetailAsync(null, object_id, http, g))
            .WithName("GetStagedObject")
            .WithSummary("Get a staged object")
            .WithDescription("Platform admins: an object under review with its extraction statistics and the first 2,000 characters of its text.");
        admin.MapPost("/staged-objects/{object_id}/approve", (string object_id, HttpContext http, IGrainFactory g) => ApproveAsync(null, object_id, http, g))
            .WithIdempotency().WithName("ApproveStagedObject").Accepted()
            .WithSummary("Approve a staged object")
            .WithDescription("Platform admins: approves an object and starts the job that indexes it; answers the job. An object already decided is 409.");
        admin.MapPost("/staged-objects/{object_id}/reject", (string object_id, JsonBody<ReviewDecisionRequest> body, HttpContext http, IGrainFactory g) => RejectAsync(null, object_id, body, http, g))
            .WithIdempotency().WithName("RejectStagedObject")
            .WithSummary("Reject a staged object")
            .WithDescription("Platform admins: rejects an object with a reason the provider sees; it is never indexed. An object already decided is 409.");

        admin.MapGet("/review/queue", QueueAsync).WithName("ReviewQueue").ReviewQueueDocs("Review queue");
        admin.MapGet("/review/objects/{tenant_id}/{object_id}", (string tenant_id, string object_id, HttpContext http, IGrainFactory g) =>
            DetailAsync(tenant_id, object_id, http, g)).WithName("ReviewObject")
            .WithSummary("Get an object under review")
            .WithDescription("The public docs' name of GET /v1/admin/staged-objects/{object_id}, with the owning tenant in the path.");
        admin.MapPost("/review/objects/{tenant_id}/{object_id}/approve", (string tenant_id, string object_id, HttpContext http, IGrainFactory g) =>
            ApproveAsync(tenant_id, object_id, http, g)).WithIdempotency().WithName("ReviewApprove").Accepted()
            .WithSummary("Approve an object under review")
            .WithDescription("The public docs' name of POST /v1/admin/staged-objects/{object_id}/approve, with the owning tenant in the path.");
        admin.MapPost("/review/objects/{tenant_id}/{object_id}/reject", (string tenant_id, string object_id, JsonBody<ReviewDecisionRequest> body, HttpContext http, IGrainFactory g) =>
            RejectAsync(tenant_id, object_id, body, http, g)).WithIdempotency().WithName("ReviewReject")
            .WithSummary("Reject an object under review")
            .WithDescription("The public docs' name of POST /v1/admin/staged-objects/{object_id}/reject, with the owning tenant in the path.");
        return v1;
    }

    private static RouteHandlerBuilder ReviewQueueDocs(this RouteHandlerBuilder builder, string summary) => builder
        .QueryOneOf("review_state", ReviewQueueFilter.ReviewStatesListed, $"Only objects in this review state (default `{ReviewStates.Staged}`).")
        .QueryText("tenant_id", "Only objects of this tenant.")
        .QueryText("dataset_id", "Only objects of this dataset.")
        .WithSummary(summary)
        .WithDescription("Platform admins: objects awaiting (or past) review across every tenant, in keyset pages with `total`.");

    private static async Task<EnvelopeResult<Page<StagedObjectResponse>>> QueueAsync(
        HttpContext http, IGrainFactory grains, [FromQuery] string? limit, [FromQuery] string? cursor,
        [FromQuery(Name = "review_state")] string? reviewState, [FromQuery(Name = "tenant_id")] string? tenantId, [FromQuery(Name = "dataset_id")] string? datasetId)
    {
        var page = await Desk(grains).List(http.Require(), new ReviewQueueFilter(reviewState, tenantId, datasetId), PageRequest.Parse(limit, cursor));
        return ApiResults.Ok(page.Map(r => StagedObjectResponse.From(r.Object, r.DatasetName)));
    }

    private static async Task<EnvelopeResult<StagedObjectDetail>> DetailAsync(string? tenantId, string objectId, HttpContext http, IGrainFactory grains)
    {
        var reviewed = await Desk(grains).Detail(http.Require(), tenantId, objectId);
        return ApiResults.Ok(StagedObjectDetail.From(reviewed.Object, reviewed.DatasetName, reviewed.TextPreview));
    }

    private static async Task<EnvelopeResult<ApprovedResponse>> ApproveAsync(string? tenantId, string objectId, HttpContext http, IGrainFactory grains)
    {
        var (obj, jobId) = await Desk(grains).Approve(http.Require(), tenantId, objectId);
        return ApiResults.Accepted(new ApprovedResponse(obj.ObjectId, obj.ReviewState!, jobId));
    }

    private static async Task<EnvelopeResult<ObjectResponse>> RejectAsync(string? tenantId, string objectId, JsonBody<ReviewDecisionRequest> body, HttpContext http, IGrainFactory grains) =>
        ApiResults.Ok(ObjectResponse.From(await Desk(grains).Reject(http.Require(), tenantId, objectId, body.Value.Reason!)));

    private static IReviewQueueGrain Desk(IGrainFactory grains) => grains.GetGrain<IReviewQueueGrain>(0);
}

public sealed record StagedObjectDetail(
    string ObjectId, string TenantId, string DatasetId, string DatasetName, string Filename, string ContentType, long SizeBytes,
    DateTimeOffset UploadedAt, string? ReviewState, DateTimeOffset? ReviewExpiresAt, ExtractionResponse? Extraction,
    string Status, string? ChecksumSha256, string TextPreview)
{
    public static StagedObjectDetail From(ObjectSnapshot o, string datasetName, string preview) => new(o.ObjectId, o.TenantId, o.DatasetId, datasetName,
        o.Filename, o.ContentType, o.SizeBytes, o.CreatedAt, o.ReviewState, o.ReviewExpiresAt, ObjectResponse.From(o).Extraction, o.Status,
        o.ChecksumSha256, preview);
}
