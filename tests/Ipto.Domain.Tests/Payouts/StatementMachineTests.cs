using Ipto.Common;
using Ipto.Grains.Payouts;
using Ipto.Payouts;

namespace Ipto.Domain.Tests.Payouts;

public sealed class StatementMachineTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromDays(14);

    private static PayoutStatementState Open() => new()
    {
        StatementId = StatementMachine.StatementIdOf("tnt_x/20260301T000000Z", Start), TenantId = "tnt_x", PeriodStart = Start, PeriodEnd = End,
    };

    // Two datasets: 10.000005 USD (fee 2.000001) and 2.5 micro-USD at 20% (0.5 → 0, half to even): earnings 8.000004 + 3.
    private static readonly IReadOnlyList<DatasetEarnings> Frozen =
        StatementMachine.Earnings([("dset_b", "B", 10_000_005), ("dset_a", "A", 3)], 0.20m);

    private static NewPayoutHold Hold(decimal amount) => new(amount, "dispute");

    [Fact]
    public void EarningsArePerDatasetFeesRoundedHalfToEvenAndTotalsAreTheirSums()
    {
        Assert.Equal(["dset_a", "dset_b"], Frozen.Select(d => d.DatasetId));
        Assert.Equal((3L, 1L, 2L), (Frozen[0].GrossMicros, Frozen[0].PlatformFeeMicros, Frozen[0].EarningsMicros)); // 0.6 → 1
        Assert.Equal((10_000_005L, 2_000_001L, 8_000_004L), (Frozen[1].GrossMicros, Frozen[1].PlatformFeeMicros, Frozen[1].EarningsMicros));
        Assert.Equal((10_000_008L, 2_000_002L, 8_000_006L), StatementMachine.Totals(Frozen));
    }

    [Fact]
    public void AStatementClosesReleasesAndIsPaidOnceEach()
    {
        var s = Open();
        var grace = TimeSpan.FromMinutes(1);
        Assert.Equal(End + grace, StatementMachine.NextDue(s, grace));
        Assert.False(StatementMachine.Release(s, End)); // not closed yet

        var closedAt = End + grace;
        Assert.True(StatementMachine.Close(s, Frozen, closedAt, Window));
        Assert.False(StatementMachine.Close(s, [], closedAt.AddSeconds(5), Window)); // a second tick changes nothing
        Assert.Equal((PayoutStatuses.Closed, closedAt, closedAt + Window), (s.Status, s.ClosedAt, s.HoldUntil));
        Assert.Equal(8_000_006L, StatementMachine.Totals(s.ByDataset).Earnings);
        Assert.Equal(closedAt + Window, StatementMachine.NextDue(s, grace));

        Assert.False(StatementMachine.Release(s, closedAt + Window - TimeSpan.FromTicks(1))); // the window is not over
        var error = Assert.Throws<IptoException>(() => StatementMachine.MarkPaid(s, "wire-1", closedAt));
        Assert.Equal(ErrorCodes.InvalidStateTransition, error.Code);

        Assert.True(StatementMachine.Release(s, closedAt + Window));
        Assert.False(StatementMachine.Release(s, closedAt + Window + TimeSpan.FromSeconds(1)));
        Assert.Equal((PayoutStatuses.Released, 8_000_006L), (s.Status, s.ReleasedMicros));
        Assert.Null(StatementMachine.NextDue(s, grace));

        StatementMachine.MarkPaid(s, "wire-1", closedAt + Window);
        Assert.Equal((PayoutStatuses.Paid, "wire-1"), (s.Status, s.PaymentReference));
        Assert.Equal(ErrorCodes.InvalidStateTransition, Assert.Throws<IptoException>(() => StatementMachine.MarkPaid(s, "wire-2", End)).Code);
    }

    [Fact]
    public void HoldsAreKeptFromTheReleaseAndReleasedWhenLiftedAfterIt()
    {
        var s = Open();
        var earnings = StatementMachine.Totals(Frozen).Earnings;
        var first = StatementMachine.PlaceHold(s, "hold_1", Hold(2m), earnings, Start);
        Assert.Equal(2_000_000L, first.AmountMicros);
        Assert.Same(first, StatementMachine.PlaceHold(s, "hold_1", Hold(2m), earnings, Start)); // the same hold id again
        StatementMachine.PlaceHold(s, "hold_2", Hold(1m), earnings, Start);
        Assert.Equal(3_000_000L, StatementMachine.Held(s));

        StatementMachine.Close(s, Frozen, End, Window);
        StatementMachine.Release(s, End + Window);
        Assert.Equal(earnings - 3_000_000, s.ReleasedMicros);
        Assert.Equal(earnings - 3_000_000, StatementMachine.Snapshot(s, s.ByDataset).ReleasableMicros);

        var lifted = StatementMachine.LiftHold(s, "hold_1", End + Window);
        Assert.Equal(End + Window, lifted.LiftedAt);
        Assert.Equal(earnings - 1_000_000, s.ReleasedMicros);
        Assert.Equal(lifted, StatementMachine.LiftHold(s, "hold_1", End + Window + TimeSpan.FromDays(1))); // lifting again changes nothing
        Assert.Equal(earnings - 1_000_000, s.ReleasedMicros);

        // After release nothing is left that is neither held nor released.
        var error = Assert.Throws<IptoException>(() => StatementMachine.PlaceHold(s, "hold_3", Hold(0.000001m), earnings, End + Window));
        Assert.Equal((ErrorCodes.ValidationFailed, "amount"), (error.Code, error.Details.Single().Field));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("0.0000001")]
    [InlineData("8.000007")] // more than the earnings of 8.000006
    public void AHoldOutsideTheAvailableEarningsIsRefusedNamingAmount(string amount)
    {
        var s = Open();
        var error = Assert.Throws<IptoException>(() =>
            StatementMachine.PlaceHold(s, "hold_1", Hold(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)), 8_000_006, Start));
        Assert.Equal((ErrorCodes.ValidationFailed, "amount"), (error.Code, error.Details.Single().Field));
        Assert.Empty(s.Holds);
    }

    [Fact]
    public void AllBadHoldFieldsAreNamedAndAPaidStatementIsAConflictWhateverTheBody()
    {
        var s = Open();
        var error = Assert.Throws<IptoException>(() => StatementMachine.PlaceHold(s, "hold_1", new NewPayoutHold(null, " "), 10, Start));
        Assert.Equal(["amount", "reason"], error.Details.Select(d => d.Field));
        Assert.Equal("reason", Assert.Throws<IptoException>(() =>
            StatementMachine.PlaceHold(s, "hold_1", new NewPayoutHold(1m, new string('r', PayoutHold.MaxReasonLength + 1)), 10_000_000, Start)).Details.Single().Field);

        var held = StatementMachine.PlaceHold(s, "hold_1", Hold(1m), 8_000_006, Start);
        StatementMachine.Close(s, Frozen, End, Window);
        StatementMachine.Release(s, End + Window);
        StatementMachine.MarkPaid(s, "wire", End + Window);
        Assert.Equal(ErrorCodes.InvalidStateTransition, Assert.Throws<IptoException>(() => StatementMachine.PlaceHold(s, "hold_2", new NewPayoutHold(-5m, null), 8_000_006, End)).Code);
        Assert.Equal(ErrorCodes.InvalidStateTransition, Assert.Throws<IptoException>(() => StatementMachine.LiftHold(s, held.HoldId, End)).Code);
        Assert.Equal(ErrorCodes.NotFound, Assert.Throws<IptoException>(() => StatementMachine.LiftHold(s, "hold_unknown", End)).Code);
    }

    [Fact]
    public void MarkPaidNeedsAReference()
    {
        var s = Open();
        StatementMachine.Close(s, Frozen, End, TimeSpan.Zero);
        StatementMachine.Release(s, End);
        Assert.Equal("reference", Assert.Throws<IptoException>(() => StatementMachine.MarkPaid(s, "", End)).Details.Single().Field);
        Assert.Equal("reference", Assert.Throws<IptoException>(() => StatementMachine.MarkPaid(s, new string('x', 201), End)).Details.Single().Field);
        Assert.Equal(PayoutStatuses.Released, s.Status);
    }

    [Fact]
    public void IdsAreStableAndKeysRoundTrip()
    {
        Assert.Equal(StatementMachine.StatementIdOf("tnt_x/20260301T000000Z", Start), StatementMachine.StatementIdOf("tnt_x/20260301T000000Z", Start));
        Assert.NotEqual(StatementMachine.StatementIdOf("tnt_x/20260301T000000Z", Start), StatementMachine.StatementIdOf("tnt_y/20260301T000000Z", Start));
        Assert.True(Ids.IsValid(StatementMachine.StatementIdOf("tnt_x/20260301T000000Z", Start), IdPrefixes.PayoutStatement));
        var closed = StatementMachine.EventIdOf("pay_1", PayoutEventTypes.Closed, End);
        Assert.Equal(closed, StatementMachine.EventIdOf("pay_1", PayoutEventTypes.Closed, End));
        Assert.NotEqual(closed, StatementMachine.EventIdOf("pay_1", PayoutEventTypes.Released, End));
        Assert.True(Ids.IsValid(closed, IdPrefixes.Event));

        var key = PayoutKeys.Of("tnt_x", Start);
        Assert.Equal("tnt_x/20260301T000000Z", key);
        Assert.Equal(("tnt_x", Start), PayoutKeys.Parse(key));
        Assert.Throws<ArgumentException>(() => PayoutKeys.Parse("tnt_x"));
    }
}
