using Ipto.Payouts;

namespace Ipto.Grains.Payouts;

[GenerateSerializer, Alias("Ipto.PayoutStatementState")]
public sealed class PayoutStatementState
{
    [Id(0)] public string StatementId { get; set; } = "";
    [Id(1)] public string TenantId { get; set; } = "";
    [Id(2)] public DateTimeOffset PeriodStart { get; set; }
    [Id(3)] public DateTimeOffset PeriodEnd { get; set; }
    [Id(4)] public string Status { get; set; } = PayoutStatuses.Open;
    [Id(5)] public List<PayoutHold> Holds { get; set; } = [];

    /// <summary>The amounts frozen from the ledger when the statement closed (empty while open).</summary>
    [Id(6)] public List<DatasetEarnings> ByDataset { get; set; } = [];

    [Id(7)] public DateTimeOffset? ClosedAt { get; set; }
    [Id(8)] public DateTimeOffset? HoldUntil { get; set; }
    [Id(9)] public long ReleasedMicros { get; set; }
    [Id(10)] public DateTimeOffset? ReleasedAt { get; set; }
    [Id(11)] public DateTimeOffset? PaidAt { get; set; }
    [Id(12)] public string? PaymentReference { get; set; }
    [Id(13)] public long Version { get; set; }
    [Id(14)] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// The outbox events of the transitions so far, made with the transition and written with every projection of the
    /// statement (a repeat is a no-op: the ids are the same), so a crash between the state write and the projection loses none.
    /// </summary>
    [Id(15)] public List<PayoutEvent> Events { get; set; } = [];
}

/// <summary>An outbox event as the statement recorded it: a deterministic id, its type, when, and its data as JSON.</summary>
[GenerateSerializer, Alias("Ipto.PayoutEvent")]
public sealed record PayoutEvent(
    [property: Id(0)] string EventId,
    [property: Id(1)] string Type,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string Data);
