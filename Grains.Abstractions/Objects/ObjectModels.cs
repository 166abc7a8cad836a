namespace Ipto.Objects;

/// <summary>The events an object records in the outbox (SPEC §11).</summary>
public static class ObjectEventTypes
{
    public const string StatusChanged = "object.status_changed";
    public const string ReviewDecided = "object.review_decided";
}

public static class ObjectStatuses
{
    public const string PendingUpload = "pending_upload";
    public const string Processing = "processing";
    public const string Ready = "ready";
    public const string Indexing = "indexing";
    public const string Active = "active";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Rejected = "rejected";
    public const string Expired = "expired";
    public const string Deleted = "deleted";

    public static readonly IReadOnlyList<string> All = [PendingUpload, Processing, Ready, Indexing, Active, Failed, Cancelled, Rejected, Expired, Deleted];
}

/// <summary>
/// How far an active object is searchable: <c>lexical</c> as soon as its chunks are indexed, <c>complete</c> once its
/// embeddings followed (dense and hybrid search include it from then on). Null before the object is indexed.
/// </summary>
public static class IndexStages
{
    public const string Lexical = "lexical";
    public const string Complete = "complete";
}

public static class ReviewStates
{
    public const string Staged = "staged";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Expired = "expired";

    public static readonly IReadOnlyList<string> All = [Staged, Approved, Rejected, Expired];
}

public static class UploadStatuses
{
    public const string Pending = "pending";
    public const string Completed = "completed";
    public const string Aborted = "aborted";
    public const string Expired = "expired";
}

/// <summary>What normalization found: text size, pages, chunks, and for media the container or EXIF metadata.</summary>
[GenerateSerializer, Alias("Ipto.Extraction")]
public sealed record Extraction(
    [property: Id(0)] long TextChars,
    [property: Id(1)] int? Pages,
    [property: Id(2)] int Chunks,
    [property: Id(3)] string? Language,
    [property: Id(4)] string? Error,
    [property: Id(5)] IReadOnlyDictionary<string, string>? Metadata = null);

[GenerateSerializer, Alias("Ipto.ObjectSnapshot")]
public sealed record ObjectSnapshot(
    [property: Id(0)] string ObjectId,
    [property: Id(1)] string DatasetId,
    [property: Id(2)] string TenantId,
    [property: Id(3)] string Filename,
    [property: Id(4)] string ContentType,
    [property: Id(5)] long SizeBytes,
    [property: Id(6)] string? ChecksumSha256,
    [property: Id(7)] string Status,
    [property: Id(8)] string? ReviewState,
    [property: Id(9)] DateTimeOffset? ReviewExpiresAt,
    [property: Id(10)] DateTimeOffset? ReviewedAt,
    [property: Id(11)] string? ReviewReason,
    [property: Id(12)] Extraction? Extraction,
    [property: Id(13)] DateTimeOffset? IndexedAt,
    [property: Id(14)] DateTimeOffset CreatedAt,
    [property: Id(15)] DateTimeOffset UpdatedAt,
    [property: Id(16)] DateTimeOffset? DeletedAt,
    [property: Id(17)] string? IndexStage = null);

[GenerateSerializer, Alias("Ipto.NewUpload")]
public sealed record NewUpload(
    [property: Id(0)] string DatasetId,
    [property: Id(1)] string Filename,
    [property: Id(2)] string ContentType,
    [property: Id(3)] long SizeBytes,
    [property: Id(4)] string? ChecksumSha256);

[GenerateSerializer, Alias("Ipto.UploadPartUrl")]
public sealed record UploadPartUrl([property: Id(0)] int PartNumber, [property: Id(1)] string Url, [property: Id(2)] long Size);

[GenerateSerializer, Alias("Ipto.UploadView")]
public sealed record UploadView(
    [property: Id(0)] string UploadId,
    [property: Id(1)] string ObjectId,
    [property: Id(2)] string DatasetId,
    [property: Id(3)] string Strategy,
    [property: Id(4)] string? UploadUrl,
    [property: Id(5)] long? PartSize,
    [property: Id(6)] IReadOnlyList<UploadPartUrl>? Parts,
    [property: Id(7)] DateTimeOffset ExpiresAt,
    [property: Id(8)] string Status,
    [property: Id(9)] IReadOnlyDictionary<string, string> RequiredHeaders);

[GenerateSerializer, Alias("Ipto.CompletedUploadPart")]
public sealed record CompletedUploadPart([property: Id(0)] int PartNumber, [property: Id(1)] string ETag);

[GenerateSerializer, Alias("Ipto.CompletedUpload")]
public sealed record CompletedUpload(
    [property: Id(0)] string ObjectId,
    [property: Id(1)] string Status,
    [property: Id(2)] string ReviewState,
    [property: Id(3)] DateTimeOffset? ReviewExpiresAt,
    [property: Id(4)] string? JobId);
