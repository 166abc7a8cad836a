using System.Globalization;
using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Common;
using Ipto.Grains.Hosting;
using Ipto.Grains.Metering;
using Ipto.Grains.Payouts;
using Ipto.Grains.Storage;
using Ipto.Integration.Tests.Support;
using Ipto.Metering;
using Ipto.Payouts;
using Ipto.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Integration.Tests.Payouts;

/// <summary>
/// Statements in cluster mode on PostgreSQL, driven by their reminders alone: the SPEC's walk over HTTP on 30-second
/// periods, and a silo process killed as a statement is due to close.
/// </summary>
public sealed class PayoutClusterTests
{
    private static readonly Caller Operator = Caller.Operator("payout-test");

    private static Dictionary<string, string?> PayoutSettings(string period, string grace, string window) => new()
    {
        ["Ipto:Payouts:Period"] = period,
        ["Ipto:Payouts:CloseGrace"] = grace,
        ["Ipto:Payouts:HoldWindow"] = window,
    };

    /// <summary>A commit time in a period with at least <paramref name="room"/> left before it ends (the next period's start otherwise).</summary>
    private static DateTimeOffset TimeWithRoom(PayoutPeriods periods, TimeSpan room)
    {
        var now = DateTimeOffset.UtcNow;
        var end = periods.EndOf(periods.StartOf(now));
        return end - now >= room ? now : end.AddMilliseconds(500);
    }

    private static Task<long> EventsAsync(TestClusterContext cluster, string statementId, string type) =>
        cluster.Database.ScalarAsync<long>($"SELECT count(*) FROM outbox_events WHERE subject_id = '{statementId}' AND type = '{type}'");

    [SkippableFact]
    public async Task AStatementOpensClosesAndReleasesByItselfAndHoldsAndPaymentFollowTheSpec()
    {
        Services.RequireS3();
        await using var cluster = await TestClusterContext.CreateAsync();
        var settings = cluster.ApiNodeSettings("node");
        foreach (var (name, value) in PayoutSettings("00:00:30", "00:00:03", "00:00:20")) settings[name] = value;
        await using var node = new IptoApiFactory(Path.Combine(cluster.DataDir, "node"), settings, testCredentials: false);

        using var admin = node.WithBearer((await (await node.LoginAsync(IdentityFixture.AdminEmail, IdentityFixture.AdminPassword)).DataAsync())
            .GetProperty("session_token").GetString()!);
        var provider = await node.SignupAsync(tenantName: "Provider");
        using var session = node.WithBearer(provider.SessionToken);
        var dataset = (await (await session.PostAsync("/v1/datasets", Body(new { name = "Shipping records", visibility = "listed" }))).DataAsync(HttpStatusCode.Created))
            .GetProperty("dataset_id").GetString()!;

        // Two buyers' charges, committed through the node's ledger writer as the charging grains commit them.
        var at = TimeWithRoom(PayoutPeriods.Parse("00:00:30"), TimeSpan.FromSeconds(10));
        var ledger = node.Services.GetRequiredService<LedgerWriter>();
        foreach (var (buyer, micros) in new[] { ("tnt_buyer_a", 1_000_000L), ("tnt_buyer_b", 500_003L) })
            await ledger.AppendAsync(new AccessEventRow(Ids.New(IdPrefixes.Access, at), AccessTypes.Download, buyer, provider.TenantId, dataset, null, null, null, micros, at));

        async Task<JsonElement> StatementAsync() =>
            Assert.Single((await (await session.GetAsync("/v1/provider/payouts")).DataAsync()).GetProperty("items").EnumerateArray());
        var open = await StatementAsync();
        var id = open.GetProperty("statement_id").GetString()!;
        Assert.Equal("open", open.GetProperty("status").GetString());
        var ledgerGross = await cluster.Database.ScalarAsync<long>(
            $"SELECT SUM(charged_micros)::bigint FROM access_events WHERE provider_tenant_id = '{provider.TenantId}'");
        Assert.Equal(Money.FromMicros(ledgerGross), open.GetProperty("gross_revenue").GetDecimal());
        Assert.Equal((1.500003m, 0.300001m, 1.200002m),
            (open.GetProperty("gross_revenue").GetDecimal(), open.GetProperty("platform_fee").GetDecimal(), open.GetProperty("earnings").GetDecimal()));

        var closed = await Eventually.Until(StatementAsync, s => s.GetProperty("status").GetString() != "open", TimeSpan.FromSeconds(90), "the close");
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        Assert.Equal(1.200002m, closed.GetProperty("earnings").GetDecimal());

        var hold = await (await admin.PostAsync($"/v1/admin/payouts/{id}/holds", Body(new { amount = 0.2m, reason = "chargeback review" }))).DataAsync(HttpStatusCode.Created);
        var released = await Eventually.Until(StatementAsync, s => s.GetProperty("status").GetString() == "released", TimeSpan.FromSeconds(90), "the release");
        Assert.Equal((1.000002m, 0.2m), (released.GetProperty("released_amount").GetDecimal(), released.GetProperty("held_amount").GetDecimal()));

        await (await admin.DeleteAsync($"/v1/admin/payouts/{id}/holds/{hold.GetProperty("hold_id").GetString()}")).DataAsync();
        Assert.Equal(1.200002m, (await StatementAsync()).GetProperty("released_amount").GetDecimal());
        var paid = await (await admin.PostAsync($"/v1/admin/payouts/{id}/mark-paid", Body(new { reference = "wire-7" }))).DataAsync();
        Assert.Equal(("paid", "wire-7"), (paid.GetProperty("status").GetString(), paid.GetProperty("payment_reference").GetString()));

        Assert.Equal(1, await EventsAsync(cluster, id, PayoutEventTypes.Closed));
        Assert.Equal(1, await EventsAsync(cluster, id, PayoutEventTypes.Released));
    }

