using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Ipto.Api.Http;
using Ipto.Api.Http.OpenApi;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Ipto.Common;
using Ipto.Idempotency;
using Ipto.Identity;
using Ipto.Objects;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

public sealed partial record CreateUploadRequest(
    string? DatasetId, string? Filename, string? ContentType, string? MimeType, long? SizeBytes, string? ChecksumSha256) : IValidatable
{
    [JsonIgnore]
    public string? EffectiveContentType => ContentType ?? MimeType;

    public void Validate(ValidationErrors errors)
    {
        errors.Required("dataset_id", DatasetId);
        if (DatasetId is not null && !Ids.IsValid(DatasetId, IdPrefixes.Dataset)) errors.Add("dataset_id", "is not a dataset id");
        ValidateFile(errors);
    }

    /// <summary>The rules shared with the dataset-scoped alias, where the dataset comes from the path.</summary>
    public void ValidateFile(ValidationErrors errors)
    {
        errors.Required("filename", Filename);
        errors.Length("filename", Filename, 1, 255);
        if (Filename is not null && (Filename.Contains('/') || Filename.Contains('\\') || Filename.Any(char.IsControl)))
            errors.Add("filename", "must be a file name without path separators or control characters");
        errors.Required("content_type", EffectiveContentType);
        errors.Matches("content_type", EffectiveContentType, MediaType(), "must be a media type such as text/plain");
        errors.Required("size_bytes", SizeBytes);
        errors.Range("size_bytes", SizeBytes, 1, long.MaxValue, "must be positive");
        errors.Matches("checksum_sha256", ChecksumSha256, Sha256(), "must be 64 hexadecimal characters");
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;.{0,200})?$")]
    private static partial Regex MediaType();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256();
}

/// <summary><c>POST /v1/uploads/batch</c>: 1 to 100 bodies of <c>POST /v1/uploads</c>, each answered as its own call would be.</summary>
public sealed record BatchUploadRequest([property: BulkItemsOf(typeof(CreateUploadRequest))] IReadOnlyList<JsonElement>? Uploads) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.NotEmpty("uploads", Uploads, "must list at least one upload");
        errors.MaxItems("uploads", Uploads, BulkLimits.MaxUploads, $"must list at most {BulkLimits.MaxUploads} uploads");
    }
}

public sealed record ReissuePartsRequest(IReadOnlyList<int>? PartNumbers) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.NotEmpty("part_numbers", PartNumbers, "must list at least one part number");
        errors.MaxItems("part_numbers", PartNumbers, UploadParts.MaxParts, $"must list at most {UploadParts.MaxParts} part numbers");
    }
}

public sealed record CompletePartBody(int? PartNumber, string? Etag);

public sealed record CompleteUploadRequest(IReadOnlyList<CompletePartBody>? Parts) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Parts is null) return;
        for (var i = 0; i < Parts.Count; i++)
        {
            var issue = $"must be between 1 and {UploadParts.MaxParts}";
            errors.Required($"parts[{i}].part_number", Parts[i]?.PartNumber);
            errors.Range($"parts[{i}].part_number", Parts[i]?.PartNumber, 1, UploadParts.MaxParts, issue);
            errors.Required($"parts[{i}].etag", Parts[i]?.Etag);
        }
    }

    public IReadOnlyList<CompletedUploadPart>? ToParts() => Parts?.Select(p => new CompletedUploadPart(p.PartNumber!.Value, p.Etag!)).ToArray();
}

/// <summary>The object store's multipart limit: part numbers 1 to 10,000.</summary>
public static class UploadParts
{
    public const int MaxParts = 10_000;
}

public sealed record UploadPartResponse(int PartNumber, string Url, long Size);

public sealed record UploadResponse(
    string UploadId, string ObjectId, string DatasetId, string Strategy, string? UploadUrl, long? PartSize, IReadOnlyList<UploadPartResponse>? Parts,
    IReadOnlyDictionary<string, string> RequiredHeaders, DateTimeOffset ExpiresAt, string Status)
{
    public static UploadResponse From(UploadView u) => new(u.UploadId, u.ObjectId, u.DatasetId, u.Strategy, u.UploadUrl, u.PartSize,
        u.Parts?.Select(p => new UploadPartResponse(p.PartNumber, p.Url, p.Size)).ToArray(), u.RequiredHeaders, u.ExpiresAt, u.Status);
}

public sealed record CompletedUploadResponse(string ObjectId, string Status, string ReviewState, DateTimeOffset? ReviewExpiresAt, string? JobId)
{
    public static CompletedUploadResponse From(CompletedUpload c) => new(c.ObjectId, c.Status, c.ReviewState, c.ReviewExpiresAt, c.JobId);
}

