using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Ipto.Testing;

/// <summary>An object uploaded and completed: its ids and the completion's answer.</summary>
public sealed record UploadedObject(string UploadId, string ObjectId, JsonElement Completed);

/// <summary>The provider's upload flow and the review steps after it, as every test drives them through the public API.</summary>
public static class UploadFlow
{
    /// <summary>
    /// Creates an upload, PUTs the bytes to its presigned URL (through <paramref name="store"/>: the in-process Api for
    /// the local store, a plain client for S3) and completes it. A file above the multipart threshold goes up part by
    /// part, each to its own URL, and the completion names the parts' ETags.
    /// </summary>
    public static async Task<UploadedObject> UploadAsync(this HttpClient owner, HttpClient store, string datasetId, string filename, string contentType, byte[] bytes)
    {
        var upload = await (await owner.PostAsync("/v1/uploads", ApiHttp.Body(new
        {
            dataset_id = datasetId, filename, content_type = contentType, size_bytes = bytes.Length,
        }))).DataAsync(HttpStatusCode.Created);
        HttpContent? parts = null;
        if (upload.GetProperty("strategy").GetString() == "multipart")
            parts = ApiHttp.Body(new { parts = await PutPartsAsync(store, upload, bytes) });
        else
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            using var put = await store.PutAsync(upload.GetProperty("upload_url").GetString(), content);
            Assert.True(put.IsSuccessStatusCode, $"the presigned PUT answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
        }

        var uploadId = upload.GetProperty("upload_id").GetString()!;
        var completed = await (await owner.PostAsync($"/v1/uploads/{uploadId}/complete", parts)).DataAsync();
        return new UploadedObject(uploadId, upload.GetProperty("object_id").GetString()!, completed);
    }

    private static async Task<List<object>> PutPartsAsync(HttpClient store, JsonElement upload, byte[] bytes)
    {
        var parts = new List<object>();
        var partSize = upload.GetProperty("part_size").GetInt64();
        foreach (var part in upload.GetProperty("parts").EnumerateArray())
        {
            var number = part.GetProperty("part_number").GetInt32();
            using var put = await store.PutAsync(part.GetProperty("url").GetString(),
                new ByteArrayContent(bytes, (int)((number - 1) * partSize), (int)part.GetProperty("size").GetInt64()));
            Assert.True(put.StatusCode == HttpStatusCode.OK, $"the presigned PUT of part {number} answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
            parts.Add(new { part_number = number, etag = put.Headers.ETag!.Tag });
        }

        return parts;
    }

    /// <summary>Polls the object until it has <paramref name="status"/> (or failed, which fails the test); returns it.</summary>
    public static async Task<JsonElement> WaitForStatusAsync(this HttpClient owner, string objectId, string status, TimeSpan? timeout = null)
    {
        // "active" waits for the whole index: the embeddings follow the lexical index, and tests search densely too.
        var obj = await Eventually.Until(async () => await (await owner.GetAsync($"/v1/objects/{objectId}")).DataAsync(),
            o => o.GetProperty("status").GetString() is { } s && (s == "failed"
                || (s == status && (status != "active" || o.GetProperty("index_stage").GetString() == "complete"))), timeout ?? TimeSpan.FromSeconds(60),
            $"object {objectId} to be {status}");
        Assert.True(obj.GetProperty("status").GetString() == status, $"object {objectId} is not {status}: {obj}");
        return obj;
    }

    /// <summary>The platform admin approves a staged object (202 with the ingestion job).</summary>
    public static async Task<JsonElement> ApproveAsync(this HttpClient admin, string objectId) =>
        await (await admin.PostAsync($"/v1/admin/staged-objects/{objectId}/approve", null)).DataAsync(HttpStatusCode.Accepted);
}
