using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;

namespace Ipto.Integration.Tests.Uploads;

/// <summary>A 70 MiB multipart upload through real presigned URLs, on the local store and on the S3 emulator.</summary>
public sealed class LargeUploadTests
{
    private const int MiB = 1024 * 1024;

    private static async Task UploadAndNormalizeAsync(IptoApiFactory api, HttpClient bytesClient)
    {
        var owner = api.WithBearer((await api.SignupAsync()).SessionToken);
        var datasetId = (await (await owner.PostAsync("/v1/datasets", ApiHttp.Json("{\"name\":\"Large\"}"))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString();
        var bytes = RandomNumberGenerator.GetBytes(70 * MiB);
        var upload = await (await owner.PostAsync("/v1/uploads", ApiHttp.Json(JsonSerializer.Serialize(new
        {
            dataset_id = datasetId, filename = "large.bin", content_type = "application/octet-stream", size_bytes = bytes.Length,
            checksum_sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
        })))).DataAsync(HttpStatusCode.Created);
        Assert.Equal("multipart", upload.GetProperty("strategy").GetString());

        var parts = new List<object>();
        foreach (var part in upload.GetProperty("parts").EnumerateArray())
        {
            var number = part.GetProperty("part_number").GetInt32();
            var size = (int)part.GetProperty("size").GetInt64();
            var offset = (long)(number - 1) * upload.GetProperty("part_size").GetInt64();
            var content = new ByteArrayContent(bytes, (int)offset, size);
            var put = await bytesClient.PutAsync(part.GetProperty("url").GetString(), content);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            parts.Add(new { part_number = number, etag = put.Headers.ETag!.Tag });
        }

        var completed = await (await owner.PostAsync($"/v1/uploads/{upload.GetProperty("upload_id").GetString()}/complete",
            ApiHttp.Json(JsonSerializer.Serialize(new { parts })))).DataAsync();
        var objectId = completed.GetProperty("object_id").GetString();
        var ready = await Eventually.Until(async () => await (await owner.GetAsync($"/v1/objects/{objectId}")).DataAsync(),
            o => o.GetProperty("status").GetString() is "ready" or "failed", TimeSpan.FromSeconds(60), "normalization");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(bytes.Length, ready.GetProperty("size_bytes").GetInt64());
    }

    [Fact]
    public async Task SeventyMebibytesThroughTheLocalStore()
    {
        using var dir = new TempDir();
        var settings = new Dictionary<string, string?>(IdentityFixture.Settings)
        {
            ["Ipto:Uploads:MultipartThresholdBytes"] = (64L * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ipto:Uploads:MinPartSizeBytes"] = (8L * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        await using var api = new IptoApiFactory(dir.Path, settings, testCredentials: false);

        await UploadAndNormalizeAsync(api, api.CreateClient());
    }

    [SkippableFact]
    public async Task SeventyMebibytesThroughTheS3Emulator()
    {
        Services.RequireS3();
        using var dir = new TempDir();
        var settings = new Dictionary<string, string?>(IdentityFixture.Settings)
        {
            ["Ipto:ObjectStore:Provider"] = "s3",
            ["Ipto:S3:ServiceUrl"] = Services.S3ServiceUrl,
            ["Ipto:S3:Bucket"] = Services.S3Bucket,
            ["Ipto:S3:Region"] = Services.S3Region,
            ["Ipto:S3:AccessKey"] = Services.S3AccessKey,
            ["Ipto:S3:SecretKey"] = Services.S3SecretKey,
            ["Ipto:Uploads:MultipartThresholdBytes"] = (64L * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ipto:Uploads:MinPartSizeBytes"] = (8L * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        await using var api = new IptoApiFactory(dir.Path, settings, testCredentials: false);
        using var http = new HttpClient();

        await UploadAndNormalizeAsync(api, http);
    }
}
