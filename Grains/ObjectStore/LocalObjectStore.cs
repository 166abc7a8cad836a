using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ipto.Grains.Storage;

namespace Ipto.Grains.ObjectStore;

/// <summary>
/// Embedded-mode object store on local disk. Its presigned URLs point at the Api's <c>/local-objects/</c> routes and
/// carry an HMAC-SHA256 signature over method, key, upload id, part number, content type and expiry, so they behave
/// like S3's: single PUT, part PUT answering an ETag, GET; a tampered or expired URL gets 403.
/// </summary>
public sealed class LocalObjectStore(string rootDirectory, Uri publicBaseUrl, PlatformSecrets secrets, TimeProvider time) : IObjectStore
{
    public const string RoutePrefix = "/local-objects/";
    public const string ExpiresParameter = "X-Ipto-Expires";
    public const string SignatureParameter = "X-Ipto-Signature";
    public const string UploadIdParameter = "uploadId";
    public const string PartNumberParameter = "partNumber";
    public const string DispositionParameter = "response-content-disposition";
    public const string ContentTypeParameter = "X-Ipto-Content-Type";
    public const string ContentLengthParameter = "X-Ipto-Content-Length";

    private static readonly JsonSerializerOptions MetaJson = new(JsonSerializerDefaults.Web);

    private readonly string _blobs = Path.Combine(rootDirectory, "blobs");
    private readonly string _meta = Path.Combine(rootDirectory, "meta");
    private readonly string _multipart = Path.Combine(rootDirectory, "multipart");
    private readonly string _temp = Path.Combine(rootDirectory, "tmp");

    public string Name => "local";

    public Task<PresignedUrl> PresignPutAsync(string key, string? contentType, long sizeBytes, TimeSpan lifetime, CancellationToken cancellationToken = default) =>
        PresignAsync("PUT", key, null, null, contentType, sizeBytes, null, lifetime);

    public async Task<string> CreateMultipartUploadAsync(string key, string? contentType, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        var uploadId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var directory = Directory.CreateDirectory(Path.Combine(_multipart, uploadId));
        await File.WriteAllTextAsync(Path.Combine(directory.FullName, "upload.json"),
            JsonSerializer.Serialize(new UploadMeta(key, contentType), MetaJson), cancellationToken);
        return uploadId;
    }

    public Task<PresignedUrl> PresignPartAsync(string key, string uploadId, int partNumber, long sizeBytes, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        if (partNumber is < 1 or > ObjectKeys.MaxPartNumber) throw new ArgumentOutOfRangeException(nameof(partNumber));
        return PresignAsync("PUT", key, uploadId, partNumber, null, sizeBytes, null, lifetime);
    }

    public async Task CompleteMultipartUploadAsync(string key, string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        var upload = await ReadUploadAsync(key, uploadId, cancellationToken)
                     ?? throw new MultipartUploadException("NoSuchUpload", "The multipart upload does not exist.");
        if (parts.Count == 0) throw new MultipartUploadException("InvalidPart", "A multipart upload needs at least one part.");
        for (var i = 0; i < parts.Count; i++)
        {
            if (i > 0 && parts[i].PartNumber <= parts[i - 1].PartNumber)
                throw new MultipartUploadException("InvalidPartOrder", "Parts must be listed in ascending order.");
            var partFile = PartPath(uploadId, parts[i].PartNumber);
            var etagFile = partFile + ".etag";
            if (!File.Exists(partFile) || !File.Exists(etagFile)
                || !string.Equals(await File.ReadAllTextAsync(etagFile, cancellationToken), Unquote(parts[i].ETag), StringComparison.Ordinal))
                throw new MultipartUploadException("InvalidPart", $"Part {parts[i].PartNumber} was not uploaded or its ETag does not match.");
            if (i < parts.Count - 1 && new FileInfo(partFile).Length < ObjectKeys.MinimumPartSize)
                throw new MultipartUploadException("EntityTooSmall", $"Part {parts[i].PartNumber} is smaller than the 5 MiB minimum.");
        }

        var temp = NewTempPath();
        using (var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5))
        {
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                foreach (var part in parts)
                {
                    await using var input = File.OpenRead(PartPath(uploadId, part.PartNumber));
                    await input.CopyToAsync(output, cancellationToken);
                }

                await output.FlushAsync(cancellationToken);
                output.Flush(flushToDisk: true);
            }