    [SkippableFact]
    public async Task ASiloKilledAsTheStatementClosesLeavesItClosedAndReleasedOnce()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        var payout = PayoutSettings("00:00:08", "00:00:02", "00:00:02");
        var environment = payout.ToDictionary(p => p.Key.Replace(":", "__", StringComparison.Ordinal), p => p.Value!);
        await using var a = SiloProcess.Start(cluster.Settings, environment);
        await using var b = SiloProcess.Start(cluster.Settings, environment);
        await cluster.WaitForActiveSilosAsync(2, a, b);
        using var clientHost = await ClusterClientHost.StartAsync(cluster.Settings);
        var grains = clientHost.Services.GetRequiredService<IClusterClient>();

        // A ledger writer in this process, opening statements through the cluster as a silo's writer does.
        var options = new IptoOptions { Mode = "cluster", Postgres = { ConnectionString = cluster.Settings.ConnectionString }, Payouts = { Period = "00:00:08" } };
        await using var database = AppDatabase.Create(options);
        using var ledger = new LedgerWriter(database, NullLogger<LedgerWriter>.Instance,
            statements: new PayoutStatementOpener(clientHost.Services, Options.Create(options)));
        await ledger.StartAsync(CancellationToken.None);
        var tenant = Ids.New(IdPrefixes.Tenant);
        var periods = PayoutPeriods.Parse("00:00:08");
        var at = TimeWithRoom(periods, TimeSpan.FromSeconds(3));
        await ledger.AppendAsync(new AccessEventRow(Ids.New(IdPrefixes.Access, at), AccessTypes.Download, "tnt_buyer", tenant, "dset_x", null, null, null, 2_000_000, at));
        var statement = grains.GetGrain<IPayoutStatementGrain>(PayoutKeys.Of(tenant, periods.StartOf(at)));
        var opened = await statement.Get(Operator with { TenantId = tenant });
        Assert.Equal(PayoutStatuses.Open, opened.Status);

        // Kill the silo that hosts the statement the moment its close is due.
        var host = (await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics())
            .FirstOrDefault(g => g.GrainId.ToString().Contains(tenant, StringComparison.Ordinal))?.SiloAddress.ToString() ?? "";
        var victim = host.Contains(":" + b.SiloPort.ToString(CultureInfo.InvariantCulture) + ":", StringComparison.Ordinal) ? b : a;
        await Eventually.Until(() => Task.FromResult(DateTimeOffset.UtcNow), now => now >= opened.PeriodEnd + TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), "the close to be due");
        victim.Kill();

        var released = await Eventually.Until(() => statement.Get(Operator with { TenantId = tenant }), s => s.Status == PayoutStatuses.Released,
            TimeSpan.FromSeconds(120), "the release after the kill", retryErrors: true);
        Assert.Equal((2_000_000L, 1_600_000L, 1_600_000L), (released.GrossMicros, released.EarningsMicros, released.ReleasedMicros));
        Assert.Equal(1, await EventsAsync(cluster, released.StatementId, PayoutEventTypes.Closed));
        Assert.Equal(1, await EventsAsync(cluster, released.StatementId, PayoutEventTypes.Released));
        Assert.Equal(PayoutStatuses.Released, await cluster.Database.ScalarAsync<string>(
            $"SELECT status FROM payout_statements WHERE statement_id = '{released.StatementId}'"));
        await ledger.StopAsync(CancellationToken.None);
        await clientHost.StopAsync();
    }
}
