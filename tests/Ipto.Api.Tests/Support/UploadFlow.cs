using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ipto.Testing;

namespace Ipto.Api.Tests.Support;

/// <summary>An object uploaded and completed: its ids and the completion's answer.</summary>
public sealed record UploadedObject(string UploadId, string ObjectId, JsonElement Completed);

/// <summary>The provider's upload flow and the review steps after it, as every test drives them through the public API.</summary>
public static class UploadFlow
{
    /// <summary>
    /// Creates an upload, PUTs the bytes to its presigned URL (through <paramref name="store"/>: the in-process Api for
    /// the local store, a plain client for S3) and completes it.
    /// </summary>
    public static async Task<UploadedObject> UploadAsync(this HttpClient owner, HttpClient store, string datasetId, string filename, string contentType, byte[] bytes)
    {
        var upload = await (await owner.PostAsync("/v1/uploads", ApiHttp.Body(new
        {
            dataset_id = datasetId, filename, content_type = contentType, size_bytes = bytes.Length,
        }))).DataAsync(HttpStatusCode.Created);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using (var put = await store.PutAsync(upload.GetProperty("upload_url").GetString(), content))
            Assert.True(put.IsSuccessStatusCode, $"the presigned PUT answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
        var uploadId = upload.GetProperty("upload_id").GetString()!;
        var completed = await (await owner.PostAsync($"/v1/uploads/{uploadId}/complete", null)).DataAsync();
        return new UploadedObject(uploadId, upload.GetProperty("object_id").GetString()!, completed);
    }

    /// <summary>Polls the object until it has <paramref name="status"/> (or failed, which fails the test); returns it.</summary>
    public static async Task<JsonElement> WaitForStatusAsync(this HttpClient owner, string objectId, string status, TimeSpan? timeout = null)
    {
        var obj = await Eventually.Until(async () => await (await owner.GetAsync($"/v1/objects/{objectId}")).DataAsync(),
            o => o.GetProperty("status").GetString() is { } s && (s == status || s == "failed"), timeout ?? TimeSpan.FromSeconds(60),
            $"object {objectId} to be {status}");
        Assert.True(obj.GetProperty("status").GetString() == status, $"object {objectId} is not {status}: {obj}");
        return obj;
    }

    /// <summary>The platform admin approves a staged object (202 with the ingestion job).</summary>
    public static async Task<JsonElement> ApproveAsync(this HttpClient admin, string objectId) =>
        await (await admin.PostAsync($"/v1/admin/staged-objects/{objectId}/approve", null)).DataAsync(HttpStatusCode.Accepted);
}
