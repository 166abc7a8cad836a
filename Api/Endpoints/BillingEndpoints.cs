using Ipto.Api.Http;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Ipto.Api.Http.OpenApi;
using Ipto.Billing;
using Ipto.Common;
using Ipto.Identity;
using Ipto.Search;

namespace Ipto.Api.Endpoints;

public sealed record CitationRequest(string? RetrievalEventId, string? Context) : IValidatable
{
    public const int MaxContextLength = 2000;

    public void Validate(ValidationErrors errors)
    {
        errors.Required("retrieval_event_id", RetrievalEventId);
        errors.Length("retrieval_event_id", RetrievalEventId, 1, 200);
        errors.Length("context", Context, 0, MaxContextLength);
    }
}

public sealed record LocatorResponse(int? Page, long? Row, long CharStart, long CharEnd, int ChunkIndex)
{
    public static LocatorResponse? From(CitationLocator? l) => l is null ? null : new(l.Page, l.Row, l.CharStart, l.CharEnd, l.ChunkIndex);
}

public sealed record CitationResponse(
    string CitationId, string RetrievalEventId, string DatasetId, string ObjectId, LocatorResponse? Locator, decimal ChargedAmount, string Currency,
    string? Context, DateTimeOffset CreatedAt)
{
    public static CitationResponse From(Citation c) => new(c.CitationId, c.RetrievalEventId, c.DatasetId, c.ObjectId, LocatorResponse.From(c.Locator),
        Money.FromMicros(c.ChargedMicros), Money.Currency, c.Context, c.CreatedAt);
}

public sealed record OutcomeRequest(IReadOnlyList<string>? RetrievalEventIds, decimal? RevenueAmount, string? Currency, string? Description) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.NotEmpty("retrieval_event_ids", RetrievalEventIds, "must list at least one retrieval event");
        errors.MaxItems("retrieval_event_ids", RetrievalEventIds, OutcomeReport.MaxEvents, $"must list at most {OutcomeReport.MaxEvents} retrieval events");
        errors.Required("revenue_amount", RevenueAmount);
        errors.PositiveAmount("revenue_amount", RevenueAmount, OutcomeReport.MaxRevenueMicros);
        errors.Required("currency", Currency);
        errors.OneOf("currency", Currency, Money.Currency);
        errors.Length("description", Description, 0, OutcomeReport.MaxDescriptionLength);
    }

    public OutcomeReport ToReport() => new(RetrievalEventIds!,
        Money.TryToMicros(RevenueAmount!.Value, OutcomeReport.MaxRevenueMicros, out var micros) ? micros : 0, Currency!, Description);
}

public sealed record OutcomeShareResponse(string DatasetId, decimal ShareAmount, decimal ChargedAmount);

public sealed record OutcomeResponse(
    string OutcomeId, IReadOnlyList<string> RetrievalEventIds, decimal RevenueAmount, string Currency, decimal ChargedAmount,
    IReadOnlyList<OutcomeShareResponse> Shares, string? Description, DateTimeOffset CreatedAt)
{
    public static OutcomeResponse From(Outcome o) => new(o.OutcomeId, o.RetrievalEventIds, Money.FromMicros(o.RevenueMicros), o.Currency,
        Money.FromMicros(o.ChargedMicros), o.Shares.Select(s => new OutcomeShareResponse(s.DatasetId, Money.FromMicros(s.ShareMicros), Money.FromMicros(s.ChargedMicros))).ToArray(),
        o.Description, o.CreatedAt);
}

/// <summary>Citations and outcomes (SPEC §7, §13): what a buyer reports back about the results it used.</summary>
public static class BillingEndpoints
{
    public static RouteGroupBuilder MapBillingEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapPost("/citations", CiteAsync).RequireScope(Scopes.SearchQuery).WithIdempotency().WithTags("Citations").WithName("CreateCitation")
            .CreatedOrExisting().WithErrorStatus(StatusCodes.Status404NotFound).WithErrorStatus(StatusCodes.Status402PaymentRequired)
            .WithSummary("Cite a retrieval event")
            .WithDescription("Records that a search result was cited, charged once at the dataset's price_per_citation: 201 with the new citation, or 200 with the one already made for this retrieval event (not charged again). Another tenant's or an unknown retrieval event is 404; a charge beyond the key's spend limit is 402 and records nothing.");
        v1.MapPost("/outcomes", ReportAsync).RequireScope(Scopes.SearchQuery).WithIdempotency().WithTags("Outcomes").WithName("ReportOutcome")
            .Created(location: false).WithErrorStatus(StatusCodes.Status404NotFound).WithErrorStatus(StatusCodes.Status402PaymentRequired)
            .WithSummary("Report an outcome")
            .WithDescription("Reports revenue made with retrieval events: split evenly over their distinct datasets (rounded down), and outcome_share datasets' providers charged their percentage of their share (rounded down). A charge beyond the key's spend limit is 402 and records nothing.");
        return v1;
    }

    private static async Task<EnvelopeResult<CitationResponse>> CiteAsync(JsonBody<CitationRequest> body, HttpContext http, IGrainFactory grains)
    {
        var result = await grains.GetGrain<ICitationGrain>(body.Value.RetrievalEventId!).Cite(http.Require(), body.Value.Context);
        var response = CitationResponse.From(result.Citation);
        return result.Created ? ApiResults.Created(response) : ApiResults.Ok(response);
    }

    private static async Task<EnvelopeResult<OutcomeResponse>> ReportAsync(JsonBody<OutcomeRequest> body, HttpContext http, IGrainFactory grains)
    {
        var outcome = await grains.GetGrain<IOutcomeGrain>(0).Report(http.Require(), body.Value.ToReport(), http.CreationSeed());
        return ApiResults.Created(OutcomeResponse.From(outcome));
    }
}
