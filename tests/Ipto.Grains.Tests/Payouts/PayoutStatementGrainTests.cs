using Ipto.Common;
using Ipto.Grains.Metering;
using Ipto.Grains.Payouts;
using Ipto.Grains.Tests.Support;
using Ipto.Metering;
using Ipto.Payouts;
using Microsoft.Extensions.DependencyInjection;

namespace Ipto.Grains.Tests.Payouts;

/// <summary>Hourly periods that close and release as soon as they end.</summary>
public sealed class PayoutCluster() : ClusterFixture(new Dictionary<string, string?>
{
    ["Ipto:Payouts:Period"] = "01:00:00",
    ["Ipto:Payouts:CloseGrace"] = "00:00:00",
    ["Ipto:Payouts:HoldWindow"] = "00:00:00",
});

public sealed class PayoutStatementGrainTests(PayoutCluster fixture) : IClassFixture<PayoutCluster>
{
    private static readonly Caller Admin = new("tnt_platform", "usr_admin", "user", ["admin:*"], true);

    private async Task<(string Tenant, string Key)> EarnAsync(DateTimeOffset at, params long[] micros)
    {
        var tenant = Ids.New(IdPrefixes.Tenant);
        var ledger = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<LedgerWriter>();
        foreach (var amount in micros)
            await ledger.AppendAsync(new AccessEventRow(Ids.New(IdPrefixes.Access, at), AccessTypes.Download, "tnt_buyer", tenant, "dset_x", null, null, null, amount, at));
        return (tenant, PayoutKeys.Of(tenant, PayoutPeriods.Parse("01:00:00").StartOf(at)));
    }

    private Task<long> EventsAsync(string statementId, string type) => ReadModel.CountAsync(fixture.DataDir,
        $"SELECT count(*) FROM outbox_events WHERE subject_id = $id AND type = '{type}'", statementId);

    [Fact]
    public async Task TheLedgerOpensTheStatementAndATickFiringTwiceClosesAndReleasesItOnce()
    {
        var (tenant, key) = await EarnAsync(DateTimeOffset.UtcNow.AddHours(-3), 1_000_000, 250_000);
        var statement = fixture.Client.GetGrain<IPayoutStatementGrain>(key);
        var reminder = statement.AsReference<IRemindable>();

        // The reminder handler run twice at once and once more after: each transition happens once.
        await Task.WhenAll(reminder.ReceiveReminder(PayoutStatementGrain.ReminderName, default), reminder.ReceiveReminder(PayoutStatementGrain.ReminderName, default));
        var released = await statement.Get(Admin);
        await reminder.ReceiveReminder(PayoutStatementGrain.ReminderName, default);

        var again = await statement.Get(Admin);
        Assert.Equal(PayoutStatuses.Released, again.Status);
        Assert.Equal(tenant, again.TenantId);
        Assert.Equal((1_250_000L, 250_000L, 1_000_000L, 1_000_000L), (again.GrossMicros, again.PlatformFeeMicros, again.EarningsMicros, again.ReleasedMicros));
        Assert.Equal((released.ClosedAt, released.ReleasedAt), (again.ClosedAt, again.ReleasedAt));
        Assert.Equal(1, await EventsAsync(again.StatementId, PayoutEventTypes.Closed));
        Assert.Equal(1, await EventsAsync(again.StatementId, PayoutEventTypes.Released));
    }

    [Fact]
    public async Task ATickBeforeThePeriodEndsChangesNothingAndOpeningAgainIsANoOp()
    {
        var (_, key) = await EarnAsync(DateTimeOffset.UtcNow.AddDays(1), 500);
        var statement = fixture.Client.GetGrain<IPayoutStatementGrain>(key);
        var before = await statement.Get(Admin);
        await statement.Open();
        await statement.AsReference<IRemindable>().ReceiveReminder(PayoutStatementGrain.ReminderName, default);

        var after = await statement.Get(Admin);
        Assert.Equal((PayoutStatuses.Open, before.StatementId, 500L), (after.Status, after.StatementId, after.GrossMicros));
        Assert.Null(after.ClosedAt);
        Assert.Equal(0, await EventsAsync(after.StatementId, PayoutEventTypes.Closed));
        Assert.Equal(1, await ReadModel.CountAsync(fixture.DataDir, "SELECT count(*) FROM payout_statements WHERE statement_id = $id", after.StatementId));
    }

    [Fact]
    public async Task AnotherTenantGetsNotFoundAndOnlyAdminsHold()
    {
        var (tenant, key) = await EarnAsync(DateTimeOffset.UtcNow.AddDays(1), 500);
        var statement = fixture.Client.GetGrain<IPayoutStatementGrain>(key);
        var owner = new Caller(tenant, "usr_owner", "user", ["billing:read"], false);
        var stranger = new Caller(Ids.New(IdPrefixes.Tenant), "usr_other", "user", ["billing:read"], false);

        Assert.Equal(500L, (await statement.Get(owner)).GrossMicros);
        Assert.Equal(ErrorCodes.NotFound, (await Assert.ThrowsAsync<IptoException>(() => statement.Get(stranger))).Code);
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<IptoException>(() => statement.PlaceHold(owner, new NewPayoutHold(0.0001m, "mine")))).Code);
        Assert.Equal(ErrorCodes.NotFound,
            (await Assert.ThrowsAsync<IptoException>(() => fixture.Client.GetGrain<IPayoutDirectoryGrain>(0).Get(owner, Ids.New(IdPrefixes.PayoutStatement)))).Code);
    }
}
