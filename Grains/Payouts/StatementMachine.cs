using System.Security.Cryptography;
using System.Text;
using Ipto.Common;
using Ipto.Payouts;

namespace Ipto.Grains.Payouts;

/// <summary>
/// The statement state machine of SPEC §9/§13 as pure functions over <see cref="PayoutStatementState"/>:
/// <c>open → closed</c> (amounts frozen, <c>hold_until = closed_at + HoldWindow</c>), <c>closed → released</c> at
/// <c>hold_until</c> (<c>released_amount = earnings − held</c>), <c>released → paid</c> by an operator. Each transition
/// applies once: asked again, it changes nothing. Holds fit in the earnings that are neither held nor released; lifting
/// one after release adds its amount to the released amount.
/// </summary>
public static class StatementMachine
{
    /// <summary>The statement id of a grain key: the period's start as its time part, so ids order by period.</summary>
    public static string StatementIdOf(string grainKey, DateTimeOffset periodStart) =>
        Ids.Derived(IdPrefixes.PayoutStatement, periodStart, SHA256.HashData(Encoding.UTF8.GetBytes(grainKey)));

    /// <summary>The event id of a statement's transition: the same for every attempt.</summary>
    public static string EventIdOf(string statementId, string type, DateTimeOffset at) =>
        Ids.Derived(IdPrefixes.Event, at, SHA256.HashData(Encoding.UTF8.GetBytes($"{statementId}:{type}")));

    /// <summary>Per-dataset figures from per-dataset gross: the fee of each rounded half to even, earnings the rest; by dataset id.</summary>
    public static IReadOnlyList<DatasetEarnings> Earnings(IEnumerable<(string DatasetId, string DatasetName, long GrossMicros)> gross, decimal feeRate) =>
        gross.OrderBy(g => g.DatasetId, StringComparer.Ordinal)
            .Select(g =>
            {
                var fee = PlatformFee.Of(g.GrossMicros, feeRate);
                return new DatasetEarnings(g.DatasetId, g.DatasetName, g.GrossMicros, fee, checked(g.GrossMicros - fee));
            }).ToArray();

    public static (long Gross, long Fee, long Earnings) Totals(IReadOnlyList<DatasetEarnings> byDataset) =>
        (Money.Sum(byDataset.Select(d => d.GrossMicros)), Money.Sum(byDataset.Select(d => d.PlatformFeeMicros)), Money.Sum(byDataset.Select(d => d.EarningsMicros)));

    public static long Held(PayoutStatementState s) => Money.Sum(s.Holds.Where(h => h.IsActive).Select(h => h.AmountMicros));

    /// <summary>When the statement's reminder should next act: its close, its release, or never again.</summary>
    public static DateTimeOffset? NextDue(PayoutStatementState s, TimeSpan closeGrace) => s.Status switch
    {
        PayoutStatuses.Open => s.PeriodEnd + closeGrace,
        PayoutStatuses.Closed => s.HoldUntil,
        _ => null,
    };

    /// <summary>Freezes the amounts and starts the hold window; false (nothing changed) unless the statement is open.</summary>
    public static bool Close(PayoutStatementState s, IReadOnlyList<DatasetEarnings> frozen, DateTimeOffset now, TimeSpan holdWindow)
    {
        if (s.Status != PayoutStatuses.Open) return false;
        s.Status = PayoutStatuses.Closed;
        s.ByDataset = [.. frozen];
        s.ClosedAt = now;
        s.HoldUntil = now + holdWindow;
        s.UpdatedAt = now;
        return true;
    }

    /// <summary>Releases the earnings not held; false (nothing changed) unless the statement is closed and its window is over.</summary>
    public static bool Release(PayoutStatementState s, DateTimeOffset now)
    {
        if (s.Status != PayoutStatuses.Closed || now < s.HoldUntil) return false;
        s.Status = PayoutStatuses.Released;
        s.ReleasedMicros = checked(Totals(s.ByDataset).Earnings - Held(s));
        s.ReleasedAt = now;
        s.UpdatedAt = now;
        return true;
    }

