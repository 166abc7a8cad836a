using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Common;
using Ipto.Grains.Metering;
using Ipto.Grains.Storage;
using Ipto.Metering;
using Ipto.Testing;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Payouts;

/// <summary>
/// The embedded Api with hourly settlement periods, a one-second grace and hold window: a period an hour ago closes
/// and releases at once, a period a day ahead stays open through the tests. Earnings are written to the ledger as the
/// charging grains would (the ledger writer opens the statements).
/// </summary>
public sealed class PayoutsFixture : IdentityFixture
{
    protected override IptoApiFactory CreateFactory(string dataDir) => new(dataDir, new Dictionary<string, string?>(Settings)
    {
        ["Ipto:Payouts:Period"] = "01:00:00",
        ["Ipto:Payouts:CloseGrace"] = "00:00:01",
        ["Ipto:Payouts:HoldWindow"] = "00:00:01",
        ["Ipto:Reminders:MinimumPeriod"] = "00:00:01",
    }, testCredentials: false);
}

public sealed class PayoutsEndpointsTests(PayoutsFixture fixture) : IClassFixture<PayoutsFixture>
{
    private IptoApiFactory Api => fixture.Factory;

    private sealed record Provider(Account Account, HttpClient Session, string DatasetId);

    private async Task<Provider> ProviderAsync(string name = "Provider Co")
    {
        var account = await Api.SignupAsync(tenantName: name);
        var session = Api.WithBearer(account.SessionToken);
        var dataset = (await (await session.PostAsync("/v1/datasets", Body(new { name = "Shipping records", visibility = "listed" }))).DataAsync(HttpStatusCode.Created))
            .GetProperty("dataset_id").GetString()!;
        return new Provider(account, session, dataset);
    }

    private async Task<HttpClient> AdminAsync() =>
        Api.WithBearer((await (await Api.LoginAsync(AdminEmail, AdminPassword)).DataAsync()).GetProperty("session_token").GetString()!);

    private const string AdminEmail = IdentityFixture.AdminEmail;
    private const string AdminPassword = IdentityFixture.AdminPassword;

    /// <summary>Charges of other tenants on the provider's dataset at <paramref name="at"/>.</summary>
    private async Task EarnAsync(Provider provider, DateTimeOffset at, params long[] micros)
    {
        var ledger = Api.Services.GetRequiredService<LedgerWriter>();
        foreach (var amount in micros)
            await ledger.AppendAsync(new AccessEventRow(Ids.New(IdPrefixes.Access, at), AccessTypes.Download, "tnt_buyer" + amount % 2, provider.Account.TenantId,
                provider.DatasetId, null, null, null, amount, at));
    }

    private static DateTimeOffset Ahead => DateTimeOffset.UtcNow.AddDays(1);

    private static async Task<JsonElement[]> ListAsync(HttpClient client, string query = "") =>
        (await (await client.GetAsync("/v1/provider/payouts" + query)).DataAsync()).GetProperty("items").EnumerateArray().ToArray();

    private static async Task<JsonElement> OnlyStatementAsync(HttpClient client) => Assert.Single(await ListAsync(client));

    private static string IdOf(JsonElement statement) => statement.GetProperty("statement_id").GetString()!;

    private static decimal Amount(JsonElement e, string field) => e.GetProperty(field).GetDecimal();

