using Ipto.Objects;

namespace Ipto.Grains.Uploads;

[GenerateSerializer, Alias("Ipto.UploadState")]
public sealed class UploadState
{
    [Id(0)] public string ObjectId { get; set; } = "";
    [Id(1)] public string TenantId { get; set; } = "";
    [Id(2)] public string DatasetId { get; set; } = "";
    [Id(3)] public string ContentType { get; set; } = "";
    [Id(4)] public long SizeBytes { get; set; }
    [Id(5)] public string BlobKey { get; set; } = "";
    [Id(6)] public bool IsMultipart { get; set; }
    [Id(7)] public string? MultipartUploadId { get; set; }
    [Id(8)] public long PartSize { get; set; }
    [Id(9)] public int PartCount { get; set; }
    [Id(10)] public DateTimeOffset ExpiresAt { get; set; }
    [Id(11)] public string Status { get; set; } = UploadStatuses.Pending;
    [Id(12)] public CompletedUpload? Completed { get; set; }
    [Id(13)] public string? FailureField { get; set; }
    [Id(14)] public string? FailureMessage { get; set; }
    [Id(15)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Where the client's presigned PUTs land (<see cref="ObjectStore.ObjectKeys.UploadStaging"/>).</summary>
    [Id(16)] public string StagingKey { get; set; } = "";

    /// <summary>The staged bytes were copied to the blob key; a crashed completion resumes from here.</summary>
    [Id(17)] public bool Promoted { get; set; }

    /// <summary>Lowercase hex SHA-256 the client declared, if any.</summary>
    [Id(18)] public string? DeclaredChecksumSha256 { get; set; }
}
