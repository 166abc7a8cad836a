using Ipto.Analytics;
using Ipto.Api.Http;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.OpenApi;
using Ipto.Common;
using Ipto.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

public sealed record RankingSummaryResponse(long Appearances, decimal AverageRank, decimal Top3Rate);

public sealed record UsageSummaryResponse(long Searches, long Retrievals, long Citations, long Downloads, long Outcomes, long UniqueBuyers);

public sealed record DatasetRevenueResponse(string DatasetId, string DatasetName, decimal Gross, decimal PlatformFee, decimal Earnings);

public sealed record RevenueSummaryResponse(decimal Gross, decimal PlatformFee, decimal Earnings, string Currency, IReadOnlyList<DatasetRevenueResponse> ByDataset);

public sealed record DailyActivityResponse(string Date, long Searches, long Retrievals, decimal Gross);

/// <summary>SPEC §9/§13's provider analytics, plus the range it covers (the default range made explicit).</summary>
public sealed record ProviderAnalyticsResponse(
    string? DatasetId, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<KeywordCount> TopKeywords, RankingSummaryResponse RankingSummary,
    UsageSummaryResponse UsageSummary, RevenueSummaryResponse RevenueSummary, IReadOnlyList<DailyActivityResponse> Daily)
{
    public static ProviderAnalyticsResponse Of(string? datasetId, ProviderAnalytics a) => new(datasetId, a.From, a.To, a.TopKeywords,
        new RankingSummaryResponse(a.Ranking.Appearances, a.Ranking.AverageRank, a.Ranking.Top3Rate),
        new UsageSummaryResponse(a.Usage.Searches, a.Usage.Retrievals, a.Usage.Citations, a.Usage.Downloads, a.Usage.Outcomes, a.Usage.UniqueBuyers),
        new RevenueSummaryResponse(Money.FromMicros(a.Revenue.GrossMicros), Money.FromMicros(a.Revenue.PlatformFeeMicros), Money.FromMicros(a.Revenue.EarningsMicros),
            Money.Currency, a.Revenue.ByDataset.Select(d => new DatasetRevenueResponse(d.DatasetId, d.DatasetName, Money.FromMicros(d.GrossMicros),
                Money.FromMicros(d.PlatformFeeMicros), Money.FromMicros(d.EarningsMicros))).ToArray()),
        a.Daily.Select(d => new DailyActivityResponse(d.Date, d.Searches, d.Retrievals, Money.FromMicros(d.GrossMicros))).ToArray());
}

public sealed record ProviderDashboardResponse(
    long TotalDatasets, long TotalObjects, long TotalStorageBytes, long ObjectsPendingReview, long ObjectsApproved, long ObjectsRejected);

/// <summary>A dataset's objects and, for the range, its analytics (the fields of the provider analytics).</summary>
public sealed record DatasetAnalyticsResponse(
    string DatasetId, string DatasetName, long ObjectCount, long ActiveObjectCount, long StorageBytes, DateTimeOffset From, DateTimeOffset To,
    IReadOnlyList<KeywordCount> TopKeywords, RankingSummaryResponse RankingSummary, UsageSummaryResponse UsageSummary, RevenueSummaryResponse RevenueSummary,
    IReadOnlyList<DailyActivityResponse> Daily)
{
    public static DatasetAnalyticsResponse Of(DatasetAnalytics d)
    {
        var a = ProviderAnalyticsResponse.Of(d.DatasetId, d.Analytics);
        return new(d.DatasetId, d.DatasetName, d.ObjectCount, d.ActiveObjectCount, d.StorageBytes, a.From, a.To, a.TopKeywords, a.RankingSummary, a.UsageSummary,
            a.RevenueSummary, a.Daily);
    }
}

/// <summary>Provider analytics and dashboards (SPEC §9, §13): other tenants' activity on the provider's datasets, from the ledger.</summary>
public static class AnalyticsEndpoints
{
    private const string Range = "Over `[from, to)` (ISO 8601 with a zone; default the 30 days before now). ";

