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

/// <summary>Buyer activity (SPEC §8): the tenant's searches from the ledger.</summary>
public static class ActivityEndpoints
{
    public static RouteGroupBuilder MapActivityEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGroup("/agent/activity").WithTags("Activity")
            .MapGet("/searches", SearchesAsync).RequireScope(Scopes.UsageRead).WithName("ListSearchActivities")
            .QueryText("api_key_id", "Only searches made with this API key.")
            .QueryDateTime("from", "Only searches at or after this time (ISO 8601 with a zone).")
            .QueryDateTime("to", "Only searches before this time (ISO 8601 with a zone).")
            .WithSummary("List searches")
            .WithDescription("The tenant's searches from the ledger, newest first, with results and charges; keyset pages under `searches` with `total`.");
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

    private static DateTimeOffset? Timestamp(string name, string? value)
    {
        if (value is null) return null;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var parsed) && (value.EndsWith('Z') || value.Contains('+')))
            return parsed;
        throw new IptoException(ErrorCodes.InvalidRequest, $"{name} must be an ISO 8601 UTC timestamp such as 2026-04-05T10:00:00.000Z.",
            [new FieldError(name, "must be an ISO 8601 timestamp with a zone")]);
    }
}
