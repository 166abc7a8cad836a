using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Grains.ObjectStore;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Integration.Tests.Uploads;

/// <summary>One embedded Api per store, with a provider, a dataset and the platform admin.</summary>
public abstract class ReviewedContentFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new();

    public IptoApiFactory Api { get; private set; } = null!;
    public HttpClient Owner { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>Reaches presigned URLs: the Api's own routes for the local store, plain HTTP for S3.</summary>
    public HttpClient Bytes { get; private set; } = null!;

    public string DatasetId { get; private set; } = "";

    protected abstract bool UsesS3 { get; }

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>(IdentityFixture.Settings);
        if (UsesS3)
        {
            if (Services.S3ServiceUrl is null) return; // the tests skip (or fail when services are required)
            settings.WithS3();
        }

        Api = new IptoApiFactory(_dir.Path, settings, testCredentials: false);
        Bytes = UsesS3 ? new HttpClient() : Api.CreateClient();
        Owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        Admin = Api.WithBearer((await (await Api.LoginAsync(IdentityFixture.AdminEmail, IdentityFixture.AdminPassword)).DataAsync())
            .GetProperty("session_token").GetString()!);
        DatasetId = (await (await Owner.PostAsync("/v1/datasets", ApiHttp.Json("{\"name\":\"Reviewed content\"}"))).DataAsync(HttpStatusCode.Created))
            .GetProperty("dataset_id").GetString()!;
    }

    public async Task DisposeAsync()
    {
        if (Api is not null) await Api.DisposeAsync();
        _dir.Dispose();
    }
}

public sealed class LocalReviewedContentFixture : ReviewedContentFixture
{
    protected override bool UsesS3 => false;
}

public sealed class S3ReviewedContentFixture : ReviewedContentFixture
{
    protected override bool UsesS3 => true;
}

/// <summary>
/// A presigned URL cannot be revoked, so replaying it after complete, abort or approval must change nothing that was
/// reviewed or is served: clients write only to the upload's staging key, which complete copies to the object's key.
/// Also: the store enforces the declared size, and a declared checksum that does not match is a 422 at complete.
/// </summary>
public abstract class ReviewedContentTests(ReviewedContentFixture world)
{
    private const string Original = "Original text: the Rotterdam bills of lading for 2026, reviewed and approved.";
    private const string Forged = "FORGED! text: the Hamburg bills of lading for 2026, swapped after the review.";

    protected abstract void RequireStore();

    private HttpClient Owner => world.Owner;

    private async Task<JsonElement> CreateUploadAsync(long size, string? checksum = null, string contentType = "text/plain") =>
        await (await Owner.PostAsync("/v1/uploads", Body(new
        {
            dataset_id = world.DatasetId, filename = "lading.txt", content_type = contentType, size_bytes = size, checksum_sha256 = checksum,
        }))).DataAsync(HttpStatusCode.Created);

