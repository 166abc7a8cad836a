using System.Globalization;
using Ipto.Api.Http;
using Ipto.Api.Http.OpenApi;
using Ipto.Api.Http.Auth;
using Ipto.Common;
using Ipto.Metering;
using Ipto.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

public sealed record SearchActivityResponse(
    string SearchActivityId, string QueryText, string? ApiKeyId, IReadOnlyList<string> DatasetIds, int ResultCount, decimal ChargedAmount,
    string Currency, DateTimeOffset OccurredAt)
{
    public static SearchActivityResponse From(SearchActivity r) =>
        new(r.SearchActivityId, r.QueryText, r.ApiKeyId, r.DatasetIds, r.ResultCount, Money.FromMicros(r.ChargedMicros), Money.Currency, r.OccurredAt);
}

/// <summary>The searches list keeps the public docs' name <c>searches</c> instead of <c>items</c> (SPEC §12).</summary>
public sealed record SearchActivityPage(IReadOnlyList<SearchActivityResponse> Searches, string? NextCursor, bool HasMore, long Total);

public sealed record AccessActivityResponse(
    string AccessId, string Type, string DatasetId, string DatasetName, string? ObjectId, string? ApiKeyId, string? SearchActivityId,
    string? RetrievalEventId, string? OutcomeId, int? Rank, int? ChunkIndex, decimal ChargedAmount, string Currency, DateTimeOffset OccurredAt)
{
    public static AccessActivityResponse From(AccessActivity a) =>
        new(a.AccessId, a.Type, a.DatasetId, a.DatasetName, a.ObjectId, a.ApiKeyId, a.SearchActivityId, a.RetrievalEventId, a.OutcomeId, a.Rank,
            a.ChunkIndex, Money.FromMicros(a.ChargedMicros), Money.Currency, a.OccurredAt);
}

public sealed record SpendEventsResponse(long Retrieval, long Citation, long Download, long Outcome);

public sealed record SpendGroupResponse(string Key, string Label, decimal Amount, SpendEventsResponse Events);

/// <summary>SPEC §8/§13's spend, plus the grouping and the range it covers (the default range made explicit).</summary>
public sealed record SpendResponse(string Currency, decimal Total, string GroupBy, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<SpendGroupResponse> Groups)
{
    public static SpendResponse Of(SpendReport r) => new(Money.Currency, Money.FromMicros(r.TotalMicros), r.GroupBy, r.From, r.To,
        r.Groups.Select(g => new SpendGroupResponse(g.Key, g.Label, Money.FromMicros(g.AmountMicros),
            new SpendEventsResponse(g.Events.Retrieval, g.Events.Citation, g.Events.Download, g.Events.Outcome))).ToArray());
}

