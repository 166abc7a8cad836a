using Ipto.Api.Http;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Ipto.Api.Http.OpenApi;
using Ipto.Common;
using Ipto.Identity;
using Ipto.Payouts;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

/// <summary>
/// A hold's fields. The statement checks them after its own state (a paid statement is 409 whatever the body says),
/// so this body only describes its rules for the document.
/// </summary>
public sealed record HoldRequest(decimal? Amount, string? Reason) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Describe("amount", new FieldRule { Required = true, Minimum = 0, ExclusiveMinimum = true, Maximum = Money.FromMicros(Money.MaxLimitMicros),
            Note = "at most 6 decimals, and at most the earnings neither held nor released" });
        errors.Describe("reason", new FieldRule { Required = true, MinLength = 1, MaxLength = PayoutHold.MaxReasonLength });
    }
}

/// <summary>The operator's payment reference; checked by the statement after its state, like a hold.</summary>
public sealed record MarkPaidRequest(string? Reference) : IValidatable
{
    public void Validate(ValidationErrors errors) =>
        errors.Describe("reference", new FieldRule { Required = true, MinLength = 1, MaxLength = PaymentReferences.MaxLength });
}

public sealed record HoldResponse(string HoldId, decimal Amount, string Currency, string Reason, DateTimeOffset CreatedAt, DateTimeOffset? LiftedAt)
{
    public static HoldResponse From(PayoutHold h) => new(h.HoldId, Money.FromMicros(h.AmountMicros), Money.Currency, h.Reason, h.CreatedAt, h.LiftedAt);
}

public sealed record DatasetEarningsResponse(string DatasetId, string DatasetName, decimal Gross, decimal PlatformFee, decimal Earnings);

public sealed record PayoutStatementResponse(
    string StatementId, string TenantId, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, decimal GrossRevenue, decimal PlatformFee,
    decimal Earnings, decimal HeldAmount, IReadOnlyList<HoldResponse> Holds, decimal ReleasableAmount, decimal ReleasedAmount, string Status,
    DateTimeOffset? ClosedAt, DateTimeOffset? HoldUntil, DateTimeOffset? ReleasedAt, DateTimeOffset? PaidAt, string? PaymentReference, string Currency,
    IReadOnlyList<DatasetEarningsResponse> ByDataset)
{
    public static PayoutStatementResponse From(PayoutStatement s) => new(s.StatementId, s.TenantId, s.PeriodStart, s.PeriodEnd,
        Money.FromMicros(s.GrossMicros), Money.FromMicros(s.PlatformFeeMicros), Money.FromMicros(s.EarningsMicros), Money.FromMicros(s.HeldMicros),
        s.Holds.Select(HoldResponse.From).ToArray(), Money.FromMicros(s.ReleasableMicros), Money.FromMicros(s.ReleasedMicros), s.Status, s.ClosedAt,
        s.HoldUntil, s.ReleasedAt, s.PaidAt, s.PaymentReference, Money.Currency,
        s.ByDataset.Select(d => new DatasetEarningsResponse(d.DatasetId, d.DatasetName, Money.FromMicros(d.GrossMicros), Money.FromMicros(d.PlatformFeeMicros),
            Money.FromMicros(d.EarningsMicros))).ToArray());
}

/// <summary>Payout statements (SPEC §9, §13): the provider's reads, and the platform's list, holds and mark-paid.</summary>
public static class PayoutsEndpoints
{
    public static RouteGroupBuilder MapPayoutsEndpoints(this RouteGroupBuilder v1)
    {
        var provider = v1.MapGroup("/provider/payouts").WithTags("Payouts");
        provider.MapGet("", ListOwnAsync).RequireScope(Scopes.BillingRead).WithName("ListPayoutStatements")
            .PeriodFilters()
            .WithSummary("List payout statements")
            .WithDescription("The tenant's statements, one per settlement period in which its datasets earned anything, newest period first. "
                + "An `open` statement's amounts are live from the ledger; closing freezes them.");
        provider.MapGet("/{statement_id}", GetAsync).RequireScope(Scopes.BillingRead).WithName("GetPayoutStatement")
            .WithSummary("Get a payout statement")
            .WithDescription("One of the tenant's statements with its holds and per-dataset amounts.");

        var admin = v1.MapGroup("/admin/payouts").WithTags("Admin").RequireScope(Scopes.Admin);
        admin.MapGet("", ListAllAsync).WithName("ListAllPayoutStatements")
            .QueryText("tenant_id", "Only statements of this provider tenant.")
            .PeriodFilters()
            .WithSummary("List every payout statement")
            .WithDescription("Platform admins: every provider's statements, newest period first.");
        admin.MapPost("/{statement_id}/holds", PlaceHoldAsync).WithIdempotency().WithName("PlacePayoutHold").Created(location: false).WithStateConflicts()
            .WithSummary("Place a hold")
            .WithDescription("Platform admins: holds back part of an `open`, `closed` or `released` statement's earnings (at most those neither held nor "
                + "released). A held amount is not released at `hold_until`; it is released when the hold is lifted. A `paid` statement is 409.");
        admin.MapDelete("/{statement_id}/holds/{hold_id}", LiftHoldAsync).WithName("LiftPayoutHold").WithStateConflicts()
            .WithSummary("Lift a hold")
            .WithDescription("Platform admins: lifts a hold (answered with `lifted_at`); after release its amount is added to `released_amount`. "
                + "A `paid` statement is 409.");
        admin.MapPost("/{statement_id}/mark-paid", MarkPaidAsync).WithIdempotency().WithName("MarkPayoutPaid").WithStateConflicts()
            .WithSummary("Mark a statement paid")
            .WithDescription("Platform admins: records the payment of a `released` statement with its reference; from any other status 409.");
        return v1;
    }

