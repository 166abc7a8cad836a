using Ipto.Api.Http;
using Ipto.Common;
using Ipto.Grains.ObjectStore;
using Microsoft.AspNetCore.Http.Features;

namespace Ipto.Api.Hosting;

/// <summary>
/// Hosting of the local object store (embedded mode), not an API endpoint: the object store's own HTTP face, so it
/// talks to the store directly. The URLs the local object store presigns (embedded mode): <c>PUT</c> for a single upload or one part of a
/// multipart upload (answering the part's <c>ETag</c>), <c>GET</c> to download. The signature is the credential;
/// a PUT must carry the Content-Type and Content-Length it was signed for, so no other body is ever stored.
/// </summary>
public static class LocalObjectStoreEndpoints
{
    public static readonly PathString RoutePattern = LocalObjectStore.RoutePrefix.TrimEnd('/');

    public static IEndpointRouteBuilder MapLocalObjectStoreEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(RoutePattern.Value!).AllowAnonymous().ExcludeFromDescription();
        group.MapPut("/{**key}", PutAsync);
        group.MapGet("/{**key}", GetAsync);
        return app;
    }

    private static async Task<IResult> PutAsync(string key, HttpContext http, LocalObjectStore store)
    {
        var query = Query(http);
        var length = http.Request.ContentLength;
        var check = await store.VerifyAsync("PUT", key, query, http.Request.ContentType, length);
        if (check != SignatureCheck.Valid) return Refuse(check, query);
        if (length is null) return Refuse(SignatureCheck.HeadersMismatch, query);
        // Blobs are far larger than the API's 1 MiB JSON limit; the signed length is the limit here.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = length;

        string? etag;
        try
        {
            if (query.TryGetValue(LocalObjectStore.UploadIdParameter, out var uploadId) && uploadId is not null
                && query.TryGetValue(LocalObjectStore.PartNumberParameter, out var partText) && int.TryParse(partText, out var partNumber))
            {
                try
                {
                    etag = await store.ReceivePartAsync(key, uploadId, partNumber, http.Request.Body, length.Value, http.RequestAborted);
                }
                catch (MultipartUploadException)
                {
                    etag = null;
                }

                if (etag is null) return ApiResults.Error(ErrorCodes.NotFound, "The multipart upload does not exist (completed or aborted).");
            }
            else
            {
                etag = await store.ReceivePutAsync(key, http.Request.Body, http.Request.ContentType, length.Value, http.RequestAborted);
            }
        }
        catch (BodyLengthException e)
        {
            return ApiResults.Error(ErrorCodes.InvalidRequest, e.Message);
        }

        http.Response.Headers.ETag = etag;
        return Results.Ok();
    }

    private static async Task<IResult> GetAsync(string key, HttpContext http, LocalObjectStore store)
    {
        var query = Query(http);
        var check = await store.VerifyAsync("GET", key, query, null, null);
        if (check != SignatureCheck.Valid) return Refuse(check, query);
        var blob = await store.ResolveReadAsync(key, http.RequestAborted);
        if (blob is null) return ApiResults.Error(ErrorCodes.NotFound, "The object does not exist.");
        if (query.TryGetValue(LocalObjectStore.DispositionParameter, out var disposition) && disposition is not null)
            http.Response.Headers.ContentDisposition = disposition;
        return Results.File(blob.Value.Path, blob.Value.ContentType ?? "application/octet-stream", enableRangeProcessing: true);
    }

    private static Dictionary<string, string?> Query(HttpContext http) =>
        http.Request.Query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString(), StringComparer.Ordinal);

    private static ErrorResult Refuse(SignatureCheck check, Dictionary<string, string?> query) => check switch
    {
        SignatureCheck.Expired => ApiResults.Error(ErrorCodes.Forbidden, "The presigned URL has expired."),
        SignatureCheck.HeadersMismatch => ApiResults.Error(ErrorCodes.Forbidden,
            "This URL was signed for the request headers " + SignedHeaders(query) + "; send exactly these (for example curl -H 'Content-Type: …' -T file)."),
        _ => ApiResults.Error(ErrorCodes.Forbidden, "The presigned URL's signature does not match the request."),
    };

    private static string SignedHeaders(Dictionary<string, string?> query)
    {
        var headers = new List<string>();
        if (query.GetValueOrDefault(LocalObjectStore.ContentTypeParameter) is { } type) headers.Add($"Content-Type: {type}");
        if (query.GetValueOrDefault(LocalObjectStore.ContentLengthParameter) is { } length) headers.Add($"Content-Length: {length}");
        return string.Join(", ", headers);
    }
}
