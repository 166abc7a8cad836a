using System.Text.RegularExpressions;
using Ipto.Api.Http;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Ipto.Common;
using Ipto.Identity;
using Ipto.Objects;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

public sealed partial record CreateUploadRequest(
    string? DatasetId, string? Filename, string? ContentType, string? MimeType, long? SizeBytes, string? ChecksumSha256) : IValidatable
{
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
        if (EffectiveContentType is not null && !MediaType().IsMatch(EffectiveContentType)) errors.Add("content_type", "must be a media type such as text/plain");
        errors.Required("size_bytes", SizeBytes);
        if (SizeBytes is <= 0) errors.Add("size_bytes", "must be positive");
        if (ChecksumSha256 is not null && !Sha256().IsMatch(ChecksumSha256)) errors.Add("checksum_sha256", "must be 64 hexadecimal characters");
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;.{0,200})?$")]
    private static partial Regex MediaType();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256();
}

public sealed record ReissuePartsRequest(IReadOnlyList<int>? PartNumbers) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (PartNumbers is null || PartNumbers.Count == 0) errors.Add("part_numbers", "must list at least one part number");
        else if (PartNumbers.Count > 10_000) errors.Add("part_numbers", "must list at most 10000 part numbers");
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
            if (Parts[i]?.PartNumber is null or < 1 or > 10_000) errors.Add($"parts[{i}].part_number", "must be between 1 and 10000");
            if (string.IsNullOrWhiteSpace(Parts[i]?.Etag)) errors.Add($"parts[{i}].etag", "is required");
        }
    }

    public IReadOnlyList<CompletedUploadPart>? ToParts() => Parts?.Select(p => new CompletedUploadPart(p.PartNumber!.Value, p.Etag!)).ToArray();
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
            .RequireScope(Scopes.ObjectsWrite).WithIdempotency().WithName("CreateUpload");
        uploads.MapGet("/{upload_id}", GetAsync).RequireScope(Scopes.ObjectsWrite, Scopes.DatasetsRead).WithName("GetUpload");
        uploads.MapPost("/{upload_id}/parts", ReissuePartsAsync).RequireScope(Scopes.ObjectsWrite).WithIdempotency().WithName("ReissueUploadParts");
        uploads.MapDelete("/{upload_id}", AbortAsync).RequireScope(Scopes.ObjectsWrite).WithName("AbortUpload");
        uploads.MapPost("/{upload_id}/complete", CompleteAsync).RequireScope(Scopes.ObjectsWrite).WithIdempotency().WithName("CompleteUpload");

        v1.MapPost("/datasets/{dataset_id}/objects/upload", ([FromRoute(Name = "dataset_id")] string datasetId, JsonBody<DatasetUploadRequest> body, HttpContext http, IGrainFactory grains) =>
                CreateAsync(datasetId, body.Value.ToUpload(datasetId), http, grains))
            .RequireScope(Scopes.ObjectsWrite).WithIdempotency().WithTags("Uploads").WithName("CreateDatasetObjectUpload");
        v1.MapPost("/objects/{object_id}/confirm", ConfirmAsync).RequireScope(Scopes.ObjectsWrite).WithIdempotency().WithTags("Uploads").WithName("ConfirmObjectUpload");
        v1.MapDelete("/objects/{object_id}/upload", AbortByObjectAsync).RequireScope(Scopes.ObjectsWrite).WithTags("Uploads").WithName("AbortObjectUpload");
        return v1;
    }

    private static async Task<EnvelopeResult<UploadResponse>> CreateAsync(string datasetId, CreateUploadRequest request, HttpContext http, IGrainFactory grains)
    {
        var view = await grains.GetGrain<IObjectDirectoryGrain>(0).StartUpload(http.Require(),
            new NewUpload(datasetId, request.Filename!, request.EffectiveContentType!, request.SizeBytes!.Value, request.ChecksumSha256), http.CreationSeed());
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
