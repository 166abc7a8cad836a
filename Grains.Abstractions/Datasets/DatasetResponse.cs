using Ipto.Common;

namespace Ipto.Datasets;

/// <summary>The events a dataset records in the outbox (SPEC §11).</summary>
public static class DatasetEventTypes
{
    public const string StatusChanged = "dataset.status_changed";
}

public sealed record PricingResponse(
    decimal PricePerRetrieval, decimal PricePerDownload, decimal PricePerCitation, decimal OutcomeSharePct, decimal HalfLifeDays,
    decimal FloorRatio, decimal ReferenceDailyQueries, decimal Elasticity, decimal MinMultiplier, decimal MaxMultiplier, string Currency)
{
    public static PricingResponse From(DatasetPricing p) => new(
        Money.FromMicros(p.PricePerRetrievalMicros), Money.FromMicros(p.PricePerDownloadMicros), Money.FromMicros(p.PricePerCitationMicros),
        p.OutcomeSharePct, p.HalfLifeDays, p.FloorRatio, p.ReferenceDailyQueries, p.Elasticity, p.MinMultiplier, p.MaxMultiplier, Money.Currency);
}

public sealed record CountersResponse(long ObjectCount, long StagedCount, long ApprovedCount, long RejectedCount, long ActiveObjectCount, long StorageBytes);

/// <summary>A dataset as <c>GET /v1/datasets/{id}</c> shows it (and as its webhook events carry it).</summary>
public sealed record DatasetResponse(
    string DatasetId, string TenantId, string Name, string? Description, string SourceModality, string MonetizationMode, string PricingModel,
    PricingResponse Pricing, string Visibility, string Status, IReadOnlyList<string> Tags, CountersResponse Counters,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static DatasetResponse From(DatasetSnapshot d) => new(d.DatasetId, d.TenantId, d.Name, d.Description, d.SourceModality,
        d.MonetizationMode, d.PricingModel, PricingResponse.From(d.Pricing), d.Visibility, d.Status, d.Tags,
        new CountersResponse(d.Counters.ObjectCount, d.Counters.StagedCount, d.Counters.ApprovedCount, d.Counters.RejectedCount,
            d.Counters.ActiveObjectCount, d.Counters.StorageBytes), d.CreatedAt, d.UpdatedAt);
}