/// <summary>Buyer activity and spend (SPEC §8, §13): the tenant's searches, billable events and spend from the ledger.</summary>
public static class ActivityEndpoints
{
    public static RouteGroupBuilder MapActivityEndpoints(this RouteGroupBuilder v1)
    {
        var activity = v1.MapGroup("/agent/activity").WithTags("Activity");
        activity.MapGet("/searches", SearchesAsync).RequireScope(Scopes.UsageRead).WithName("ListSearchActivities")
            .QueryText("api_key_id", "Only searches made with this API key.")
            .QueryDateTime("from", "Only searches at or after this time (ISO 8601 with a zone).")
            .QueryDateTime("to", "Only searches before this time (ISO 8601 with a zone).")
            .WithSummary("List searches")
            .WithDescription("The tenant's searches from the ledger, newest first, with results and charges; keyset pages under `searches` with `total`.");
        activity.MapGet("/accesses", AccessesAsync).RequireScope(Scopes.UsageRead).WithName("ListAccessActivities")
            .QueryText("api_key_id", "Only events of this API key.")
            .QueryText("dataset_id", "Only events on this dataset.")
            .QueryOneOf("type", AccessTypes.All, "Only events of this type.")
            .QueryDateTime("from", "Only events at or after this time (ISO 8601 with a zone).")
            .QueryDateTime("to", "Only events before this time (ISO 8601 with a zone).")
            .WithSummary("List billable events")
            .WithDescription("The tenant's billable events as a buyer (retrievals, citations, downloads, outcome shares), newest first, with "
                + "their dataset's name and charge; fields that do not apply to an event's type are null. Filters combine with AND; keyset pages with `total`.");
        v1.MapGroup("/agent").WithTags("Activity")
            .MapGet("/spend", SpendAsync).RequireScope(Scopes.BillingRead, Scopes.UsageRead).WithName("GetSpend")
            .QueryOneOf("group_by", SpendGroupings.All, $"How to group the spend (default `{SpendGroupings.Day}`).")
            .QueryDateTime("from", "Start of the range, inclusive (ISO 8601 with a zone; default 30 days before `to`).")
            .QueryDateTime("to", "End of the range, exclusive (ISO 8601 with a zone; default now).")
            .WithSummary("Get spend")
            .WithDescription("The tenant's spend as a buyer over `[from, to)`, grouped by UTC day (`YYYY-MM-DD`, ascending), dataset "
                + "(its name as label) or API key (its name as label; `session`/`Session` for session use), the latter two by amount "
                + "descending, then key. Each group counts its events per type; `total` is the sum of the groups and of the billable "
                + "events' charges in the range, to the micro-dollar.");
        return v1;
    }

    private static async Task<EnvelopeResult<SearchActivityPage>> SearchesAsync(
        HttpContext http, IGrainFactory grains, [FromQuery] string? limit, [FromQuery] string? cursor,
        [FromQuery(Name = "api_key_id")] string? apiKeyId, [FromQuery] string? from, [FromQuery] string? to)
    {
        var filter = new SearchActivityFilter(apiKeyId, Timestamp("from", from), Timestamp("to", to));
        var page = (await grains.GetGrain<IActivityGrain>(0).Searches(http.Require(), filter, PageRequest.Parse(limit, cursor))).Map(SearchActivityResponse.From);
        return ApiResults.Ok(new SearchActivityPage(page.Items, page.NextCursor, page.HasMore, page.Total ?? 0));
    }

    private static async Task<EnvelopeResult<Page<AccessActivityResponse>>> AccessesAsync(
        HttpContext http, IGrainFactory grains, [FromQuery] string? limit, [FromQuery] string? cursor,
        [FromQuery(Name = "api_key_id")] string? apiKeyId, [FromQuery(Name = "dataset_id")] string? datasetId, [FromQuery] string? type,
        [FromQuery] string? from, [FromQuery] string? to)
    {
        var filter = new AccessActivityFilter(apiKeyId, datasetId, type, Timestamp("from", from), Timestamp("to", to));
        var page = await grains.GetGrain<IActivityGrain>(0).Accesses(http.Require(), filter, PageRequest.Parse(limit, cursor));
        return ApiResults.Ok(page.Map(AccessActivityResponse.From) with { Total = page.Total ?? 0 });
    }

    private static async Task<EnvelopeResult<SpendResponse>> SpendAsync(
        HttpContext http, IGrainFactory grains, [FromQuery(Name = "group_by")] string? groupBy, [FromQuery] string? from, [FromQuery] string? to)
    {
        var report = await grains.GetGrain<IActivityGrain>(0).Spend(http.Require(), new SpendFilter(groupBy, Timestamp("from", from), Timestamp("to", to)));
        return ApiResults.Ok(SpendResponse.Of(report));
    }

    internal static DateTimeOffset? Timestamp(string name, string? value)
    {
        if (value is null) return null;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var parsed) && (value.EndsWith('Z') || value.Contains('+') || value.LastIndexOf('-') > 9))
            return parsed;
        throw new IptoException(ErrorCodes.InvalidRequest, $"{name} must be an ISO 8601 UTC timestamp such as 2026-04-05T10:00:00.000Z.",
            [new FieldError(name, "must be an ISO 8601 timestamp with a zone")]);
    }
}
