namespace Ipto.Datasets;

public static class DatasetStatuses
{
    public const string Draft = "draft";
    public const string Ingesting = "ingesting";
    public const string Active = "active";
    public const string Paused = "paused";
    public const string Suspended = "suspended";
    public const string PendingDeletion = "pending_deletion";
    public const string Deleted = "deleted";

    public static readonly IReadOnlyList<string> All = [Draft, Ingesting, Active, Paused, Suspended, PendingDeletion, Deleted];

    public static bool IsLive(string status) => status is not (PendingDeletion or Deleted);
}

public static class DatasetVocabulary
{
    public static readonly IReadOnlyList<string> Modalities = ["document", "image", "video", "audio", "mixed"];
    public static readonly IReadOnlyList<string> MonetizationModes = ["open", "premium", "outcome_share"];
    public static readonly IReadOnlyList<string> PricingModels = ["fixed", "time_decay", "demand_curve"];
    public static readonly IReadOnlyList<string> Visibilities = ["private", "listed", "restricted"];
}

/// <summary>Pricing of SPEC §4; money in integer micro-USD, ratios as decimals.</summary>
[GenerateSerializer, Alias("Ipto.DatasetPricing")]
public sealed record DatasetPricing(
    [property: Id(0)] long PricePerRetrievalMicros,
    [property: Id(1)] long PricePerDownloadMicros,
    [property: Id(2)] long PricePerCitationMicros,
    [property: Id(3)] decimal OutcomeSharePct,
    [property: Id(4)] decimal HalfLifeDays,
    [property: Id(5)] decimal FloorRatio,
    [property: Id(6)] decimal ReferenceDailyQueries,
    [property: Id(7)] decimal Elasticity,
    [property: Id(8)] decimal MinMultiplier,
    [property: Id(9)] decimal MaxMultiplier)
{
    public static readonly DatasetPricing Default = new(30_000, 100_000, 10_000, 10m, 30m, 0.2m, 1000m, 0.5m, 0.5m, 3.0m);
}

/// <summary>A partial pricing update: each non-null field replaces the current one (PATCH merges field by field).</summary>
[GenerateSerializer, Alias("Ipto.DatasetPricingPatch")]
public sealed record DatasetPricingPatch(
    [property: Id(0)] long? PricePerRetrievalMicros,
    [property: Id(1)] long? PricePerDownloadMicros,
    [property: Id(2)] long? PricePerCitationMicros,
    [property: Id(3)] decimal? OutcomeSharePct,
    [property: Id(4)] decimal? HalfLifeDays,
    [property: Id(5)] decimal? FloorRatio,
    [property: Id(6)] decimal? ReferenceDailyQueries,
    [property: Id(7)] decimal? Elasticity,
    [property: Id(8)] decimal? MinMultiplier,
    [property: Id(9)] decimal? MaxMultiplier)
{
    public DatasetPricing ApplyTo(DatasetPricing current) => new(
        PricePerRetrievalMicros ?? current.PricePerRetrievalMicros,
        PricePerDownloadMicros ?? current.PricePerDownloadMicros,
        PricePerCitationMicros ?? current.PricePerCitationMicros,
        OutcomeSharePct ?? current.OutcomeSharePct,
        HalfLifeDays ?? current.HalfLifeDays,
        FloorRatio ?? current.FloorRatio,
        ReferenceDailyQueries ?? current.ReferenceDailyQueries,
        Elasticity ?? current.Elasticity,
        MinMultiplier ?? current.MinMultiplier,
        MaxMultiplier ?? current.MaxMultiplier);
}

[GenerateSerializer, Alias("Ipto.DatasetCounters")]
public sealed record DatasetCounters(
    [property: Id(0)] long ObjectCount,
    [property: Id(1)] long StagedCount,
    [property: Id(2)] long ApprovedCount,
    [property: Id(3)] long RejectedCount,
    [property: Id(4)] long ActiveObjectCount,
    [property: Id(5)] long StorageBytes)
{
    public static readonly DatasetCounters Zero = new(0, 0, 0, 0, 0, 0);
}

[GenerateSerializer, Alias("Ipto.NewDataset")]
public sealed record NewDataset(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Description,
    [property: Id(2)] string SourceModality,
    [property: Id(3)] string MonetizationMode,
    [property: Id(4)] string PricingModel,
    [property: Id(5)] DatasetPricingPatch? Pricing,
    [property: Id(6)] string Visibility,
    [property: Id(7)] IReadOnlyList<string> Tags);