    /// <summary>
    /// Places a hold on <paramref name="earningsMicros"/> (the live earnings while open, the frozen ones after): 409 on
    /// a paid statement whatever the body says, then 422 naming each bad field: <c>amount</c> unless 0 &lt; amount ≤
    /// the earnings neither held nor released (at most 6 decimals), <c>reason</c> unless 1 to
    /// <see cref="PayoutHold.MaxReasonLength"/> characters. The same hold id placed again answers the hold already there.
    /// </summary>
    public static PayoutHold PlaceHold(PayoutStatementState s, string holdId, NewPayoutHold hold, long earningsMicros, DateTimeOffset now)
    {
        if (s.Status == PayoutStatuses.Paid) throw IptoException.InvalidTransition("payout statement", s.Status, "held");
        if (s.Holds.FirstOrDefault(h => h.HoldId == holdId) is { } existing) return existing;
        var available = Math.Max(0, checked(earningsMicros - Held(s) - s.ReleasedMicros));
        var errors = new List<FieldError>();
        long micros = 0;
        if (hold.Amount is not { } amount) errors.Add(new FieldError("amount", "is required"));
        else if (amount <= 0 || !Money.TryToMicros(amount, Money.MaxLimitMicros, out micros) || micros > available)
            errors.Add(new FieldError("amount",
                $"must be greater than 0 with at most 6 decimals and at most the earnings neither held nor released ({Money.FromMicros(available)} USD)"));
        if (string.IsNullOrWhiteSpace(hold.Reason)) errors.Add(new FieldError("reason", "is required"));
        else if (hold.Reason.Length > PayoutHold.MaxReasonLength) errors.Add(new FieldError("reason", $"must be at most {PayoutHold.MaxReasonLength} characters"));
        if (errors.Count > 0) throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.", errors);

        var placed = new PayoutHold(holdId, micros, hold.Reason!, now, null);
        s.Holds.Add(placed);
        s.UpdatedAt = now;
        return placed;
    }

    /// <summary>
    /// Lifts a hold (404 unknown, 409 on a paid statement); a hold already lifted is answered as it is. After release
    /// the lifted amount is released too.
    /// </summary>
    public static PayoutHold LiftHold(PayoutStatementState s, string holdId, DateTimeOffset now)
    {
        var index = s.Holds.FindIndex(h => h.HoldId == holdId);
        if (index < 0) throw IptoException.NotFound("Hold");
        if (s.Status == PayoutStatuses.Paid) throw IptoException.InvalidTransition("payout statement", s.Status, "lifted");
        var hold = s.Holds[index];
        if (!hold.IsActive) return hold;
        var lifted = hold with { LiftedAt = now };
        s.Holds[index] = lifted;
        if (s.Status == PayoutStatuses.Released) s.ReleasedMicros = checked(s.ReleasedMicros + hold.AmountMicros);
        s.UpdatedAt = now;
        return lifted;
    }

    /// <summary>Marks a released statement paid with the operator's reference (1 to 200 characters, checked after the state); from any other state 409.</summary>
    public static void MarkPaid(PayoutStatementState s, string? reference, DateTimeOffset now)
    {
        if (s.Status != PayoutStatuses.Released) throw IptoException.InvalidTransition("payout statement", s.Status, PayoutStatuses.Paid);
        if (string.IsNullOrWhiteSpace(reference))
            throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.", [new FieldError("reference", "is required")]);
        if (reference.Length > PaymentReferences.MaxLength)
            throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.",
                [new FieldError("reference", $"must be at most {PaymentReferences.MaxLength} characters")]);
        s.Status = PayoutStatuses.Paid;
        s.PaidAt = now;
        s.PaymentReference = reference;
        s.UpdatedAt = now;
    }

    /// <summary>The statement as its readers see it, with <paramref name="byDataset"/> as its amounts (live while open).</summary>
    public static PayoutStatement Snapshot(PayoutStatementState s, IReadOnlyList<DatasetEarnings> byDataset)
    {
        var (gross, fee, earnings) = Totals(byDataset);
        var held = Held(s);
        return new PayoutStatement(s.StatementId, s.TenantId, s.PeriodStart, s.PeriodEnd, gross, fee, earnings, held, [.. s.Holds],
            Math.Max(0, checked(earnings - held)), s.ReleasedMicros, s.Status, s.ClosedAt, s.HoldUntil, s.ReleasedAt, s.PaidAt, s.PaymentReference,
            [.. byDataset]);
    }
}
