using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Ipto.Grains.ObjectStore;
using Ipto.Testing;

namespace Ipto.Integration.Tests.ObjectStore;

/// <summary>
/// What every object store must do, run against the local disk store (served by the Api) and the S3 emulator:
/// presigned PUT/GET, multipart with ETags, abort, head, delete, streaming read and write, refusal of tampered,
/// expired or mismatched URLs.
/// </summary>
public abstract class ObjectStoreContract
{
    private const int MiB = 1024 * 1024;

    /// <summary>The store, and an HTTP client that reaches its presigned URLs.</summary>
    protected abstract Task<(IObjectStore Store, HttpClient Http)> OpenAsync();

    private static string NewKey(string name = "file.bin") => $"contract/{Guid.NewGuid():N}/{name}";

    private static byte[] RandomBytes(int count) => RandomNumberGenerator.GetBytes(count);

    private static async Task<HttpResponseMessage> PutAsync(HttpClient http, PresignedUrl url, byte[] body, string? contentType = null)
    {
        var content = new ByteArrayContent(body);
        var type = contentType ?? url.RequiredHeaders.GetValueOrDefault("Content-Type");
        if (type is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        return await http.PutAsync(url.Url, content);
    }

    [SkippableFact]
    public async Task PresignedPutThenHeadGetAndRead()
    {
        var (store, http) = await OpenAsync();
        var key = NewKey();
        var body = RandomBytes(MiB + 13);

        var put = await PutAsync(http, await store.PresignPutAsync(key, "application/pdf", body.Length, TimeSpan.FromHours(1)), body);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.NotNull(put.Headers.ETag);
        Assert.Equal(body.Length, (await store.HeadAsync(key))!.SizeBytes);
        var get = await http.GetAsync((await store.PresignGetAsync(key, TimeSpan.FromMinutes(15))).Url);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(body, await get.Content.ReadAsByteArrayAsync());
        await using var read = await store.OpenReadAsync(key);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(body, copy.ToArray());
    }

    [SkippableFact]
    public async Task PresignedGetCanNameTheDownload()
    {
        var (store, http) = await OpenAsync();
        var key = NewKey();
        await PutAsync(http, await store.PresignPutAsync(key, null, 10, TimeSpan.FromHours(1)), RandomBytes(10));

        var get = await http.GetAsync((await store.PresignGetAsync(key, TimeSpan.FromMinutes(15), "report 2026.pdf")).Url);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("report 2026.pdf", get.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
    }

    [SkippableFact]
    public async Task TamperedSignatureIsForbidden()
    {
        var (store, http) = await OpenAsync();
        var url = (await store.PresignPutAsync(NewKey(), null, 10, TimeSpan.FromHours(1))).Url;
        var last = url[^1];
        var tampered = url[..^1] + (last == '0' ? '1' : '0');

        var put = await http.PutAsync(tampered, new ByteArrayContent(RandomBytes(10)));

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
    }

    [SkippableFact]
    public async Task UrlUsedForAnotherKeyIsForbidden()
    {
        var (store, http) = await OpenAsync();
        var key = NewKey("a.bin");
        var url = (await store.PresignPutAsync(key, null, 10, TimeSpan.FromHours(1))).Url;

        var put = await http.PutAsync(url.Replace("/a.bin", "/b.bin", StringComparison.Ordinal), new ByteArrayContent(RandomBytes(10)));

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
    }

    [SkippableFact]
    public async Task GetUrlCannotBeUsedToPut()
    {
        var (store, http) = await OpenAsync();
        var key = NewKey();
        await PutAsync(http, await store.PresignPutAsync(key, null, 10, TimeSpan.FromHours(1)), RandomBytes(10));

        var put = await http.PutAsync((await store.PresignGetAsync(key, TimeSpan.FromMinutes(5))).Url, new ByteArrayContent(RandomBytes(10)));

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
    }

    [SkippableFact]
    public async Task SignedContentTypeMustMatch()
    {
        var (store, http) = await OpenAsync();
        var url = await store.PresignPutAsync(NewKey(), "text/csv", 10, TimeSpan.FromHours(1));

        var put = await PutAsync(http, url, RandomBytes(10), "application/json");

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
    }

    [SkippableFact]
    public async Task ExpiredUrlIsForbidden()
    {
        var (store, http) = await OpenAsync();
        var url = await store.PresignPutAsync(NewKey(), null, 10, TimeSpan.FromSeconds(1));

        var status = await Eventually.Until(async () => (await PutAsync(http, url, RandomBytes(10))).StatusCode,
            s => s != HttpStatusCode.OK, TimeSpan.FromSeconds(15), "the URL to expire");

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [SkippableFact]
    public async Task MultipartUploadAssemblesPartsInOrder()
    {
        var (store, http) = await OpenAsync();
        var key = NewKey("big.bin");
        byte[][] parts = [RandomBytes(5 * MiB), RandomBytes(5 * MiB), RandomBytes(MiB + 7)];
        var uploadId = await store.CreateMultipartUploadAsync(key, "application/octet-stream");

        var completed = new List<CompletedPart>();
        for (var i = 0; i < parts.Length; i++)
        {
            var response = await PutAsync(http, await store.PresignPartAsync(key, uploadId, i + 1, parts[i].Length, TimeSpan.FromHours(1)), parts[i]);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            completed.Add(new CompletedPart(i + 1, response.Headers.ETag!.Tag));
        }

        await store.CompleteMultipartUploadAsync(key, uploadId, completed);

        var whole = parts.SelectMany(p => p).ToArray();
        Assert.Equal(whole.Length, (await store.HeadAsync(key))!.SizeBytes);
        var get = await http.GetAsync((await store.PresignGetAsync(key, TimeSpan.FromMinutes(5))).Url);
        Assert.Equal(SHA256.HashData(whole), SHA256.HashData(await get.Content.ReadAsByteArrayAsync()));
    }

    [SkippableFact]
    public async Task PartUrlIsBoundToItsPartNumber()
    {
        var (store, http) = await OpenAsync();
        var key = NewKey();
        var uploadId = await store.CreateMultipartUploadAsync(key, null);
        var url = (await store.PresignPartAsync(key, uploadId, 1, 10, TimeSpan.FromHours(1))).Url;

        var put = await http.PutAsync(url.Replace("partNumber=1", "partNumber=2", StringComparison.Ordinal), new ByteArrayContent(RandomBytes(10)));

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        await store.AbortMultipartUploadAsync(key, uploadId);
    }

    [SkippableFact]
    public async Task CompletionWithAWrongETagIsRefused()
    {
        var (store, http) = await OpenAsync();
        var key = NewKey();
        var uploadId = await store.CreateMultipartUploadAsync(key, null);
        await PutAsync(http, await store.PresignPartAsync(key, uploadId, 1, 1000, TimeSpan.FromHours(1)), RandomBytes(1000));

        var error = await Assert.ThrowsAsync<MultipartUploadException>(() =>
            store.CompleteMultipartUploadAsync(key, uploadId, [new CompletedPart(1, "\"00000000000000000000000000000000\"")]));

        Assert.Equal("InvalidPart", error.Reason);
        Assert.Null(await store.HeadAsync(key));
    }

    [SkippableFact]
    public async Task NonLastPartSmallerThanFiveMebibytesIsRefused()
    {
        var (store, http) = await OpenAsync();
        var key = NewKey();
        var uploadId = await store.CreateMultipartUploadAsync(key, null);
        var first = await PutAsync(http, await store.PresignPartAsync(key, uploadId, 1, 1000, TimeSpan.FromHours(1)), RandomBytes(1000));
        var second = await PutAsync(http, await store.PresignPartAsync(key, uploadId, 2, 1000, TimeSpan.FromHours(1)), RandomBytes(1000));

        var error = await Assert.ThrowsAsync<MultipartUploadException>(() => store.CompleteMultipartUploadAsync(key, uploadId,
            [new CompletedPart(1, first.Headers.ETag!.Tag), new CompletedPart(2, second.Headers.ETag!.Tag)]));

        Assert.Equal("EntityTooSmall", error.Reason);
    }

    [SkippableFact]
    public async Task AbortedUploadTakesNoMoreParts()
    {
        var (store, http) = await OpenAsync();
        var key = NewKey();
        var uploadId = await store.CreateMultipartUploadAsync(key, null);
        var partUrl = await store.PresignPartAsync(key, uploadId, 1, 100, TimeSpan.FromHours(1));

        await store.AbortMultipartUploadAsync(key, uploadId);
        await store.AbortMultipartUploadAsync(key, uploadId); // idempotent

        Assert.Equal(HttpStatusCode.NotFound, (await PutAsync(http, partUrl, RandomBytes(100))).StatusCode);
        var error = await Assert.ThrowsAsync<MultipartUploadException>(() => store.CompleteMultipartUploadAsync(key, uploadId, [new CompletedPart(1, "\"x\"")]));
        Assert.Equal("NoSuchUpload", error.Reason);
    }

    [SkippableFact]
    public async Task DeleteRemovesTheObject()
    {
        var (store, http) = await OpenAsync();
        var key = NewKey();
        await PutAsync(http, await store.PresignPutAsync(key, null, 10, TimeSpan.FromHours(1)), RandomBytes(10));

        await store.DeleteAsync(key);
        await store.DeleteAsync(key); // deleting a missing key is fine
        await store.DeleteAsync(NewKey("never-written.bin"));

        Assert.Null(await store.HeadAsync(key));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.OpenReadAsync(key));
        var get = await http.GetAsync((await store.PresignGetAsync(key, TimeSpan.FromMinutes(5))).Url);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [SkippableTheory]
    [InlineData(9)]
    [InlineData(11)]
    [InlineData(2 * MiB)]
    public async Task PutOfAnotherLengthThanSignedIsRefused(int length)
    {
        var (store, http) = await OpenAsync();
        var key = NewKey();
        var url = await store.PresignPutAsync(key, "text/plain", 10, TimeSpan.FromHours(1));

        var put = await PutAsync(http, url, RandomBytes(length));

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Null(await store.HeadAsync(key));
        Assert.Equal("10", url.RequiredHeaders["Content-Length"]);
    }

    [SkippableFact]
    public async Task PartOfAnotherLengthThanSignedIsRefused()
    {
        var (store, http) = await OpenAsync();
        var key = NewKey();
        var uploadId = await store.CreateMultipartUploadAsync(key, null);
        var url = await store.PresignPartAsync(key, uploadId, 1, 1000, TimeSpan.FromHours(1));

        var longer = await PutAsync(http, url, RandomBytes(1001));
        var exact = await PutAsync(http, url, RandomBytes(1000));

        Assert.Equal(HttpStatusCode.Forbidden, longer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, exact.StatusCode);
        await store.AbortMultipartUploadAsync(key, uploadId);
    }

    [SkippableTheory]
    [InlineData(10)]
    [InlineData(11 * MiB + 3)]
    public async Task CopyReplacesTheDestinationAndKeepsTheSource(int size)
    {
        var (store, http) = await OpenAsync();
        var source = NewKey("source.bin");
        var destination = NewKey("destination.bin");
        var body = RandomBytes(size);
        await store.WriteAsync(source, new MemoryStream(body), "text/csv");
        await store.WriteAsync(destination, new MemoryStream(RandomBytes(20)), "text/plain");

        await store.CopyAsync(source, destination);

        var head = (await store.HeadAsync(destination))!;
        Assert.Equal(size, head.SizeBytes);
        Assert.Equal("text/csv", head.ContentType);
        var get = await http.GetAsync((await store.PresignGetAsync(destination, TimeSpan.FromMinutes(5))).Url);
        Assert.Equal(SHA256.HashData(body), SHA256.HashData(await get.Content.ReadAsByteArrayAsync()));
        Assert.Equal(size, (await store.HeadAsync(source))!.SizeBytes);
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.CopyAsync(NewKey("missing.bin"), destination));
    }

    [SkippableFact]
    public async Task PresignedUrlsAreStrictlyValidUrls()
    {
        var (store, http) = await OpenAsync();
        var key = NewKey();
        await PutAsync(http, await store.PresignPutAsync(key, "text/plain; charset=utf-8", 10, TimeSpan.FromHours(1)), RandomBytes(10));
        const string name = "Ada's report (2026) 100%.txt"; // the header value adds the quotes around it

        var url = (await store.PresignGetAsync(key, TimeSpan.FromMinutes(5), name)).Url;

        // RFC 3986: unreserved, reserved and percent-encodings only (curl and Python's http.client refuse anything else).
        Assert.Matches(@"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$", url);
        Assert.DoesNotMatch("%(?![0-9A-Fa-f]{2})", url);
        Assert.True(Uri.IsWellFormedUriString(url, UriKind.Absolute), url);
        var get = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(name, get.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
    }

    [SkippableTheory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(8 * MiB)]
    [InlineData(19 * MiB + 5)]
    public async Task StreamingWriteStoresWhatIsRead(int size)
    {
        var (store, _) = await OpenAsync();
        var key = NewKey("derived.jsonl");
        var body = RandomBytes(size);

        await store.WriteAsync(key, new NonSeekableStream(body), "application/x-ndjson");

        Assert.Equal(size, (await store.HeadAsync(key))!.SizeBytes);
        await using var read = await store.OpenReadAsync(key);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(SHA256.HashData(body), SHA256.HashData(copy.ToArray()));
    }

    [SkippableFact]
    public async Task KeysAreListedByPrefixInBatches()
    {
        var (store, _) = await OpenAsync();
        var prefix = $"contract/{Guid.NewGuid():N}/";
        foreach (var name in new[] { "a.bin", "b/c.bin", "d.bin" })
            await store.WriteAsync(prefix + name, new MemoryStream(RandomBytes(10)), null);
        await store.WriteAsync($"contract/{Guid.NewGuid():N}/other.bin", new MemoryStream(RandomBytes(10)), null);

        var firstBatch = await store.ListKeysAsync(prefix, 2);
        var all = await store.ListKeysAsync(prefix, 100);

        Assert.Equal(2, firstBatch.Count);
        Assert.Equal([prefix + "a.bin", prefix + "b/c.bin", prefix + "d.bin"], all.Order(StringComparer.Ordinal));
        foreach (var key in all) await store.DeleteAsync(key);
        Assert.Empty(await store.ListKeysAsync(prefix, 100));
    }

    [SkippableFact]
    public async Task MissingObjectHasNoHead()
    {
        var (store, _) = await OpenAsync();

        Assert.Null(await store.HeadAsync(NewKey()));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.OpenReadAsync(NewKey()));
    }

    [SkippableFact]
    public async Task StoreAnswersPing()
    {
        var (store, _) = await OpenAsync();

        Assert.True(await store.PingAsync());
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
