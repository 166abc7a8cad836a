using System.Globalization;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Ipto.Grains.Hosting;

namespace Ipto.Grains.ObjectStore;

/// <summary>Any S3-compatible service through AWSSDK.S3 (service URL, path style, region and credentials from config).</summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private const int WritePartSize = 8 * 1024 * 1024;

    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly Protocol _protocol;

    private readonly long _singleCopyLimitBytes;
    private readonly long _copyPartSizeBytes;

    /// <param name="options">Endpoint, bucket and credentials.</param>
    /// <param name="singleCopyLimitBytes">Largest object copied with one CopyObject (S3 allows 5 GiB; tests lower it).</param>
    /// <param name="copyPartSizeBytes">Range size of a multipart copy.</param>
    public S3ObjectStore(S3Options options, long singleCopyLimitBytes = 5L * 1024 * 1024 * 1024, long copyPartSizeBytes = 512L * 1024 * 1024)
    {
        _singleCopyLimitBytes = singleCopyLimitBytes;
        _copyPartSizeBytes = copyPartSizeBytes;
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            // S3-compatible services differ in their support of trailing checksums; send them only when S3 requires one.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 2,
            Timeout = TimeSpan.FromSeconds(100),
        };
        AWSCredentials credentials = string.IsNullOrEmpty(options.AccessKey)
            ? new AnonymousAWSCredentials()
            : new BasicAWSCredentials(options.AccessKey, options.SecretKey);
        _client = new AmazonS3Client(credentials, config);
        _bucket = options.Bucket!;
        // Presigning ignores the ServiceURL scheme and defaults to https, so it is set per request.
        _protocol = options.ServiceUrl!.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? Protocol.HTTP : Protocol.HTTPS;
    }

    public string Name => "s3";

    public async Task<PresignedUrl> PresignPutAsync(string key, string? contentType, long sizeBytes, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        var expires = DateTimeOffset.UtcNow.Add(lifetime);
        var request = NewPresign(key, HttpVerb.PUT, expires);
        var headers = SignLength(request, sizeBytes);
        if (!string.IsNullOrEmpty(contentType))
        {
            request.ContentType = contentType;
            headers["Content-Type"] = contentType;
        }

        return new PresignedUrl(await _client.GetPreSignedURLAsync(request), expires, headers);
    }

    public async Task<string> CreateMultipartUploadAsync(string key, string? contentType, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        var response = await _client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _bucket, Key = key, ContentType = contentType }, cancellationToken);
        return response.UploadId;
    }

    public async Task<PresignedUrl> PresignPartAsync(string key, string uploadId, int partNumber, long sizeBytes, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        if (partNumber is < 1 or > ObjectKeys.MaxPartNumber) throw new ArgumentOutOfRangeException(nameof(partNumber));
        var expires = DateTimeOffset.UtcNow.Add(lifetime);
        var request = NewPresign(key, HttpVerb.PUT, expires);
        request.UploadId = uploadId;
        request.PartNumber = partNumber;
        var headers = SignLength(request, sizeBytes);
        return new PresignedUrl(await _client.GetPreSignedURLAsync(request), expires, headers);
    }

    /// <summary>A signed Content-Length makes S3 refuse a body of any other length (SignatureDoesNotMatch).</summary>
    private static Dictionary<string, string> SignLength(GetPreSignedUrlRequest request, long sizeBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeBytes);
        var length = sizeBytes.ToString(CultureInfo.InvariantCulture);
        request.Headers["Content-Length"] = length;
        return new Dictionary<string, string> { ["Content-Length"] = length };
    }

    public async Task CompleteMultipartUploadAsync(string key, string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        try
        {
            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = parts.Select(p => new PartETag(p.PartNumber, p.ETag)).ToList(),
            }, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "InvalidPart" or "InvalidPartOrder" or "EntityTooSmall" or "NoSuchUpload")
        {
            throw new MultipartUploadException(e.ErrorCode, e.Message);
        }
    }

    public async Task AbortMultipartUploadAsync(string key, string uploadId, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        try
        {
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = uploadId }, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchUpload")
        {
            // Already completed or aborted: aborting is idempotent.
        }
    }

    public async Task<ObjectHead?> HeadAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        try
        {
            var response = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, cancellationToken);
            return new ObjectHead(response.ContentLength, response.ETag, response.Headers.ContentType);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task CopyAsync(string sourceKey, string destinationKey, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(sourceKey);
        ObjectKeys.Validate(destinationKey);
        var source = await HeadAsync(sourceKey, cancellationToken) ?? throw new ObjectNotFoundException(sourceKey);
        if (source.SizeBytes <= _singleCopyLimitBytes)
        {
            await _client.CopyObjectAsync(new CopyObjectRequest
            {
                SourceBucket = _bucket, SourceKey = sourceKey, DestinationBucket = _bucket, DestinationKey = destinationKey,
            }, cancellationToken);
            return;
        }

        // CopyObject stops at 5 GiB; larger objects are copied range by range as a multipart upload.
        var uploadId = await CreateMultipartUploadAsync(destinationKey, source.ContentType, cancellationToken);
        try
        {
            var parts = new List<CompletedPart>();
            for (long first = 0; first < source.SizeBytes; first += _copyPartSizeBytes)
            {
                var response = await _client.CopyPartAsync(new CopyPartRequest
                {
                    SourceBucket = _bucket, SourceKey = sourceKey, DestinationBucket = _bucket, DestinationKey = destinationKey,
                    UploadId = uploadId, PartNumber = parts.Count + 1,
                    FirstByte = first, LastByte = Math.Min(first + _copyPartSizeBytes, source.SizeBytes) - 1,
                }, cancellationToken);
                parts.Add(new CompletedPart(parts.Count + 1, response.ETag));
            }

            await CompleteMultipartUploadAsync(destinationKey, uploadId, parts, cancellationToken);
        }
        catch
        {
            await AbortMultipartUploadAsync(destinationKey, uploadId, CancellationToken.None);
            throw;
        }
    }

    public async Task<PresignedUrl> PresignGetAsync(string key, TimeSpan lifetime, string? downloadFileName = null, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        var expires = DateTimeOffset.UtcNow.Add(lifetime);
        var request = NewPresign(key, HttpVerb.GET, expires);
        if (downloadFileName is not null)
            request.ResponseHeaderOverrides.ContentDisposition = ContentDisposition.Attachment(downloadFileName);
        return new PresignedUrl(await _client.GetPreSignedURLAsync(request), expires, new Dictionary<string, string>());
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key }, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListKeysAsync(string prefix, int max, CancellationToken cancellationToken = default)
    {
        var response = await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = prefix, MaxKeys = max }, cancellationToken);
        return response.S3Objects?.Select(o => o.Key).ToArray() ?? [];
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        try
        {
            var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = key }, cancellationToken);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ObjectNotFoundException(key);
        }
    }

    public async Task WriteAsync(string key, Stream content, string? contentType, CancellationToken cancellationToken = default)
    {
        ObjectKeys.Validate(key);
        var buffer = new byte[WritePartSize];
        var filled = await FillAsync(content, buffer, cancellationToken);
        if (filled < buffer.Length)
        {
            await _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _bucket,
                Key = key,
                ContentType = contentType,
                InputStream = new MemoryStream(buffer, 0, filled, writable: false),
                UseChunkEncoding = false,
                AutoCloseStream = false,
            }, cancellationToken);
            return;
        }

        // Larger than one part: stream it as a multipart upload holding one part in memory at a time.
        var uploadId = await CreateMultipartUploadAsync(key, contentType, cancellationToken);
        try
        {
            var parts = new List<CompletedPart>();
            while (filled > 0)
            {
                var response = await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartNumber = parts.Count + 1,
                    InputStream = new MemoryStream(buffer, 0, filled, writable: false),
                    PartSize = filled,
                    UseChunkEncoding = false,
                }, cancellationToken);
                parts.Add(new CompletedPart(parts.Count + 1, response.ETag));
                filled = await FillAsync(content, buffer, cancellationToken);
            }

            await CompleteMultipartUploadAsync(key, uploadId, parts, cancellationToken);
        }
        catch
        {
            await AbortMultipartUploadAsync(key, uploadId, CancellationToken.None);
            throw;
        }
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, MaxKeys = 1 }, cancellationToken);
        return true;
    }

    public void Dispose() => _client.Dispose();

    private GetPreSignedUrlRequest NewPresign(string key, HttpVerb verb, DateTimeOffset expires) => new()
    {
        BucketName = _bucket,
        Key = key,
        Verb = verb,
        Expires = expires.UtcDateTime,
        Protocol = _protocol,
    };

    internal static async Task<int> FillAsync(Stream source, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await source.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0) break;
            filled += read;
        }

        return filled;
    }
}

internal static class ContentDisposition
{
    /// <summary>An attachment header; a name that is not plain ASCII also gets the RFC 5987 UTF-8 form.</summary>
    public static string Attachment(string fileName)
    {
        var ascii = new string(fileName.Select(c => c is >= ' ' and < (char)127 and not '"' and not '\\' ? c : '_').ToArray());
        return ascii == fileName
            ? $"attachment; filename=\"{ascii}\""
            : $"attachment; filename=\"{ascii}\"; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
    }
}