    private const string Figures = "`top_keywords`: the 20 words most often in the queries of searches that returned the provider's results "
        + "(lowercase letters and digits; operators, field names and one-letter words dropped; once per search), by count then alphabetically. "
        + "`ranking_summary`: retrievals of its results, their mean rank and the share ranked 1–3 (4 decimals). `usage_summary`: searches with an "
        + "appearance, events per type, distinct buyer tenants. `revenue_summary`: per dataset gross, platform fee (round half to even) and earnings "
        + "(gross − fee), totals the sums of those. `daily`: each UTC day with activity. Only other tenants' activity counts; an event is in within about a second.";

    public static RouteGroupBuilder MapAnalyticsEndpoints(this RouteGroupBuilder v1)
    {
        var provider = v1.MapGroup("/provider").WithTags("Analytics");
        provider.MapGet("/analytics", AnalyticsAsync).RequireScope(Scopes.UsageRead).WithName("GetProviderAnalytics").WithErrorStatus(StatusCodes.Status404NotFound)
            .QueryText("dataset_id", "Only this dataset of the tenant's (another tenant's → 404).")
            .QueryDateTime("from", "Start of the range, inclusive (ISO 8601 with a zone; default 30 days before `to`).")
            .QueryDateTime("to", "End of the range, exclusive (ISO 8601 with a zone; default now).")
            .WithSummary("Get provider analytics")
            .WithDescription(Range + Figures);
        provider.MapGet("/dashboard", DashboardAsync).RequireScope(Scopes.UsageRead).WithName("GetProviderDashboard")
            .WithSummary("Get the provider dashboard")
            .WithDescription("The tenant's datasets (not deleted), their objects and storage, and the objects staged for review, approved and rejected.");
        provider.MapGet("/datasets/{dataset_id}/analytics", DatasetAnalyticsAsync).RequireScope(Scopes.UsageRead).WithName("GetDatasetAnalytics")
            .QueryDateTime("from", "Start of the range, inclusive (ISO 8601 with a zone; default 30 days before `to`).")
            .QueryDateTime("to", "End of the range, exclusive (ISO 8601 with a zone; default now).")
            .WithSummary("Get a dataset's analytics")
            .WithDescription("One of the tenant's datasets: its object counts and storage, and its analytics. " + Range + Figures);
        return v1;
    }

    private static async Task<EnvelopeResult<ProviderAnalyticsResponse>> AnalyticsAsync(
        HttpContext http, IGrainFactory grains, [FromQuery(Name = "dataset_id")] string? datasetId, [FromQuery] string? from, [FromQuery] string? to)
    {
        var filter = new ProviderAnalyticsFilter(datasetId, QueryTimestamps.Parse("from", from), QueryTimestamps.Parse("to", to));
        return ApiResults.Ok(ProviderAnalyticsResponse.Of(datasetId, await grains.GetGrain<IProviderAnalyticsGrain>(0).Analytics(http.Require(), filter)));
    }

    private static async Task<EnvelopeResult<ProviderDashboardResponse>> DashboardAsync(HttpContext http, IGrainFactory grains)
    {
        var d = await grains.GetGrain<IProviderAnalyticsGrain>(0).Dashboard(http.Require());
        return ApiResults.Ok(new ProviderDashboardResponse(d.TotalDatasets, d.TotalObjects, d.TotalStorageBytes, d.ObjectsPendingReview, d.ObjectsApproved,
            d.ObjectsRejected));
    }

    private static async Task<EnvelopeResult<DatasetAnalyticsResponse>> DatasetAnalyticsAsync(
        HttpContext http, IGrainFactory grains, [FromRoute(Name = "dataset_id")] string datasetId, [FromQuery] string? from, [FromQuery] string? to)
    {
        var filter = new ProviderAnalyticsFilter(datasetId, QueryTimestamps.Parse("from", from), QueryTimestamps.Parse("to", to));
        return ApiResults.Ok(DatasetAnalyticsResponse.Of(await grains.GetGrain<IProviderAnalyticsGrain>(0).DatasetAnalytics(http.Require(), datasetId, filter)));
    }
}