/// <summary>Uploads (SPEC §5) and their compatibility aliases: presigned URLs out, bytes straight to the object store.</summary>
public static class UploadsEndpoints
{
    public static RouteGroupBuilder MapUploadsEndpoints(this RouteGroupBuilder v1)
    {
        var uploads = v1.MapGroup("/uploads").WithTags("Uploads");
        uploads.MapPost("", (JsonBody<CreateUploadRequest> body, HttpContext http, IGrainFactory grains) => CreateAsync(body.Value.DatasetId!, body.Value, http, grains))
            .RequireScope(Scopes.ObjectsWrite).WithIdempotency().WithName("CreateUpload").Created().WithErrorStatus(StatusCodes.Status404NotFound)
            .WithSummary("Start an upload")
            .WithDescription("Creates an object in a dataset and answers presigned URLs to PUT its bytes straight to the object store: one URL, "
                + "or one per part for large files.");
        uploads.MapPost("/batch", BatchAsync).RequireScope(Scopes.ObjectsWrite).WithIdempotency().WithName("CreateUploadBatch")
            .WithSummary("Start up to 100 uploads")
            .WithDescription("Each item of `uploads` is the body of POST /v1/uploads and is answered as that call would be: `{index, status: 201, "
                + "data}` with the upload and its presigned URLs, or `{index, status, error}` with that call's status and error. One item's error "
                + "fails no other. An Idempotency-Key covers the whole batch.");
        uploads.MapGet("/{upload_id}", GetAsync).RequireScope(Scopes.ObjectsWrite, Scopes.DatasetsRead).WithName("GetUpload")
            .WithSummary("Get an upload")
            .WithDescription("An upload's status, strategy and URLs.");
        uploads.MapPost("/{upload_id}/parts", ReissuePartsAsync).RequireScope(Scopes.ObjectsWrite).WithIdempotency().WithName("ReissueUploadParts")
            .WithSummary("Reissue part URLs")
            .WithDescription("Fresh presigned URLs for the listed parts of a multipart upload (when earlier ones expired).");
        uploads.MapDelete("/{upload_id}", AbortAsync).RequireScope(Scopes.ObjectsWrite).WithName("AbortUpload")
            .WithSummary("Abort an upload")
            .WithDescription("Cancels a pending upload; one that is no longer pending is 409.");
        uploads.MapPost("/{upload_id}/complete", CompleteAsync).RequireScope(Scopes.ObjectsWrite).WithIdempotency().WithName("CompleteUpload")
            .Accepts<CompleteUploadRequest>(isOptional: true, "application/json")
            .WithSummary("Complete an upload")
            .WithDescription("Checks the uploaded bytes (size, checksum, the parts' ETags for multipart) and stages the object for review; "
                + "the body is optional for single uploads.");

        v1.MapPost("/datasets/{dataset_id}/objects/upload", ([FromRoute(Name = "dataset_id")] string datasetId, JsonBody<DatasetUploadRequest> body, HttpContext http, IGrainFactory grains) =>
                CreateAsync(datasetId, body.Value.ToUpload(datasetId), http, grains))
            .RequireScope(Scopes.ObjectsWrite).WithIdempotency().WithTags("Uploads").WithName("CreateDatasetObjectUpload").Created()
            .WithSummary("Start an upload into a dataset")
            .WithDescription("The same as POST /v1/uploads with the dataset taken from the path (the public docs' name).");
        v1.MapPost("/objects/{object_id}/confirm", ConfirmAsync).RequireScope(Scopes.ObjectsWrite).WithIdempotency().WithTags("Uploads").WithName("ConfirmObjectUpload")
            .Accepts<CompleteUploadRequest>(isOptional: true, "application/json")
            .WithSummary("Confirm an object's upload")
            .WithDescription("The same as POST /v1/uploads/{upload_id}/complete, by the object's id (the public docs' name).");
        v1.MapDelete("/objects/{object_id}/upload", AbortByObjectAsync).RequireScope(Scopes.ObjectsWrite).WithTags("Uploads").WithName("AbortObjectUpload")
            .WithSummary("Abort an object's upload")
            .WithDescription("The same as DELETE /v1/uploads/{upload_id}, by the object's id.");
        return v1;
    }

    private static Task<EnvelopeResult<UploadResponse>> CreateAsync(string datasetId, CreateUploadRequest request, HttpContext http, IGrainFactory grains) =>
        StartUploadAsync(grains, http.Require(), datasetId, request, http.CreationSeed());