    [Fact]
    public async Task AnOpenStatementShowsLiveAmountsFromTheLedger()
    {
        var p = await ProviderAsync();
        Assert.Empty(await ListAsync(p.Session));
        await EarnAsync(p, Ahead, 1_500_000, 250_001);

        var statement = await OnlyStatementAsync(p.Session);
        Assert.StartsWith("pay_", IdOf(statement));
        Assert.Equal("open", statement.GetProperty("status").GetString());
        Assert.Equal(p.Account.TenantId, statement.GetProperty("tenant_id").GetString());
        Assert.Equal((1.750001m, 0.35m, 1.400001m), (Amount(statement, "gross_revenue"), Amount(statement, "platform_fee"), Amount(statement, "earnings")));
        Assert.Equal((0m, 1.400001m, 0m), (Amount(statement, "held_amount"), Amount(statement, "releasable_amount"), Amount(statement, "released_amount")));
        Assert.Equal("USD", statement.GetProperty("currency").GetString());
        foreach (var field in new[] { "closed_at", "hold_until", "released_at", "paid_at", "payment_reference" })
            Assert.Equal(JsonValueKind.Null, statement.GetProperty(field).ValueKind);
        var byDataset = Assert.Single(statement.GetProperty("by_dataset").EnumerateArray());
        Assert.Equal((p.DatasetId, "Shipping records", 1.750001m), (byDataset.GetProperty("dataset_id").GetString(), byDataset.GetProperty("dataset_name").GetString(),
            Amount(byDataset, "gross")));
        var start = statement.GetProperty("period_start").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromHours(1), statement.GetProperty("period_end").GetDateTimeOffset() - start);
        Assert.Equal(0, start.Minute);

