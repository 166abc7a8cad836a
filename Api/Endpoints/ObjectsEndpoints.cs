using Ipto.Api.Http;
using Ipto.Api.Http.Auth;
using Ipto.Common;
using Ipto.Identity;
using Ipto.Objects;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

public sealed record ExtractionResponse(long TextChars, int? Pages, int Chunks, string? Language, string? Error);

public sealed record ObjectResponse(
    string ObjectId, string DatasetId, string TenantId, string Filename, string ContentType, long SizeBytes, string? ChecksumSha256,
    string Status, string? ReviewState, DateTimeOffset? ReviewExpiresAt, DateTimeOffset? ReviewedAt, string? ReviewReason,
    ExtractionResponse? Extraction, DateTimeOffset? IndexedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? DeletedAt)
{
    public static ObjectResponse From(ObjectSnapshot o) => new(o.ObjectId, o.DatasetId, o.TenantId, o.Filename, o.ContentType, o.SizeBytes,
        o.ChecksumSha256, o.Status, o.ReviewState, o.ReviewExpiresAt, o.ReviewedAt, o.ReviewReason,
        o.Extraction is { } e ? new ExtractionResponse(e.TextChars, e.Pages, e.Chunks, e.Language, e.Error) : null,
        o.IndexedAt, o.CreatedAt, o.UpdatedAt, o.DeletedAt);
}

/// <summary>Objects (SPEC §5): the owner reads an object's state, review and extraction stats.</summary>
public static class ObjectsEndpoints
{
    public static RouteGroupBuilder MapObjectsEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGroup("/objects").WithTags("Objects")
            .MapGet("/{object_id}", GetAsync).RequireScope(Scopes.DatasetsRead).WithName("GetObject");
        return v1;
    }

    private static async Task<EnvelopeResult<ObjectResponse>> GetAsync([FromRoute(Name = "object_id")] string objectId, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        if (!Ids.IsValid(objectId, IdPrefixes.Object)) throw IptoException.NotFound("Object");
        var obj = await grains.GetGrain<IObjectGrain>(objectId).Get(caller);
        if (!caller.Owns(obj.TenantId)) throw IptoException.NotFound("Object");
        return ApiResults.Ok(ObjectResponse.From(obj));
    }
}
