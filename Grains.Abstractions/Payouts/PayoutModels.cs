namespace Ipto.Payouts;

/// <summary>A statement's status (SPEC §9): <c>open → closed → released → paid</c>, nothing else.</summary>
public static class PayoutStatuses
{
    public const string Open = "open";
    public const string Closed = "closed";
    public const string Released = "released";
    public const string Paid = "paid";

    public static readonly IReadOnlyList<string> All = [Open, Closed, Released, Paid];
}

/// <summary>The events a statement records in the outbox, once each.</summary>
public static class PayoutEventTypes
{
    public const string Closed = "payout.closed";
    public const string Released = "payout.released";
}

/// <summary>A hold a platform admin placed on part of a statement's earnings; lifted once at most.</summary>
[GenerateSerializer, Alias("Ipto.PayoutHold")]
public sealed record PayoutHold(
    [property: Id(0)] string HoldId,
    [property: Id(1)] long AmountMicros,
    [property: Id(2)] string Reason,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? LiftedAt)
{
    public const int MaxReasonLength = 2000;

    public bool IsActive => LiftedAt is null;
}

/// <summary>One dataset's part of a statement: gross, the fee rounded half to even, and earnings = gross − fee.</summary>
[GenerateSerializer, Alias("Ipto.DatasetEarnings")]
public sealed record DatasetEarnings(
    [property: Id(0)] string DatasetId,
    [property: Id(1)] string DatasetName,
    [property: Id(2)] long GrossMicros,
    [property: Id(3)] long PlatformFeeMicros,
    [property: Id(4)] long EarningsMicros);

/// <summary>
/// A provider tenant's statement for one settlement period (SPEC §13). Amounts are live while <c>open</c> and frozen
/// from <c>closed</c> on; <see cref="HeldMicros"/> is the sum of the holds not lifted, <see cref="ReleasableMicros"/>
/// the earnings not held (what is, or will be, released).
/// </summary>
[GenerateSerializer, Alias("Ipto.PayoutStatement")]
public sealed record PayoutStatement(
    [property: Id(0)] string StatementId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] DateTimeOffset PeriodStart,
    [property: Id(3)] DateTimeOffset PeriodEnd,
    [property: Id(4)] long GrossMicros,
    [property: Id(5)] long PlatformFeeMicros,
    [property: Id(6)] long EarningsMicros,
    [property: Id(7)] long HeldMicros,
    [property: Id(8)] IReadOnlyList<PayoutHold> Holds,
    [property: Id(9)] long ReleasableMicros,
    [property: Id(10)] long ReleasedMicros,
    [property: Id(11)] string Status,
    [property: Id(12)] DateTimeOffset? ClosedAt,
    [property: Id(13)] DateTimeOffset? HoldUntil,
    [property: Id(14)] DateTimeOffset? ReleasedAt,
    [property: Id(15)] DateTimeOffset? PaidAt,
    [property: Id(16)] string? PaymentReference,
    [property: Id(17)] IReadOnlyList<DatasetEarnings> ByDataset);

/// <summary>Filters of a statement list: status, owning tenant (admin lists only) and <c>[From, To)</c> on <c>period_start</c>; null: any.</summary>
[GenerateSerializer, Alias("Ipto.PayoutFilter")]
public sealed record PayoutFilter(
    [property: Id(0)] string? Status = null,
    [property: Id(1)] string? TenantId = null,
    [property: Id(2)] DateTimeOffset? From = null,
    [property: Id(3)] DateTimeOffset? To = null);

/// <summary>
/// A hold to place as the request sent it: a positive USD amount (at most 6 decimals) of the earnings neither held nor
/// released, and why. The statement checks the fields after its state (SPEC §13: a paid statement is 409 whatever the body).
/// </summary>
[GenerateSerializer, Alias("Ipto.NewPayoutHold")]
public sealed record NewPayoutHold([property: Id(0)] decimal? Amount, [property: Id(1)] string? Reason);

public static class PaymentReferences
{
    public const int MaxLength = 200;
}