    private static RouteHandlerBuilder PeriodFilters(this RouteHandlerBuilder builder) => builder
        .QueryOneOf("status", PayoutStatuses.All, "Only statements in this status.")
        .QueryDateTime("from", "Only periods starting at or after this time (ISO 8601 with a zone).")
        .QueryDateTime("to", "Only periods starting before this time (ISO 8601 with a zone).");

    private static async Task<EnvelopeResult<Page<PayoutStatementResponse>>> ListOwnAsync(
        HttpContext http, IGrainFactory grains, [FromQuery] string? limit, [FromQuery] string? cursor, [FromQuery] string? status,
        [FromQuery] string? from, [FromQuery] string? to)
    {
        var filter = new PayoutFilter(status, null, QueryTimestamps.Parse("from", from), QueryTimestamps.Parse("to", to));
        var page = await Directory(grains).ListOwn(http.Require(), filter, PageRequest.Parse(limit, cursor));
        return ApiResults.Ok(page.Map(PayoutStatementResponse.From));
    }

    private static async Task<EnvelopeResult<Page<PayoutStatementResponse>>> ListAllAsync(
        HttpContext http, IGrainFactory grains, [FromQuery] string? limit, [FromQuery] string? cursor, [FromQuery] string? status,
        [FromQuery(Name = "tenant_id")] string? tenantId, [FromQuery] string? from, [FromQuery] string? to)
    {
        var filter = new PayoutFilter(status, tenantId, QueryTimestamps.Parse("from", from), QueryTimestamps.Parse("to", to));
        var page = await Directory(grains).ListAll(http.Require(), filter, PageRequest.Parse(limit, cursor));
        return ApiResults.Ok(page.Map(PayoutStatementResponse.From));
    }

    private static async Task<EnvelopeResult<PayoutStatementResponse>> GetAsync(string statement_id, HttpContext http, IGrainFactory grains) =>
        ApiResults.Ok(PayoutStatementResponse.From(await Directory(grains).Get(http.Require(), statement_id)));

    private static async Task<EnvelopeResult<HoldResponse>> PlaceHoldAsync(string statement_id, JsonBody<HoldRequest> body, HttpContext http, IGrainFactory grains)
    {
        var hold = await Directory(grains).PlaceHold(http.Require(), statement_id, new NewPayoutHold(body.Value.Amount, body.Value.Reason), http.CreationSeed());
        return ApiResults.Created(HoldResponse.From(hold));
    }

    private static async Task<EnvelopeResult<HoldResponse>> LiftHoldAsync(string statement_id, string hold_id, HttpContext http, IGrainFactory grains) =>
        ApiResults.Ok(HoldResponse.From(await Directory(grains).LiftHold(http.Require(), statement_id, hold_id)));

    private static async Task<EnvelopeResult<PayoutStatementResponse>> MarkPaidAsync(string statement_id, JsonBody<MarkPaidRequest> body, HttpContext http,
        IGrainFactory grains) =>
        ApiResults.Ok(PayoutStatementResponse.From(await Directory(grains).MarkPaid(http.Require(), statement_id, body.Value.Reference)));

    private static IPayoutDirectoryGrain Directory(IGrainFactory grains) => grains.GetGrain<IPayoutDirectoryGrain>(0);
}