    private async Task<HttpResponseMessage> PutAsync(string url, byte[] bytes, string? contentType = "text/plain")
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await world.Bytes.PutAsync(url, content);
    }

    private async Task<byte[]> DownloadAsync(string objectId)
    {
        var url = (await (await Owner.GetAsync($"/v1/objects/{objectId}/download")).DataAsync()).GetProperty("url").GetString()!;
        var response = await world.Bytes.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task<string[]> SearchObjectIdsAsync(string query)
    {
        var data = await (await Owner.PostAsync("/v1/search", Body(new { query, mode = "lexical", dataset_ids = new[] { world.DatasetId } }))).DataAsync();
        return data.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("object_id").GetString()!).ToArray();
    }

    [SkippableFact]
    public async Task ReplayingTheUploadUrlAfterCompleteAndApprovalChangesNothing()
    {
        RequireStore();
        var original = Encoding.UTF8.GetBytes(Original);
        var forged = Encoding.UTF8.GetBytes(Forged);
        Assert.Equal(original.Length, forged.Length);
        var upload = await CreateUploadAsync(original.Length);
        var url = upload.GetProperty("upload_url").GetString()!;
        var objectId = upload.GetProperty("object_id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(url, original)).StatusCode);
        await (await Owner.PostAsync($"/v1/uploads/{upload.GetProperty("upload_id").GetString()}/complete", null)).DataAsync();

        await PutAsync(url, forged); // after complete: the staging key may take it, the object's key cannot
        var ready = await Owner.WaitForStatusAsync(objectId, "ready");
        var preview = await (await world.Admin.GetAsync($"/v1/admin/staged-objects/{objectId}")).DataAsync();
        Assert.Equal(Original, preview.GetProperty("text_preview").GetString());
        await world.Admin.ApproveAsync(objectId);
        var active = await Owner.WaitForStatusAsync(objectId, "active");
        await PutAsync(url, forged); // after approval

        var checksum = Convert.ToHexStringLower(SHA256.HashData(original));
        Assert.Equal(checksum, ready.GetProperty("checksum_sha256").GetString());
        Assert.Equal(checksum, active.GetProperty("checksum_sha256").GetString());
        Assert.Equal(original, await DownloadAsync(objectId));
        Assert.Contains(objectId, await SearchObjectIdsAsync("Rotterdam"));
        Assert.DoesNotContain(objectId, await SearchObjectIdsAsync("Hamburg"));
        var store = world.Api.Services.GetRequiredService<IObjectStore>();
        Assert.Equal(original.Length, (await store.HeadAsync(ObjectKeys.ObjectBlob(world.DatasetId, objectId)))!.SizeBytes);
    }

    [SkippableFact]
    public async Task ReplayingAfterAbortStoresNothingForTheObject()
    {
        RequireStore();
        var bytes = Encoding.UTF8.GetBytes(Original);
        var upload = await CreateUploadAsync(bytes.Length);
        var uploadId = upload.GetProperty("upload_id").GetString()!;
        var objectId = upload.GetProperty("object_id").GetString()!;
        await (await Owner.DeleteAsync($"/v1/uploads/{uploadId}")).DataAsync();

        await PutAsync(upload.GetProperty("upload_url").GetString()!, bytes);

        await (await Owner.PostAsync($"/v1/uploads/{uploadId}/complete", null)).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
        Assert.Equal("cancelled", (await (await Owner.GetAsync($"/v1/objects/{objectId}")).DataAsync()).GetProperty("status").GetString());
        var store = world.Api.Services.GetRequiredService<IObjectStore>();
        Assert.Null(await store.HeadAsync(ObjectKeys.ObjectBlob(world.DatasetId, objectId)));
    }

    [SkippableFact]
    public async Task PartsOfACompletedOrAbortedMultipartUploadAreRefused()
    {
        RequireStore();
        var bytes = RandomNumberGenerator.GetBytes(7 * 1024 * 1024); // above the 6 MiB threshold of the test settings: two parts
        var upload = await CreateUploadAsync(bytes.Length, contentType: "application/octet-stream");
        var objectId = upload.GetProperty("object_id").GetString()!;
        var parts = upload.GetProperty("parts").EnumerateArray().ToArray();
        var etags = new List<object>();
        var offset = 0;
        foreach (var part in parts)
        {
            var size = (int)part.GetProperty("size").GetInt64();
            var put = await world.Bytes.PutAsync(part.GetProperty("url").GetString(), new ByteArrayContent(bytes, offset, size));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            etags.Add(new { part_number = part.GetProperty("part_number").GetInt32(), etag = put.Headers.ETag!.Tag });
            offset += size;
        }

        await (await Owner.PostAsync($"/v1/uploads/{upload.GetProperty("upload_id").GetString()}/complete", Body(new { parts = etags }))).DataAsync();
        var replay = await world.Bytes.PutAsync(parts[0].GetProperty("url").GetString(),
            new ByteArrayContent(RandomNumberGenerator.GetBytes((int)parts[0].GetProperty("size").GetInt64())));

        Assert.Equal(HttpStatusCode.NotFound, replay.StatusCode);
        await Owner.WaitForStatusAsync(objectId, "ready");
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await DownloadAsync(objectId)));

        var aborted = await CreateUploadAsync(bytes.Length, contentType: "application/octet-stream");
        await (await Owner.DeleteAsync($"/v1/uploads/{aborted.GetProperty("upload_id").GetString()}")).DataAsync();
        var first = aborted.GetProperty("parts")[0];
        var afterAbort = await world.Bytes.PutAsync(first.GetProperty("url").GetString(),
            new ByteArrayContent(RandomNumberGenerator.GetBytes((int)first.GetProperty("size").GetInt64())));
        Assert.Equal(HttpStatusCode.NotFound, afterAbort.StatusCode);
    }

    [SkippableTheory]
    [InlineData(10)]
    [InlineData(200 * 1024)]
    public async Task ABodyOfAnotherSizeThanDeclaredIsRefusedByTheStore(int size)
    {
        RequireStore();
        var upload = await CreateUploadAsync(100);
        Assert.Equal("100", upload.GetProperty("required_headers").GetProperty("Content-Length").GetString());

        var put = await PutAsync(upload.GetProperty("upload_url").GetString()!, new byte[size]);

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        await (await Owner.PostAsync($"/v1/uploads/{upload.GetProperty("upload_id").GetString()}/complete", null)).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        var store = world.Api.Services.GetRequiredService<IObjectStore>();
        Assert.Null(await store.HeadAsync(ObjectKeys.UploadStaging(world.DatasetId, upload.GetProperty("upload_id").GetString()!)));
    }

    [SkippableFact]
    public async Task ADeclaredChecksumThatDoesNotMatchIs422AtComplete()
    {
        RequireStore();
        var bytes = Encoding.UTF8.GetBytes(Original);
        var upload = await CreateUploadAsync(bytes.Length, checksum: Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Forged))));
        var uploadId = upload.GetProperty("upload_id").GetString()!;
        var objectId = upload.GetProperty("object_id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(upload.GetProperty("upload_url").GetString()!, bytes)).StatusCode);

        var error = await (await Owner.PostAsync($"/v1/uploads/{uploadId}/complete", null)).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        var again = await (await Owner.PostAsync($"/v1/uploads/{uploadId}/complete", null)).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Equal("checksum_sha256", error.GetProperty("details")[0].GetProperty("field").GetString());
        Assert.Equal("checksum_sha256", again.GetProperty("details")[0].GetProperty("field").GetString());
        var obj = await (await Owner.GetAsync($"/v1/objects/{objectId}")).DataAsync();
        Assert.Equal("failed", obj.GetProperty("status").GetString());
        Assert.StartsWith("checksum_mismatch", obj.GetProperty("extraction").GetProperty("error").GetString());
        var store = world.Api.Services.GetRequiredService<IObjectStore>();
        Assert.Null(await store.HeadAsync(ObjectKeys.ObjectBlob(world.DatasetId, objectId)));
    }
}

public sealed class LocalStoreReviewedContentTests(LocalReviewedContentFixture world)
    : ReviewedContentTests(world), IClassFixture<LocalReviewedContentFixture>
{
    protected override void RequireStore()
    {
    }
}

public sealed class S3ReviewedContentTests(S3ReviewedContentFixture world)
    : ReviewedContentTests(world), IClassFixture<S3ReviewedContentFixture>
{
    protected override void RequireStore() => Services.RequireS3();
}
