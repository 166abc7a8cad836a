using Ipto.Datasets;
using Ipto.Grains.Outbox;

namespace Ipto.Grains.Datasets;

[GenerateSerializer, Alias("Ipto.DatasetState")]
public sealed class DatasetState
{
    [Id(0)] public string TenantId { get; set; } = "";
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public string? Description { get; set; }
    [Id(3)] public string SourceModality { get; set; } = "document";
    [Id(4)] public string MonetizationMode { get; set; } = "open";
    [Id(5)] public string PricingModel { get; set; } = "fixed";
    [Id(6)] public DatasetPricing Pricing { get; set; } = DatasetPricing.Default;
    [Id(7)] public string Visibility { get; set; } = "private";
    [Id(8)] public string Status { get; set; } = DatasetStatuses.Draft;
    [Id(9)] public string? StatusBeforeSuspension { get; set; }
    [Id(10)] public List<string> Tags { get; set; } = [];
    [Id(11)] public DatasetCounters Counters { get; set; } = DatasetCounters.Zero;
    [Id(12)] public DateTimeOffset CreatedAt { get; set; }
    [Id(13)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(14)] public long Version { get; set; }
    [Id(15)] public Dictionary<string, DateTimeOffset> Grants { get; set; } = [];
    [Id(16)] public string? DeletionJobId { get; set; }

    /// <summary>What each object last counted for, and the sequence of that change (dedupes and orders redeliveries).</summary>
    [Id(18)] public Dictionary<string, AppliedObject> AppliedObjects { get; set; } = [];

    /// <summary>Search queries per UTC hour (last 24 h) for the demand curve; counted in memory, flushed by a timer.</summary>
    [Id(19)] public Dictionary<long, long> DemandByHour { get; set; } = [];

    /// <summary>The events recorded with this state that the outbox may not hold yet (see <see cref="OutboxEvent"/>).</summary>
    [Id(20)] public List<OutboxEvent> PendingEvents { get; set; } = [];

    /// <summary>The status the last <c>dataset.status_changed</c> event announced (the status at creation before any).</summary>
    [Id(21)] public string AnnouncedStatus { get; set; } = DatasetStatuses.Draft;
}

[GenerateSerializer, Alias("Ipto.AppliedObject")]
public sealed record AppliedObject([property: Id(0)] long Sequence, [property: Id(1)] ObjectFootprint Footprint);