        // Live: a later event of the period shows at once, in the list and in the statement.
        await EarnAsync(p, Ahead, 1_000_000);
        Assert.Equal(2.750001m, Amount(await OnlyStatementAsync(p.Session), "gross_revenue"));
        var one = await (await p.Session.GetAsync($"/v1/provider/payouts/{IdOf(statement)}")).DataAsync();
        Assert.Equal((IdOf(statement), 2.750001m, 0.55m), (IdOf(one), Amount(one, "gross_revenue"), Amount(one, "platform_fee")));
    }

    [Fact]
    public async Task StatementsAreListedNewestFirstAndFiltered()
    {
        var p = await ProviderAsync();
        var now = DateTimeOffset.UtcNow;
        await EarnAsync(p, now.AddDays(2), 10);
        await EarnAsync(p, now.AddDays(1), 20);
        var all = await ListAsync(p.Session);
        Assert.Equal(2, all.Length);
        Assert.True(all[0].GetProperty("period_start").GetDateTimeOffset() > all[1].GetProperty("period_start").GetDateTimeOffset());

        var firstPage = await (await p.Session.GetAsync("/v1/provider/payouts?limit=1")).DataAsync();
        Assert.True(firstPage.GetProperty("has_more").GetBoolean());
        var next = await (await p.Session.GetAsync($"/v1/provider/payouts?limit=1&cursor={Uri.EscapeDataString(firstPage.GetProperty("next_cursor").GetString()!)}")).DataAsync();
        Assert.Equal(IdOf(all[1]), IdOf(next.GetProperty("items")[0]));
        Assert.False(next.GetProperty("has_more").GetBoolean());

        var later = all[0].GetProperty("period_start").GetString();
        Assert.Equal([IdOf(all[0])], (await ListAsync(p.Session, $"?from={later}")).Select(IdOf));
        Assert.Equal([IdOf(all[1])], (await ListAsync(p.Session, $"?to={later}")).Select(IdOf));
        Assert.Equal(2, (await ListAsync(p.Session, "?status=open")).Length);
        Assert.Empty(await ListAsync(p.Session, "?status=paid"));

        await (await p.Session.GetAsync("/v1/provider/payouts?status=pending")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await p.Session.GetAsync("/v1/provider/payouts?from=yesterday")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await p.Session.GetAsync($"/v1/provider/payouts?from={later}&to={later}")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await p.Session.GetAsync("/v1/provider/payouts?limit=0")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await p.Session.GetAsync("/v1/provider/payouts?cursor=forged")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task ReadsNeedBillingReadAndStayWithinTheTenant()
    {
        var p = await ProviderAsync();
        await EarnAsync(p, Ahead, 100);
        var id = IdOf(await OnlyStatementAsync(p.Session));

        var (_, billingKey) = await p.Session.CreateKeyAsync("billing:read");
        using var billing = Api.WithApiKey(billingKey);
        Assert.Equal(id, IdOf(await OnlyStatementAsync(billing)));
        await (await billing.GetAsync($"/v1/provider/payouts/{id}")).DataAsync();

        var (_, usageKey) = await p.Session.CreateKeyAsync("usage:read");
        using var usage = Api.WithApiKey(usageKey);
        var denied = await (await usage.GetAsync("/v1/provider/payouts")).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Contains("billing:read", denied.GetProperty("message").GetString());
        await (await usage.GetAsync($"/v1/provider/payouts/{id}")).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");

        var other = await ProviderAsync("Other Co");
        Assert.Empty(await ListAsync(other.Session));
        await (await other.Session.GetAsync($"/v1/provider/payouts/{id}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await p.Session.GetAsync($"/v1/provider/payouts/{Ids.New(IdPrefixes.PayoutStatement)}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await p.Session.GetAsync("/v1/provider/payouts/not-an-id")).ErrorAsync(HttpStatusCode.NotFound, "not_found");

        using var anonymous = Api.ClientFor(null);
        await (await anonymous.GetAsync("/v1/provider/payouts")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await anonymous.GetAsync($"/v1/provider/payouts/{id}")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        using var forged = Api.WithBearer("sess_forged");
        await (await forged.GetAsync("/v1/provider/payouts")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        using var badKey = Api.WithApiKey("ipto_abcdefgh_0000000000000000000000000000000000000000");
        await (await badKey.GetAsync($"/v1/provider/payouts/{id}")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task PlatformAdminsListEveryStatementAndOthersAreRefused()
    {
        var p = await ProviderAsync();
        await EarnAsync(p, Ahead, 100);
        var id = IdOf(await OnlyStatementAsync(p.Session));
        using var admin = await AdminAsync();

        var mine = (await (await admin.GetAsync($"/v1/admin/payouts?tenant_id={p.Account.TenantId}")).DataAsync()).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal([id], mine.Select(IdOf));
        Assert.Equal(0.000100m, Amount(mine[0], "gross_revenue"));
        var open = (await (await admin.GetAsync($"/v1/admin/payouts?status=open&tenant_id={p.Account.TenantId}&from={mine[0].GetProperty("period_start").GetString()}")).DataAsync())
            .GetProperty("items");
        Assert.Equal(1, open.GetArrayLength());
        Assert.Equal(0, (await (await admin.GetAsync($"/v1/admin/payouts?status=closed&tenant_id={p.Account.TenantId}")).DataAsync()).GetProperty("items").GetArrayLength());
        await (await admin.GetAsync("/v1/admin/payouts?tenant_id=acme")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await admin.GetAsync("/v1/admin/payouts?status=nope")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");

        await (await p.Session.GetAsync("/v1/admin/payouts")).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await p.Session.PostAsync($"/v1/admin/payouts/{id}/holds", Body(new { amount = 0.00001m, reason = "x" }))).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await p.Session.DeleteAsync($"/v1/admin/payouts/{id}/holds/hold_x")).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await p.Session.PostAsync($"/v1/admin/payouts/{id}/mark-paid", Body(new { reference = "x" }))).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        using var anonymous = Api.ClientFor(null);
        await (await anonymous.GetAsync("/v1/admin/payouts")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await anonymous.PostAsync($"/v1/admin/payouts/{id}/holds", Body(new { amount = 1m, reason = "x" }))).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task HoldsArePlacedCheckedAndLifted()
    {
        var p = await ProviderAsync();
        await EarnAsync(p, Ahead, 2_000_000); // earnings 1.60
        var id = IdOf(await OnlyStatementAsync(p.Session));
        using var admin = await AdminAsync();
        var holds = $"/v1/admin/payouts/{id}/holds";

        var hold = await (await admin.PostAsync(holds, Body(new { amount = 0.5m, reason = "buyer dispute" }))).DataAsync(HttpStatusCode.Created);
        Assert.StartsWith("hold_", hold.GetProperty("hold_id").GetString());
        Assert.Equal((0.5m, "buyer dispute"), (Amount(hold, "amount"), hold.GetProperty("reason").GetString()));
        Assert.Equal(JsonValueKind.Null, hold.GetProperty("lifted_at").ValueKind);
        var statement = await OnlyStatementAsync(p.Session);
        Assert.Equal((0.5m, 1.1m), (Amount(statement, "held_amount"), Amount(statement, "releasable_amount")));
        Assert.Equal(hold.GetProperty("hold_id").GetString(), statement.GetProperty("holds")[0].GetProperty("hold_id").GetString());

        async Task<string[]> RefusedAsync(object body) =>
            (await (await admin.PostAsync(holds, Body(body))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed"))
            .GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()!).ToArray();
        Assert.Equal(["amount"], await RefusedAsync(new { amount = 1.100001m, reason = "too much" })); // 1.10 left to hold
        Assert.Equal(["amount"], await RefusedAsync(new { amount = 0m, reason = "zero" }));
        Assert.Equal(["amount"], await RefusedAsync(new { amount = -1m, reason = "negative" }));
        Assert.Equal(["amount"], await RefusedAsync(new { amount = 0.0000001m, reason = "seven decimals" }));
        Assert.Equal(["amount", "reason"], await RefusedAsync(new { }));
        Assert.Equal(["reason"], await RefusedAsync(new { amount = 0.1m, reason = new string('r', 2001) }));
        Assert.Equal(["amount"], await RefusedAsync(new { amount = "0.1", reason = "string amount" }));
        await (await admin.PostAsync(holds, Json("[1]"))).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await admin.PostAsync($"/v1/admin/payouts/{Ids.New(IdPrefixes.PayoutStatement)}/holds", Body(new { amount = 0.1m, reason = "x" })))
            .ErrorAsync(HttpStatusCode.NotFound, "not_found");

        // Idempotency-Key: a retry answers the first hold, replayed.
        var keyed = new HttpRequestMessage(HttpMethod.Post, holds) { Content = Body(new { amount = 1.1m, reason = "the rest" }) };
        keyed.Headers.Add("Idempotency-Key", "hold-rest-1");
        var first = await (await admin.SendAsync(keyed)).DataAsync(HttpStatusCode.Created);
        var retry = new HttpRequestMessage(HttpMethod.Post, holds) { Content = Body(new { amount = 1.1m, reason = "the rest" }) };
        retry.Headers.Add("Idempotency-Key", "hold-rest-1");
        var replayed = await admin.SendAsync(retry);
        Assert.Equal("true", replayed.Headers.GetValues("Idempotency-Replayed").Single());
        Assert.Equal(HttpStatusCode.Created, replayed.StatusCode);
        // A replay carries the first response's body (its request id included) byte for byte.
        Assert.Equal(first.GetProperty("hold_id").GetString(),
            JsonDocument.Parse(await replayed.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("hold_id").GetString());
        Assert.Equal(1.6m, Amount(await OnlyStatementAsync(p.Session), "held_amount"));

        var lifted = await (await admin.DeleteAsync($"{holds}/{hold.GetProperty("hold_id").GetString()}")).DataAsync();
        Assert.NotEqual(JsonValueKind.Null, lifted.GetProperty("lifted_at").ValueKind);
        var again = await (await admin.DeleteAsync($"{holds}/{hold.GetProperty("hold_id").GetString()}")).DataAsync();
        Assert.Equal(lifted.GetProperty("lifted_at").GetString(), again.GetProperty("lifted_at").GetString());
        Assert.Equal((1.1m, 0.5m), (Amount(await OnlyStatementAsync(p.Session), "held_amount"), Amount(await OnlyStatementAsync(p.Session), "releasable_amount")));
        await (await admin.DeleteAsync($"{holds}/hold_unknown")).ErrorAsync(HttpStatusCode.NotFound, "not_found");

        // mark-paid only from released.
        var conflict = await (await admin.PostAsync($"/v1/admin/payouts/{id}/mark-paid", Body(new { reference = "wire-1" })))
            .ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
        Assert.Contains("open", conflict.GetProperty("message").GetString());
    }

    [Fact]
    public async Task AnEndedPeriodClosesAndReleasesByItselfAndIsThenMarkedPaid()
    {
        var p = await ProviderAsync();
        await EarnAsync(p, DateTimeOffset.UtcNow.AddHours(-2), 1_000_000, 3);
        using var admin = await AdminAsync();
        var released = await Eventually.Until(() => OnlyStatementAsync(p.Session), s => s.GetProperty("status").GetString() == "released",
            TimeSpan.FromSeconds(30), "the statement to be released");
        var id = IdOf(released);
        Assert.Equal((1.000003m, 0.200001m, 0.800002m), (Amount(released, "gross_revenue"), Amount(released, "platform_fee"), Amount(released, "earnings")));
        Assert.Equal(0.800002m, Amount(released, "released_amount"));
        Assert.Equal(released.GetProperty("closed_at").GetDateTimeOffset() + TimeSpan.FromSeconds(1), released.GetProperty("hold_until").GetDateTimeOffset());

        // Frozen: an event of the period committed after the close does not change the statement.
        await EarnAsync(p, released.GetProperty("period_start").GetDateTimeOffset(), 5_000_000);
        Assert.Equal(1.000003m, Amount(await OnlyStatementAsync(p.Session), "gross_revenue"));

        // After release nothing is left to hold: 422; a missing reference is 422, then paid, then 409.
        Assert.Equal("amount", (await (await admin.PostAsync($"/v1/admin/payouts/{id}/holds", Body(new { amount = 0.000001m, reason = "late" })))
            .ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).GetProperty("details")[0].GetProperty("field").GetString());
        Assert.Equal("reference", (await (await admin.PostAsync($"/v1/admin/payouts/{id}/mark-paid", Body(new { })))
            .ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).GetProperty("details")[0].GetProperty("field").GetString());
        var paid = await (await admin.PostAsync($"/v1/admin/payouts/{id}/mark-paid", Body(new { reference = "wire-42" }))).DataAsync();
        Assert.Equal(("paid", "wire-42"), (paid.GetProperty("status").GetString(), paid.GetProperty("payment_reference").GetString()));
        Assert.NotEqual(JsonValueKind.Null, paid.GetProperty("paid_at").ValueKind);
        await (await admin.PostAsync($"/v1/admin/payouts/{id}/mark-paid", Body(new { reference = "wire-43" }))).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
        await (await admin.PostAsync($"/v1/admin/payouts/{id}/holds", Body(new { amount = -1m }))).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
        Assert.Equal("paid", (await OnlyStatementAsync(p.Session)).GetProperty("status").GetString());
        Assert.Equal(1, (await (await admin.GetAsync($"/v1/admin/payouts?status=paid&tenant_id={p.Account.TenantId}")).DataAsync()).GetProperty("items").GetArrayLength());

        // Each transition is in the outbox once, with the statement's data.
        var database = Api.Services.GetRequiredService<AppDatabase>();
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("SELECT type, event_id, data FROM outbox_events WHERE subject_id = @id ORDER BY type").With("@id", id);
        var events = new List<(string Type, string Id, string Data)>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) events.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        Assert.Equal(["payout.closed", "payout.released"], events.Select(e => e.Type));
        Assert.All(events, e => Assert.StartsWith("evt_", e.Id));
        var releasedData = JsonDocument.Parse(events[1].Data).RootElement;
        Assert.Equal((id, "released", 0.800002m), (releasedData.GetProperty("statement_id").GetString(), releasedData.GetProperty("status").GetString(),
            releasedData.GetProperty("released_amount").GetDecimal()));
    }
}
