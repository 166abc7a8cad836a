using Ipto.Datasets;
using Ipto.Grains.Outbox;
using Ipto.Objects;

namespace Ipto.Grains.Objects;

[GenerateSerializer, Alias("Ipto.ObjectState")]
public sealed class ObjectState
{
    [Id(0)] public string TenantId { get; set; } = "";
    [Id(1)] public string DatasetId { get; set; } = "";
    [Id(2)] public string UploadId { get; set; } = "";
    [Id(3)] public string Filename { get; set; } = "";
    [Id(4)] public string ContentType { get; set; } = "";
    [Id(5)] public long SizeBytes { get; set; }
    [Id(6)] public string? DeclaredChecksumSha256 { get; set; }
    [Id(7)] public string? ChecksumSha256 { get; set; }
    [Id(8)] public string BlobKey { get; set; } = "";
    [Id(9)] public string Status { get; set; } = ObjectStatuses.PendingUpload;
    [Id(10)] public string? ReviewState { get; set; }
    [Id(11)] public DateTimeOffset? ReviewExpiresAt { get; set; }
    [Id(12)] public DateTimeOffset? ReviewedAt { get; set; }
    [Id(13)] public string? ReviewReason { get; set; }
    [Id(14)] public Extraction? Extraction { get; set; }
    [Id(15)] public DateTimeOffset? IndexedAt { get; set; }
    [Id(16)] public DateTimeOffset CreatedAt { get; set; }
    [Id(17)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(18)] public DateTimeOffset? DeletedAt { get; set; }
    [Id(19)] public long Version { get; set; }
    [Id(20)] public string? NormalizationJobId { get; set; }

    /// <summary>What the dataset's counters last received for this object, and with which sequence.</summary>
    [Id(21)] public ObjectFootprint? DeliveredFootprint { get; set; }
    [Id(22)] public long DeliveredSequence { get; set; }
    [Id(23)] public string? IngestionJobId { get; set; }
    [Id(24)] public string? PurgeJobId { get; set; }

    /// <summary>The events recorded with this state that the outbox may not hold yet (see <see cref="OutboxEvent"/>).</summary>
    [Id(25)] public List<OutboxEvent> PendingEvents { get; set; } = [];

    /// <summary><see cref="IndexStages"/>; null for objects activated before stages existed (they were indexed complete).</summary>
    [Id(27)] public string? IndexStage { get; set; }

    /// <summary>The status the last <c>object.status_changed</c> event announced (the status at creation before any).</summary>
    [Id(26)] public string AnnouncedStatus { get; set; } = ObjectStatuses.PendingUpload;

    public ObjectFootprint Footprint => new(Status, ReviewState, SizeBytes);
}
