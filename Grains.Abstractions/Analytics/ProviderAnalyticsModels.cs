namespace Ipto.Analytics;

/// <summary>Which activity to analyse: one of the provider's datasets (null: all) over [From, To) (null: the last 30 days).</summary>
[GenerateSerializer, Alias("Ipto.ProviderAnalyticsFilter")]
public sealed record ProviderAnalyticsFilter(
    [property: Id(0)] string? DatasetId = null,
    [property: Id(1)] DateTimeOffset? From = null,
    [property: Id(2)] DateTimeOffset? To = null);

[GenerateSerializer, Alias("Ipto.KeywordCount")]
public sealed record KeywordCount([property: Id(0)] string Keyword, [property: Id(1)] long Count);

/// <summary>The retrievals of the provider's results: how many, their mean rank and the share ranked 1–3 (4 decimals; 0 without any).</summary>
[GenerateSerializer, Alias("Ipto.RankingSummary")]
public sealed record RankingSummary([property: Id(0)] long Appearances, [property: Id(1)] decimal AverageRank, [property: Id(2)] decimal Top3Rate);

[GenerateSerializer, Alias("Ipto.UsageSummary")]
public sealed record UsageSummary(
    [property: Id(0)] long Searches,
    [property: Id(1)] long Retrievals,
    [property: Id(2)] long Citations,
    [property: Id(3)] long Downloads,
    [property: Id(4)] long Outcomes,
    [property: Id(5)] long UniqueBuyers);

/// <summary>A dataset's gross, the platform fee on it (round half to even) and the provider's earnings, in micro-USD.</summary>
[GenerateSerializer, Alias("Ipto.DatasetRevenue")]
public sealed record DatasetRevenue(
    [property: Id(0)] string DatasetId,
    [property: Id(1)] string DatasetName,
    [property: Id(2)] long GrossMicros,
    [property: Id(3)] long PlatformFeeMicros,
    [property: Id(4)] long EarningsMicros);

/// <summary>Totals are the sums of the per-dataset figures.</summary>
[GenerateSerializer, Alias("Ipto.RevenueSummary")]
public sealed record RevenueSummary(
    [property: Id(0)] long GrossMicros,
    [property: Id(1)] long PlatformFeeMicros,
    [property: Id(2)] long EarningsMicros,
    [property: Id(3)] IReadOnlyList<DatasetRevenue> ByDataset);

/// <summary>One UTC day with activity (<c>YYYY-MM-DD</c>).</summary>
[GenerateSerializer, Alias("Ipto.DailyActivity")]
public sealed record DailyActivity([property: Id(0)] string Date, [property: Id(1)] long Searches, [property: Id(2)] long Retrievals, [property: Id(3)] long GrossMicros);

/// <summary>Other tenants' activity on a provider's datasets over [From, To) (SPEC §9, §13 "Provider analytics").</summary>
[GenerateSerializer, Alias("Ipto.ProviderAnalytics")]
public sealed record ProviderAnalytics(
    [property: Id(0)] DateTimeOffset From,
    [property: Id(1)] DateTimeOffset To,
    [property: Id(2)] IReadOnlyList<KeywordCount> TopKeywords,
    [property: Id(3)] RankingSummary Ranking,
    [property: Id(4)] UsageSummary Usage,
    [property: Id(5)] RevenueSummary Revenue,
    [property: Id(6)] IReadOnlyList<DailyActivity> Daily);

/// <summary>A provider tenant's catalogue at a glance: its datasets (not deleted) and their objects' counters.</summary>
[GenerateSerializer, Alias("Ipto.ProviderDashboard")]
public sealed record ProviderDashboard(
    [property: Id(0)] long TotalDatasets,
    [property: Id(1)] long TotalObjects,
    [property: Id(2)] long TotalStorageBytes,
    [property: Id(3)] long ObjectsPendingReview,
    [property: Id(4)] long ObjectsApproved,
    [property: Id(5)] long ObjectsRejected);

/// <summary>One of the provider's datasets: its objects, and its analytics for the range.</summary>
[GenerateSerializer, Alias("Ipto.DatasetAnalytics")]
public sealed record DatasetAnalytics(
    [property: Id(0)] string DatasetId,
    [property: Id(1)] string DatasetName,
    [property: Id(2)] long ObjectCount,
    [property: Id(3)] long ActiveObjectCount,
    [property: Id(4)] long StorageBytes,
    [property: Id(5)] ProviderAnalytics Analytics);