    /// <summary>Every item answered as POST /v1/uploads would answer it; under an Idempotency-Key each item's ids derive from its own seed.</summary>
    private static Task<EnvelopeResult<BulkItemsResponse<UploadResponse>>> BatchAsync(JsonBody<BatchUploadRequest> body, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        var seed = http.CreationSeed();
        return BulkItems.RunAsync<CreateUploadRequest, UploadResponse>(http, body.Value.Uploads!, (request, index) =>
            StartUploadAsync(grains, caller, request.DatasetId!, request, seed?.ForItem(index)));
    }

    /// <summary>The one path of POST /v1/uploads, its alias and each item of a batch.</summary>
    private static async Task<EnvelopeResult<UploadResponse>> StartUploadAsync(
        IGrainFactory grains, Caller caller, string datasetId, CreateUploadRequest request, CreationSeed? seed)
    {
        var view = await grains.GetGrain<IObjectDirectoryGrain>(0).StartUpload(caller,
            new NewUpload(datasetId, request.Filename!, request.EffectiveContentType!, request.SizeBytes!.Value, request.ChecksumSha256), seed);
        return ApiResults.Created($"/v1/uploads/{view.UploadId}", UploadResponse.From(view));
    }

    private static async Task<EnvelopeResult<UploadResponse>> GetAsync([FromRoute(Name = "upload_id")] string uploadId, HttpContext http, IGrainFactory grains) =>
        ApiResults.Ok(UploadResponse.From(await Upload(grains, uploadId).Get(http.Require())));

    private static async Task<EnvelopeResult<UploadResponse>> ReissuePartsAsync(
        [FromRoute(Name = "upload_id")] string uploadId, JsonBody<ReissuePartsRequest> body, HttpContext http, IGrainFactory grains) =>
        ApiResults.Ok(UploadResponse.From(await Upload(grains, uploadId).ReissueParts(http.Require(), body.Value.PartNumbers!)));

    private static async Task<EnvelopeResult<UploadResponse>> AbortAsync([FromRoute(Name = "upload_id")] string uploadId, HttpContext http, IGrainFactory grains) =>
        ApiResults.Ok(UploadResponse.From(await Upload(grains, uploadId).Abort(http.Require())));

    private static async Task<EnvelopeResult<CompletedUploadResponse>> CompleteAsync(
        [FromRoute(Name = "upload_id")] string uploadId, HttpContext http, IGrainFactory grains)
    {
        var parts = await OptionalBodyAsync(http);
        return ApiResults.Ok(CompletedUploadResponse.From(await Upload(grains, uploadId).Complete(http.Require(), parts)));
    }

    private static async Task<EnvelopeResult<CompletedUploadResponse>> ConfirmAsync([FromRoute(Name = "object_id")] string objectId, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        var parts = await OptionalBodyAsync(http);
        var uploadId = await UploadOfAsync(grains, caller, objectId);
        return ApiResults.Ok(CompletedUploadResponse.From(await grains.GetGrain<IUploadGrain>(uploadId).Complete(caller, parts)));
    }

    private static async Task<EnvelopeResult<UploadResponse>> AbortByObjectAsync([FromRoute(Name = "object_id")] string objectId, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        var uploadId = await UploadOfAsync(grains, caller, objectId);
        return ApiResults.Ok(UploadResponse.From(await grains.GetGrain<IUploadGrain>(uploadId).Abort(caller)));
    }

    /// <summary>Completion may come without a body (single uploads); a body, when sent, follows the JSON rules.</summary>
    private static async Task<IReadOnlyList<CompletedUploadPart>?> OptionalBodyAsync(HttpContext http)
    {
        if (http.Request.ContentLength is 0 || (http.Request.ContentLength is null && !http.Request.Headers.ContainsKey("Transfer-Encoding"))) return null;
        var body = await JsonBody<CompleteUploadRequest>.BindAsync(http, null!);
        return body!.Value.ToParts();
    }

    private static async Task<string> UploadOfAsync(IGrainFactory grains, Caller caller, string objectId) =>
        Ids.IsValid(objectId, IdPrefixes.Object) ? await grains.GetGrain<IObjectGrain>(objectId).GetUploadId(caller) : throw IptoException.NotFound("Object");

    private static IUploadGrain Upload(IGrainFactory grains, string uploadId) =>
        Ids.IsValid(uploadId, IdPrefixes.Upload) ? grains.GetGrain<IUploadGrain>(uploadId) : throw IptoException.NotFound("Upload");
}

public sealed record DatasetUploadRequest(string? Filename, string? ContentType, string? MimeType, long? SizeBytes, string? ChecksumSha256) : IValidatable
{
    public void Validate(ValidationErrors errors) => ToUpload("dset_").ValidateFile(errors);

    public CreateUploadRequest ToUpload(string datasetId) => new(datasetId, Filename, ContentType, MimeType, SizeBytes, ChecksumSha256);
}
