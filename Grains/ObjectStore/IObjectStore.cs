namespace Ipto.Grains.ObjectStore;

/// <summary>
/// A presigned URL and the headers a client must send with it. The URL is kept as the exact string that was signed,
/// every query value percent-encoded (a <see cref="Uri"/>'s ToString would unescape it into an invalid URL).
/// </summary>
public sealed record PresignedUrl(string Url, DateTimeOffset ExpiresAt, IReadOnlyDictionary<string, string> RequiredHeaders);

public sealed record CompletedPart(int PartNumber, string ETag);

public sealed record ObjectHead(long SizeBytes, string? ETag, string? ContentType);

/// <summary>
/// Blob storage with S3 semantics, behind every feature: the local disk store (embedded mode; the Api serves its
/// presigned URLs) and any S3-compatible service. Bytes from clients go direct to presigned URLs, never through the API.
/// </summary>
public interface IObjectStore
{
    string Name { get; }

    /// <summary>A single PUT of exactly <paramref name="sizeBytes"/> bytes (the length is signed: the store refuses any other).</summary>
    Task<PresignedUrl> PresignPutAsync(string key, string? contentType, long sizeBytes, TimeSpan lifetime, CancellationToken cancellationToken = default);

    /// <summary>Starts a multipart upload and returns its upload id.</summary>
    Task<string> CreateMultipartUploadAsync(string key, string? contentType, CancellationToken cancellationToken = default);

    /// <summary>One part of exactly <paramref name="sizeBytes"/> bytes (signed like a single PUT's length).</summary>
    Task<PresignedUrl> PresignPartAsync(string key, string uploadId, int partNumber, long sizeBytes, TimeSpan lifetime, CancellationToken cancellationToken = default);

    /// <summary>Assembles the parts (ascending part numbers, each part's ETag as returned by its PUT).</summary>
    Task CompleteMultipartUploadAsync(string key, string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken cancellationToken = default);

    Task AbortMultipartUploadAsync(string key, string uploadId, CancellationToken cancellationToken = default);

    /// <summary>Size and ETag of a stored object, or null when it does not exist.</summary>
    Task<ObjectHead?> HeadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Server-side copy (content type kept); the destination is replaced atomically. Throws
    /// <see cref="ObjectNotFoundException"/> when the source does not exist.
    /// </summary>
    Task CopyAsync(string sourceKey, string destinationKey, CancellationToken cancellationToken = default);

    Task<PresignedUrl> PresignGetAsync(string key, TimeSpan lifetime, string? downloadFileName = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes the object; deleting a missing key is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> keys that start with <paramref name="prefix"/> (for purges in batches).</summary>
    Task<IReadOnlyList<string>> ListKeysAsync(string prefix, int max, CancellationToken cancellationToken = default);

    /// <summary>Streams a stored object; throws <see cref="ObjectNotFoundException"/> when it does not exist.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Writes a derived file from a stream of unknown length with bounded memory.</summary>
    Task WriteAsync(string key, Stream content, string? contentType, CancellationToken cancellationToken = default);

    /// <summary>True when the store answers (readiness).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken = default);
}

public sealed class ObjectNotFoundException(string key) : Exception($"Object '{key}' does not exist.")
{
    public string Key { get; } = key;
}

/// <summary>A multipart completion the store refused: unknown upload, wrong ETag, bad order or a too-small part.</summary>
public sealed class MultipartUploadException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}

public static class ObjectKeys
{
    /// <summary>Keys are relative paths of safe segments; anything else is a programming error, refused early.</summary>
    public static void Validate(string key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 900 || key.StartsWith('/') || key.EndsWith('/'))
            throw new ArgumentException($"Invalid object key '{key}'.", nameof(key));
        foreach (var segment in key.Split('/'))
        {
            if (segment is "" or "." or "..")
                throw new ArgumentException($"Invalid object key '{key}'.", nameof(key));
            foreach (var c in segment)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                    throw new ArgumentException($"Invalid object key '{key}'.", nameof(key));
            }
        }
    }

    /// <summary>Every blob and derived file of a dataset lives under this prefix, so a purge can find them all.</summary>
    public static string DatasetPrefix(string datasetId) => $"datasets/{datasetId}/";

    /// <summary>Everything of one object: its uploaded bytes and the derived files beside them.</summary>
    public static string ObjectPrefix(string datasetId, string objectId) => $"{DatasetPrefix(datasetId)}objects/{objectId}/";

    public static string ObjectBlob(string datasetId, string objectId) => ObjectPrefix(datasetId, objectId) + "original";

    public static string ObjectChunks(string datasetId, string objectId) => ObjectPrefix(datasetId, objectId) + "chunks.jsonl";

    /// <summary>The embeddings of the chunks, in chunk order (see the search feature's VectorFile).</summary>
    /// <summary>
    /// Where a client's presigned PUTs (single or parts) land. Only <c>complete</c> moves the bytes on to the object's
    /// blob key, which no presigned URL ever names, so a URL replayed after completion, abort or approval cannot
    /// change what was reviewed or is served. Under the dataset's prefix, so a dataset purge also removes what a
    /// replay wrote after the upload ended.
    /// </summary>
    public static string UploadStaging(string datasetId, string uploadId) => $"{DatasetPrefix(datasetId)}uploads/{uploadId}/staged";

    public static string ObjectVectors(string datasetId, string objectId) => ObjectPrefix(datasetId, objectId) + "vectors.f32";

    public const int MinimumPartSize = 5 * 1024 * 1024;
    public const int MaxPartNumber = 10_000;
}