[GenerateSerializer, Alias("Ipto.DatasetPatch")]
public sealed record DatasetPatch(
    [property: Id(0)] string? Name,
    [property: Id(1)] string? Description,
    [property: Id(2)] IReadOnlyList<string>? Tags,
    [property: Id(3)] string? MonetizationMode,
    [property: Id(4)] string? PricingModel,
    [property: Id(5)] DatasetPricingPatch? Pricing,
    [property: Id(6)] string? Visibility,
    [property: Id(7)] string? Status);

[GenerateSerializer, Alias("Ipto.DatasetSnapshot")]
public sealed record DatasetSnapshot(
    [property: Id(0)] string DatasetId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] string Name,
    [property: Id(3)] string? Description,
    [property: Id(4)] string SourceModality,
    [property: Id(5)] string MonetizationMode,
    [property: Id(6)] string PricingModel,
    [property: Id(7)] DatasetPricing Pricing,
    [property: Id(8)] string Visibility,
    [property: Id(9)] string Status,
    [property: Id(10)] IReadOnlyList<string> Tags,
    [property: Id(11)] DatasetCounters Counters,
    [property: Id(12)] DateTimeOffset CreatedAt,
    [property: Id(13)] DateTimeOffset UpdatedAt);

[GenerateSerializer, Alias("Ipto.DatasetGrant")]
public sealed record DatasetGrant(
    [property: Id(0)] string DatasetId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] DateTimeOffset GrantedAt,
    [property: Id(3)] string Status);

public static class GrantStatuses
{
    public const string Active = "active";
    public const string Revoked = "revoked";
}

/// <summary>What the catalog shows of a dataset: public fields only (no tenant id, grants or private counters).</summary>
[GenerateSerializer, Alias("Ipto.CatalogEntry")]
public sealed record CatalogEntry(
    [property: Id(0)] string DatasetId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Description,
    [property: Id(3)] string ProviderDisplayName,
    [property: Id(4)] IReadOnlyList<string> Tags,
    [property: Id(5)] string SourceModality,
    [property: Id(6)] string MonetizationMode,
    [property: Id(7)] string PricingModel,
    [property: Id(8)] DatasetPricing Pricing,
    [property: Id(9)] string Visibility,
    [property: Id(10)] long ActiveObjectCount,
    [property: Id(11)] bool HasAccess);

/// <summary>What an object counts for in its dataset's counters, at one moment.</summary>
[GenerateSerializer, Alias("Ipto.ObjectFootprint")]
public sealed record ObjectFootprint(
    [property: Id(0)] string Status,
    [property: Id(1)] string? ReviewState,
    [property: Id(2)] long SizeBytes);

/// <summary>
/// One change of an object, sent by the object grain to its dataset: <see cref="Sequence"/> grows with every delivery
/// for that object, so a redelivered or stale change is recognised. The dataset counts the difference between
/// <see cref="After"/> and what it last recorded for the object (<see cref="Before"/> only for an object it has not seen).
/// </summary>
[GenerateSerializer, Alias("Ipto.ObjectChange")]
public sealed record ObjectChange(
    [property: Id(0)] string ObjectId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] ObjectFootprint? Before,
    [property: Id(3)] ObjectFootprint After);

/// <summary>What a search needs of a dataset it may use: identity, owner, modality and the current price inputs.</summary>
[GenerateSerializer, Alias("Ipto.DatasetSearchProfile")]
public sealed record DatasetSearchProfile(
    [property: Id(0)] string DatasetId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] string Name,
    [property: Id(3)] string SourceModality,
    [property: Id(4)] string PricingModel,
    [property: Id(5)] DatasetPricing Pricing,
    [property: Id(6)] long QueriesLast24h);

/// <summary>A dataset's billing terms for one buyer (<see cref="IDatasetGrain.GetTerms"/>).</summary>
[GenerateSerializer, Alias("Ipto.DatasetTerms")]
public sealed record DatasetTerms(
    [property: Id(0)] string DatasetId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] string Name,
    [property: Id(3)] string MonetizationMode,
    [property: Id(4)] DatasetPricing Pricing,
    [property: Id(5)] bool UsableByBuyer);
