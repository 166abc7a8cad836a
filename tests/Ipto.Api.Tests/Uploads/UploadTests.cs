using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Grains.ObjectStore;
using Ipto.Testing;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Uploads;

public sealed class UploadTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;

    private async Task<(HttpClient Owner, string DatasetId)> DatasetAsync()
    {
        var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        var id = (await (await owner.PostAsync("/v1/datasets", Body(new { name = "Uploads" }))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString()!;
        return (owner, id);
    }

    private async Task<HttpResponseMessage> PutAsync(string url, byte[] body, string? contentType)
    {
        using var storeClient = Api.CreateClient();
        var content = new ByteArrayContent(body);
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await storeClient.PutAsync(url, content);
    }

    private static string Text(int paragraphs) => string.Join("\n\n", Enumerable.Range(0, paragraphs).Select(p =>
        string.Concat(Enumerable.Range(0, 6).Select(s => $"Paragraph {p} sentence {s} is about private data for agents. "))));

    [Fact]
    public async Task SingleUploadThroughThePresignedUrlIsNormalizedIntoChunks()
    {
        var (owner, datasetId) = await DatasetAsync();
        var text = Encoding.UTF8.GetBytes(Text(12));
        var checksum = Convert.ToHexStringLower(SHA256.HashData(text));

        var response = await owner.PostAsync("/v1/uploads", Body(new { dataset_id = datasetId, filename = "notes.txt", content_type = "text/plain", size_bytes = text.Length, checksum_sha256 = checksum }));

        var upload = await response.DataAsync(HttpStatusCode.Created);
        var uploadId = upload.GetProperty("upload_id").GetString()!;
        Assert.Equal($"/v1/uploads/{uploadId}", response.Headers.Location?.OriginalString);
        Assert.Equal("single", upload.GetProperty("strategy").GetString());
        Assert.Equal("pending", upload.GetProperty("status").GetString());
        var expires = DateTimeOffset.Parse(upload.GetProperty("expires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        var objectId = upload.GetProperty("object_id").GetString()!;
        Assert.Equal("pending_upload", (await (await owner.GetAsync($"/v1/objects/{objectId}")).DataAsync()).GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.OK, (await PutAsync(upload.GetProperty("upload_url").GetString()!, text, "text/plain")).StatusCode);
        var completed = await (await owner.PostAsync($"/v1/uploads/{uploadId}/complete", null)).DataAsync();
        Assert.Equal(objectId, completed.GetProperty("object_id").GetString());
        Assert.Equal("staged", completed.GetProperty("review_state").GetString());
        Assert.StartsWith("job_", completed.GetProperty("job_id").GetString());
        var again = await (await owner.PostAsync($"/v1/uploads/{uploadId}/complete", null)).DataAsync();
        Assert.Equal(completed.GetProperty("job_id").GetString(), again.GetProperty("job_id").GetString());

        var ready = await owner.WaitForStatusAsync(objectId, "ready");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(checksum, ready.GetProperty("checksum_sha256").GetString());
        var extraction = ready.GetProperty("extraction");
        Assert.Equal(Encoding.UTF8.GetString(text).Length, extraction.GetProperty("text_chars").GetInt64());
        var chunkCount = extraction.GetProperty("chunks").GetInt32();
        Assert.True(chunkCount >= 3);

        var store = Api.Services.GetRequiredService<IObjectStore>();
        await using var chunks = await store.OpenReadAsync(ObjectKeys.ObjectChunks(datasetId, objectId));
        var lines = (await new StreamReader(chunks).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(chunkCount, lines.Length);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(0, first.GetProperty("locator").GetProperty("chunk_index").GetInt32());
        Assert.StartsWith("Paragraph 0", first.GetProperty("text").GetString());

        var dataset = await (await owner.GetAsync($"/v1/datasets/{datasetId}")).DataAsync();
        Assert.Equal(1, dataset.GetProperty("counters").GetProperty("object_count").GetInt64());
        Assert.Equal(1, dataset.GetProperty("counters").GetProperty("staged_count").GetInt64());
        Assert.Equal(text.Length, dataset.GetProperty("counters").GetProperty("storage_bytes").GetInt64());
    }

    [Fact]
    public async Task MultipartUploadCompletesWithThePartsETags()
    {
        var (owner, datasetId) = await DatasetAsync();
        var bytes = RandomNumberGenerator.GetBytes(11 * 1024 * 1024);

        var upload = await (await owner.PostAsync("/v1/uploads", Body(new { dataset_id = datasetId, filename = "blob.bin", mime_type = "application/octet-stream", size_bytes = bytes.Length })))
            .DataAsync(HttpStatusCode.Created);

        Assert.Equal("multipart", upload.GetProperty("strategy").GetString());
        var parts = upload.GetProperty("parts").EnumerateArray().ToArray();
        Assert.Equal(3, parts.Length);
        var etags = new List<object>();
        long offset = 0;
        foreach (var part in parts)
        {
            var size = (int)part.GetProperty("size").GetInt64();
            var put = await PutAsync(part.GetProperty("url").GetString()!, bytes[(int)offset..(int)(offset + size)], null);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            etags.Add(new { part_number = part.GetProperty("part_number").GetInt32(), etag = put.Headers.ETag!.Tag });
            offset += size;
        }

        var reissued = await (await owner.PostAsync($"/v1/uploads/{upload.GetProperty("upload_id").GetString()}/parts", Body(new { part_numbers = new[] { 2 } }))).DataAsync();
        Assert.Equal([2], reissued.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("part_number").GetInt32()));

        var completed = await (await owner.PostAsync($"/v1/uploads/{upload.GetProperty("upload_id").GetString()}/complete", Body(new { parts = etags }))).DataAsync();
        var ready = await owner.WaitForStatusAsync(completed.GetProperty("object_id").GetString()!, "ready");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), ready.GetProperty("checksum_sha256").GetString());
        Assert.Equal(0, ready.GetProperty("extraction").GetProperty("chunks").GetInt32());
    }

    [Theory]
    [InlineData("rows.csv", "text/csv", "city,country\nLondon,UK\nParis,FR\nRome,IT\n", "ready", 3)]
    [InlineData("broken.pdf", "application/pdf", "%PDF-1.7 not a pdf", "failed", 0)]
    [InlineData("photo.png", "image/png", "not text at all", "ready", 0)]
    public async Task EachContentTypeIsNormalizedOrFailsWithAReason(string filename, string contentType, string body, string status, int chunks)
    {
        var (owner, datasetId) = await DatasetAsync();
        using var store = Api.CreateClient();
        var uploaded = await owner.UploadAsync(store, datasetId, filename, contentType, Encoding.UTF8.GetBytes(body));

        var obj = await owner.WaitForStatusAsync(uploaded.ObjectId, status);

        Assert.Equal(status, obj.GetProperty("status").GetString());
        Assert.Equal(chunks, obj.GetProperty("extraction").GetProperty("chunks").GetInt32());
        if (status == "failed") Assert.StartsWith("malformed_file", obj.GetProperty("extraction").GetProperty("error").GetString());
    }

    [Fact]
    public async Task TheOwnersDownloadUrlIsAValidUrlThatNamesTheFile()
    {
        var (owner, datasetId) = await DatasetAsync();
        const string filename = "Ada's \"final\" report (2026).txt";
        var upload = await (await owner.PostAsync("/v1/uploads", Body(new { dataset_id = datasetId, filename, content_type = "text/plain", size_bytes = 5 }))).DataAsync(HttpStatusCode.Created);
        await PutAsync(upload.GetProperty("upload_url").GetString()!, "hello"u8.ToArray(), "text/plain");
        await (await owner.PostAsync($"/v1/uploads/{upload.GetProperty("upload_id").GetString()}/complete", null)).DataAsync();

        var url = (await (await owner.GetAsync($"/v1/objects/{upload.GetProperty("object_id").GetString()}/download")).DataAsync()).GetProperty("url").GetString()!;

        Assert.Matches(@"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$", url); // RFC 3986 characters only: no raw spaces or quotes
        var get = await Api.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("hello", await get.Content.ReadAsStringAsync());
        Assert.Contains("report (2026).txt", get.Content.Headers.ContentDisposition!.ToString());
    }

    [Fact]
    public async Task ABodyShorterThanDeclaredIsRefusedByTheStore()
    {
        var (owner, datasetId) = await DatasetAsync();
        var upload = await (await owner.PostAsync("/v1/uploads", Body(new { dataset_id = datasetId, filename = "a.txt", content_type = "text/plain", size_bytes = 100 }))).DataAsync(HttpStatusCode.Created);

        var put = await PutAsync(upload.GetProperty("upload_url").GetString()!, new byte[90], "text/plain");

        var refusal = await put.ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("Content-Length: 100", refusal.GetProperty("message").GetString());
        Assert.Equal("pending_upload", (await (await owner.GetAsync($"/v1/objects/{upload.GetProperty("object_id").GetString()}")).DataAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task APutWithoutTheSignedContentTypeSaysWhichHeaderIsMissing()
    {
        var (owner, datasetId) = await DatasetAsync();
        var upload = await (await owner.PostAsync("/v1/uploads", Body(new { dataset_id = datasetId, filename = "a.txt", content_type = "text/plain", size_bytes = 5 }))).DataAsync(HttpStatusCode.Created);
        Assert.Equal("text/plain", upload.GetProperty("required_headers").GetProperty("Content-Type").GetString());

        var put = await PutAsync(upload.GetProperty("upload_url").GetString()!, "hello"u8.ToArray(), null);

        var refusal = await put.ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("Content-Type: text/plain", refusal.GetProperty("message").GetString());
    }

    [Fact]
    public async Task CompletingWithoutEveryPartIs422NamingTheSizeAndFailsTheObject()
    {
        var (owner, datasetId) = await DatasetAsync();
        var bytes = RandomNumberGenerator.GetBytes(11 * 1024 * 1024);
        var upload = await (await owner.PostAsync("/v1/uploads", Body(new { dataset_id = datasetId, filename = "blob.bin", content_type = "application/octet-stream", size_bytes = bytes.Length })))
            .DataAsync(HttpStatusCode.Created);
        var first = upload.GetProperty("parts")[0];
        var put = await PutAsync(first.GetProperty("url").GetString()!, bytes[..(int)first.GetProperty("size").GetInt64()], null);

        var error = await (await owner.PostAsync($"/v1/uploads/{upload.GetProperty("upload_id").GetString()}/complete",
            Body(new { parts = new[] { new { part_number = 1, etag = put.Headers.ETag!.Tag } } }))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Equal("size_bytes", error.GetProperty("details")[0].GetProperty("field").GetString());
        var obj = await (await owner.GetAsync($"/v1/objects/{upload.GetProperty("object_id").GetString()}")).DataAsync();
        Assert.Equal("failed", obj.GetProperty("status").GetString());
        Assert.StartsWith("size_mismatch", obj.GetProperty("extraction").GetProperty("error").GetString());
    }

    [Fact]
    public async Task ChecksumMismatchIs422AtCompleteAndFailsTheObject()
    {
        var (owner, datasetId) = await DatasetAsync();
        var bytes = Encoding.UTF8.GetBytes("hello agents");
        var upload = await (await owner.PostAsync("/v1/uploads", Body(new
        {
            dataset_id = datasetId, filename = "a.txt", content_type = "text/plain", size_bytes = bytes.Length, checksum_sha256 = new string('a', 64),
        }))).DataAsync(HttpStatusCode.Created);
        await PutAsync(upload.GetProperty("upload_url").GetString()!, bytes, "text/plain");

        var error = await (await owner.PostAsync($"/v1/uploads/{upload.GetProperty("upload_id").GetString()}/complete", null)).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Equal("checksum_sha256", error.GetProperty("details")[0].GetProperty("field").GetString());
        var obj = await (await owner.GetAsync($"/v1/objects/{upload.GetProperty("object_id").GetString()}")).DataAsync();
        Assert.Equal("failed", obj.GetProperty("status").GetString());
        Assert.StartsWith("checksum_mismatch", obj.GetProperty("extraction").GetProperty("error").GetString());
    }

    [Fact]
    public async Task AboveTheMultipartThresholdTheChecksumIsVerifiedByNormalization()
    {
        var (owner, datasetId) = await DatasetAsync();
        var bytes = RandomNumberGenerator.GetBytes(7 * 1024 * 1024);
        var upload = await (await owner.PostAsync("/v1/uploads", Body(new
        {
            dataset_id = datasetId, filename = "blob.bin", content_type = "application/octet-stream", size_bytes = bytes.Length, checksum_sha256 = new string('b', 64),
        }))).DataAsync(HttpStatusCode.Created);
        var parts = new List<object>();
        var offset = 0;
        foreach (var part in upload.GetProperty("parts").EnumerateArray())
        {
            var size = (int)part.GetProperty("size").GetInt64();
            var put = await PutAsync(part.GetProperty("url").GetString()!, bytes[offset..(offset + size)], null);
            parts.Add(new { part_number = part.GetProperty("part_number").GetInt32(), etag = put.Headers.ETag!.Tag });
            offset += size;
        }

        await (await owner.PostAsync($"/v1/uploads/{upload.GetProperty("upload_id").GetString()}/complete", Body(new { parts }))).DataAsync();

        var obj = await owner.WaitForStatusAsync(upload.GetProperty("object_id").GetString()!, "failed");
        Assert.StartsWith("checksum_mismatch", obj.GetProperty("extraction").GetProperty("error").GetString());
    }

    [Fact]
    public async Task AbortCancelsTheObjectAndCompletingAfterwardsIsAConflict()
    {
        var (owner, datasetId) = await DatasetAsync();
        var upload = await (await owner.PostAsync($"/v1/datasets/{datasetId}/objects/upload", Body(new { filename = "a.txt", content_type = "text/plain", size_bytes = 5 }))).DataAsync(HttpStatusCode.Created);
        var objectId = upload.GetProperty("object_id").GetString();

        var aborted = await (await owner.DeleteAsync($"/v1/objects/{objectId}/upload")).DataAsync();

        Assert.Equal("aborted", aborted.GetProperty("status").GetString());
        Assert.Equal("cancelled", (await (await owner.GetAsync($"/v1/objects/{objectId}")).DataAsync()).GetProperty("status").GetString());
        await (await owner.PostAsync($"/v1/objects/{objectId}/confirm", null)).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
        await (await owner.DeleteAsync($"/v1/uploads/{upload.GetProperty("upload_id").GetString()}")).DataAsync();
    }

    [Fact]
    public async Task CompletingBeforeAnyBytesArrivedIsRefused()
    {
        var (owner, datasetId) = await DatasetAsync();
        var upload = await (await owner.PostAsync("/v1/uploads", Body(new { dataset_id = datasetId, filename = "a.txt", content_type = "text/plain", size_bytes = 5 }))).DataAsync(HttpStatusCode.Created);

        await (await owner.PostAsync($"/v1/uploads/{upload.GetProperty("upload_id").GetString()}/complete", null)).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal("pending_upload", (await (await owner.GetAsync($"/v1/objects/{upload.GetProperty("object_id").GetString()}")).DataAsync()).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("{\"filename\":\"a.txt\",\"content_type\":\"text/plain\",\"size_bytes\":5}", "dataset_id")]
    [InlineData("{\"dataset_id\":\"nope\",\"filename\":\"a.txt\",\"content_type\":\"text/plain\",\"size_bytes\":5}", "dataset_id")]
    [InlineData("{\"dataset_id\":\"DSET\",\"content_type\":\"text/plain\",\"size_bytes\":5}", "filename")]
    [InlineData("{\"dataset_id\":\"DSET\",\"filename\":\"../etc/passwd\",\"content_type\":\"text/plain\",\"size_bytes\":5}", "filename")]
    [InlineData("{\"dataset_id\":\"DSET\",\"filename\":\"a.txt\",\"size_bytes\":5}", "content_type")]
    [InlineData("{\"dataset_id\":\"DSET\",\"filename\":\"a.txt\",\"content_type\":\"plain\",\"size_bytes\":5}", "content_type")]
    [InlineData("{\"dataset_id\":\"DSET\",\"filename\":\"a.txt\",\"content_type\":\"text/plain\"}", "size_bytes")]
    [InlineData("{\"dataset_id\":\"DSET\",\"filename\":\"a.txt\",\"content_type\":\"text/plain\",\"size_bytes\":0}", "size_bytes")]
    [InlineData("{\"dataset_id\":\"DSET\",\"filename\":\"a.txt\",\"content_type\":\"text/plain\",\"size_bytes\":999999999999999}", "size_bytes")]
    [InlineData("{\"dataset_id\":\"DSET\",\"filename\":\"a.txt\",\"content_type\":\"text/plain\",\"size_bytes\":5,\"checksum_sha256\":\"xyz\"}", "checksum_sha256")]
    public async Task CreateNamesEachInvalidField(string body, string field)
    {
        var (owner, datasetId) = await DatasetAsync();

        var error = await (await owner.PostAsync("/v1/uploads", ApiHttp.Json(body.Replace("DSET", datasetId, StringComparison.Ordinal))))
            .ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetProperty("field").GetString() == field);
    }

    [Fact]
    public async Task AnotherTenantsDatasetUploadAndObjectAreNotFound()
    {
        var (owner, datasetId) = await DatasetAsync();
        var (stranger, _) = await DatasetAsync();
        var upload = await (await owner.PostAsync("/v1/uploads", Body(new { dataset_id = datasetId, filename = "a.txt", content_type = "text/plain", size_bytes = 5 }))).DataAsync(HttpStatusCode.Created);
        var uploadId = upload.GetProperty("upload_id").GetString();
        var objectId = upload.GetProperty("object_id").GetString();

        await (await stranger.PostAsync("/v1/uploads", Body(new { dataset_id = datasetId, filename = "x.txt", content_type = "text/plain", size_bytes = 5 }))).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.GetAsync($"/v1/uploads/{uploadId}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.PostAsync($"/v1/uploads/{uploadId}/complete", null)).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.DeleteAsync($"/v1/uploads/{uploadId}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.GetAsync($"/v1/objects/{objectId}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.PostAsync($"/v1/objects/{objectId}/confirm", null)).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task UploadsNeedObjectsWriteAndACredential()
    {
        var (owner, datasetId) = await DatasetAsync();
        var (_, key) = await owner.CreateKeyAsync("datasets:read");
        using var reader = Api.WithApiKey(key);

        await (await reader.PostAsync("/v1/uploads", Body(new { dataset_id = datasetId, filename = "a.txt", content_type = "text/plain", size_bytes = 5 }))).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await Api.ClientFor(null).PostAsync("/v1/uploads", Body(new { dataset_id = datasetId, filename = "a.txt", content_type = "text/plain", size_bytes = 5 }))).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }
}