            foreach (var part in parts) md5.AppendData(Encoding.ASCII.GetBytes(Unquote(part.ETag)));
            var etag = Convert.ToHexStringLower(md5.GetHashAndReset()) + "-" + parts.Count.ToString(CultureInfo.InvariantCulture);
            await PublishAsync(key, temp, new BlobMeta(upload.ContentType, etag), cancellationToken);
        }

        Directory.Delete(Path.Combine(_multipart, uploadId), recursive: true);
    }

    public Task AbortMultipartUploadAsync(string key, string uploadId, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        var directory = Path.Combine(_multipart, SafeUploadId(uploadId));
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        return Task.CompletedTask;
    }

    public async Task<ObjectHead?> HeadAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        var file = new FileInfo(BlobPath(key));
        if (!file.Exists) return null;
        var meta = await ReadMetaAsync(key, cancellationToken);
        return new ObjectHead(file.Length, meta?.ETag is null ? null : Quote(meta.ETag), meta?.ContentType);
    }

    public async Task CopyAsync(string sourceKey, string destinationKey, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(sourceKey);
        ObjectKeys.Validate(destinationKey);
        var meta = await ReadMetaAsync(sourceKey, cancellationToken);
        Stream source;
        try
        {
            source = File.OpenRead(BlobPath(sourceKey));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(sourceKey);
        }

        string temp, etag;
        await using (source)
        {
            (temp, etag) = await ReceiveToTempAsync(source, null, cancellationToken);
        }

        await PublishAsync(destinationKey, temp, new BlobMeta(meta?.ContentType, etag), cancellationToken);
    }

    public Task<PresignedUrl> PresignGetAsync(string key, TimeSpan lifetime, string? downloadFileName = null, CancellationToken cancellationToken = default) =>
        PresignAsync("GET", key, null, null, null, null, downloadFileName is null ? null : ContentDisposition.Attachment(downloadFileName), lifetime);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        DeleteIfPresent(BlobPath(key));
        DeleteIfPresent(MetaPath(key));
        return Task.CompletedTask;
    }

    private static void DeleteIfPresent(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Deleting what was never written is not an error (S3 semantics).
        }
    }

    public Task<IReadOnlyList<string>> ListKeysAsync(string prefix, int max, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(_blobs)) return Task.FromResult<IReadOnlyList<string>>([]);
        var keys = Directory.EnumerateFiles(_blobs, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_blobs, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Take(max)
            .ToArray();
        return Task.FromResult<IReadOnlyList<string>>(keys);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        try
        {
            return Task.FromResult<Stream>(new FileStream(BlobPath(key), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, useAsync: true));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(key);
        }
    }

    public async Task WriteAsync(string key, Stream content, string? contentType, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        var (temp, etag) = await ReceiveToTempAsync(content, null, cancellationToken);
        await PublishAsync(key, temp, new BlobMeta(contentType, etag), cancellationToken);
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(_temp);
        var probe = Path.Combine(_temp, "ping-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(probe, []);
        File.Delete(probe);
        return Task.FromResult(true);
    }

    // ---- The Api's /local-objects/ routes call these after checking the signature. ----

    /// <summary>
    /// Checks a presigned request's signature and expiry, then that the request carries the headers the URL was signed
    /// for (Content-Type, Content-Length), so a body of another length is refused before any of it is stored.
    /// </summary>
    public async Task<SignatureCheck> VerifyAsync(string method, string key, IReadOnlyDictionary<string, string?> query, string? contentType, long? contentLength)
    {
        if (!IsValidKey(key)) return SignatureCheck.Invalid;
        if (!query.TryGetValue(ExpiresParameter, out var expiresText) || !long.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || !query.TryGetValue(SignatureParameter, out var signatureText) || signatureText is null || signatureText.Length != 64)
            return SignatureCheck.Invalid;
        query.TryGetValue(UploadIdParameter, out var uploadId);
        int? partNumber = null;
        if (query.TryGetValue(PartNumberParameter, out var partText) && partText is not null)
        {
            if (!int.TryParse(partText, NumberStyles.None, CultureInfo.InvariantCulture, out var part)) return SignatureCheck.Invalid;
            partNumber = part;
        }

        query.TryGetValue(ContentTypeParameter, out var signedContentType);
        long? signedLength = null;
        if (query.TryGetValue(ContentLengthParameter, out var lengthText) && lengthText is not null)
        {
            if (!long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length)) return SignatureCheck.Invalid;
            signedLength = length;
        }

        query.TryGetValue(DispositionParameter, out var disposition);
        byte[] given;
        try
        {
            given = Convert.FromHexString(signatureText);
        }
        catch (FormatException)
        {
            return SignatureCheck.Invalid;
        }

        var expected = await SignAsync(method, key, uploadId, partNumber, signedContentType, signedLength, disposition, expires);
        if (!CryptographicOperations.FixedTimeEquals(given, expected)) return SignatureCheck.Invalid;
        if (time.GetUtcNow().ToUnixTimeSeconds() >= expires) return SignatureCheck.Expired;
        if (signedContentType is not null && !string.Equals(signedContentType, contentType, StringComparison.OrdinalIgnoreCase))
            return SignatureCheck.HeadersMismatch;
        if (signedLength is not null && contentLength != signedLength) return SignatureCheck.HeadersMismatch;
        return SignatureCheck.Valid;
    }

    /// <summary>Stores a single PUT of exactly <paramref name="length"/> bytes atomically and returns its quoted ETag.</summary>
    public async Task<string> ReceivePutAsync(string key, Stream body, string? contentType, long length, CancellationToken cancellationToken)
    {
        var (temp, etag) = await ReceiveToTempAsync(body, length, cancellationToken);
        await PublishAsync(key, temp, new BlobMeta(contentType, etag), cancellationToken);
        return Quote(etag);
    }

    /// <summary>Stores one part of exactly <paramref name="length"/> bytes; null when the upload is unknown, completed or aborted.</summary>
    public async Task<string?> ReceivePartAsync(string key, string uploadId, int partNumber, Stream body, long length, CancellationToken cancellationToken)
    {
        if (await ReadUploadAsync(key, uploadId, cancellationToken) is null) return null;
        var (temp, etag) = await ReceiveToTempAsync(body, length, cancellationToken);
        var target = PartPath(uploadId, partNumber);
        try
        {
            File.Move(temp, target, overwrite: true);
            await File.WriteAllTextAsync(target + ".etag", etag, cancellationToken);
        }
        catch (DirectoryNotFoundException)
        {
            File.Delete(temp);
            return null; // aborted while the part was arriving
        }

        return Quote(etag);
    }

    /// <summary>The file and content type behind a GET, or null when the object does not exist.</summary>
    public async Task<(string Path, string? ContentType)?> ResolveReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = BlobPath(key);
        if (!File.Exists(path)) return null;
        return (path, (await ReadMetaAsync(key, cancellationToken))?.ContentType);
    }

    public static bool IsValidKey(string key)
    {
        try
        {
            ObjectKeys.Validate(key);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private async Task<PresignedUrl> PresignAsync(
        string method, string key, string? uploadId, int? partNumber, string? contentType, long? contentLength, string? disposition, TimeSpan lifetime)
    {
        ObjectKeys.Validate(key);
        var expiresAt = time.GetUtcNow().Add(lifetime);
        var expires = expiresAt.ToUnixTimeSeconds();
        var signature = Convert.ToHexStringLower(await SignAsync(method, key, uploadId, partNumber, contentType, contentLength, disposition, expires));
        var query = new StringBuilder();
        void Add(string name, string value) => query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        if (uploadId is not null) Add(UploadIdParameter, uploadId);
        if (partNumber is not null) Add(PartNumberParameter, partNumber.Value.ToString(CultureInfo.InvariantCulture));
        if (contentType is not null) Add(ContentTypeParameter, contentType);
        if (contentLength is not null) Add(ContentLengthParameter, contentLength.Value.ToString(CultureInfo.InvariantCulture));
        if (disposition is not null) Add(DispositionParameter, disposition);
        Add(ExpiresParameter, expires.ToString(CultureInfo.InvariantCulture));
        Add(SignatureParameter, signature);
        // Keys hold only URL-safe characters (ObjectKeys.Validate) and every query value is escaped above.
        var url = publicBaseUrl.AbsoluteUri.TrimEnd('/') + RoutePrefix + key + query;
        var headers = new Dictionary<string, string>();
        if (contentType is not null) headers["Content-Type"] = contentType;
        if (contentLength is not null) headers["Content-Length"] = contentLength.Value.ToString(CultureInfo.InvariantCulture);
        return new PresignedUrl(url, DateTimeOffset.FromUnixTimeSeconds(expires), headers);
    }

    private async Task<byte[]> SignAsync(
        string method, string key, string? uploadId, int? partNumber, string? contentType, long? contentLength, string? disposition, long expires)
    {
        var canonical = string.Join('\n', method, key, uploadId ?? "", partNumber?.ToString(CultureInfo.InvariantCulture) ?? "",
            contentType ?? "", contentLength?.ToString(CultureInfo.InvariantCulture) ?? "", disposition ?? "", expires.ToString(CultureInfo.InvariantCulture));
        return HMACSHA256.HashData(await secrets.GetAsync(PlatformSecrets.LocalObjectStoreKey), Encoding.UTF8.GetBytes(canonical));
    }

    /// <summary>Streams a body to a temp file; with an expected length, a body that is longer or shorter is refused.</summary>
    private async Task<(string Temp, string ETag)> ReceiveToTempAsync(Stream body, long? expectedLength, CancellationToken cancellationToken)
    {
        var temp = NewTempPath();
        try
        {
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            await using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            var buffer = new byte[1 << 16];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > expectedLength) throw new BodyLengthException(expectedLength.Value);
                md5.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            if (expectedLength is { } expected && total != expected) throw new BodyLengthException(expected);
            await output.FlushAsync(cancellationToken);
            output.Flush(flushToDisk: true);
            return (temp, Convert.ToHexStringLower(md5.GetHashAndReset()));
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private async Task PublishAsync(string key, string temp, BlobMeta meta, CancellationToken cancellationToken)
    {
        var blob = BlobPath(key);
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        var metaPath = MetaPath(key);
        Directory.CreateDirectory(Path.GetDirectoryName(metaPath)!);
        await File.WriteAllTextAsync(metaPath, JsonSerializer.Serialize(meta, MetaJson), cancellationToken);
        File.Move(temp, blob, overwrite: true);
    }

    private async Task<UploadMeta?> ReadUploadAsync(string key, string uploadId, CancellationToken cancellationToken)
    {
        var file = Path.Combine(_multipart, SafeUploadId(uploadId), "upload.json");
        if (!File.Exists(file)) return null;
        var meta = JsonSerializer.Deserialize<UploadMeta>(await File.ReadAllTextAsync(file, cancellationToken), MetaJson);
        return meta is not null && meta.Key == key ? meta : null;
    }

    private async Task<BlobMeta?> ReadMetaAsync(string key, CancellationToken cancellationToken)
    {
        var file = MetaPath(key);
        if (!File.Exists(file)) return null;
        return JsonSerializer.Deserialize<BlobMeta>(await File.ReadAllTextAsync(file, cancellationToken), MetaJson);
    }

    private string NewTempPath()
    {
        Directory.CreateDirectory(_temp);
        return Path.Combine(_temp, Guid.NewGuid().ToString("N"));
    }

    private string BlobPath(string key) => Path.Combine(_blobs, key);
    private string MetaPath(string key) => Path.Combine(_meta, key + ".json");
    private string PartPath(string uploadId, int partNumber) =>
        Path.Combine(_multipart, SafeUploadId(uploadId), partNumber.ToString(CultureInfo.InvariantCulture));

    private static string SafeUploadId(string uploadId) =>
        uploadId.Length == 32 && uploadId.All(char.IsAsciiHexDigitLower) ? uploadId : throw new MultipartUploadException("NoSuchUpload", "The multipart upload does not exist.");

    private static string Quote(string etag) => "\"" + etag + "\"";
    private static string Unquote(string etag) => etag.Trim('"');

    private sealed record UploadMeta(string Key, string? ContentType);
    private sealed record BlobMeta(string? ContentType, string ETag);
}

public enum SignatureCheck
{
    Valid = 0,
    Invalid = 1,
    Expired = 2,

    /// <summary>The signature holds, but the request lacks a header the URL was signed for, or sends another value.</summary>
    HeadersMismatch = 3,
}

/// <summary>A presigned PUT whose body is not the signed length.</summary>
public sealed class BodyLengthException(long expected) : Exception($"The body must be exactly {expected} bytes.");
