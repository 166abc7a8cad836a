using System.Net;
using System.Text;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Testing.Webhooks;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Webhooks;

/// <summary>An embedded Api that may deliver to 127.0.0.1 (<c>AllowInsecureTargets</c>), retrying every second, and a receiver there.</summary>
public sealed class WebhookFixture : ApiFixture, IAsyncLifetime
{
    public WebhookReceiver Receiver { get; private set; } = null!;

    protected override IptoApiFactory CreateFactory(string dataDir) => new(dataDir, new Dictionary<string, string?>(IdentityFixture.Settings)
    {
        ["Ipto:Webhooks:AllowInsecureTargets"] = "true",
        ["Ipto:Webhooks:RetrySchedule"] = "00:00:01,00:00:01,00:00:01",
    }, testCredentials: false);

    async Task IAsyncLifetime.InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        await InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

/// <summary>
/// Webhook endpoints and delivery (SPEC §11, §13) through the public API, delivered over real HTTP to a receiver on
/// 127.0.0.1: CRUD and its errors, events from the outbox in order with Standard Webhooks signatures, retries and the
/// delivery log, rotation, test events, redelivery, automatic disabling and tenant isolation.
/// </summary>
public sealed class WebhooksEndpointsTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    private IptoApiFactory Api => fixture.Factory;
    private WebhookReceiver Receiver => fixture.Receiver;

    private async Task<HttpClient> OwnerAsync() => Api.WithBearer((await Api.SignupAsync()).SessionToken);

    private async Task<HttpClient> AdminAsync() =>
        Api.WithBearer((await (await Api.LoginAsync(IdentityFixture.AdminEmail, IdentityFixture.AdminPassword)).DataAsync()).GetProperty("session_token").GetString()!);

    private static async Task<JsonElement> CreateAsync(HttpClient owner, string url, params string[] eventTypes) =>
        await (await owner.PostAsync("/v1/webhooks", Body(new { url, event_types = eventTypes, description = "test receiver" }))).DataAsync(HttpStatusCode.Created);

    private static string NewPath() => "hook-" + Guid.NewGuid().ToString("N");

    private async Task<IReadOnlyList<ReceivedWebhook>> ReceivedAsync(string path, Func<IReadOnlyList<ReceivedWebhook>, bool> done, string what) =>
        await Eventually.Until(() => Task.FromResult(Receiver.At(path)), done, DeliveryTimeout, what);

    private static async Task<string> TestAsync(HttpClient owner, string webhookId) =>
        (await (await owner.PostAsync($"/v1/webhooks/{webhookId}/test", null)).DataAsync(HttpStatusCode.Accepted)).GetProperty("event_id").GetString()!;

    [Fact]
    public async Task CreateShowsTheSecretOnceAndTheEndpointIsListedReadUpdatedAndDeleted()
    {
        using var owner = await OwnerAsync();
        var url = Receiver.Url(NewPath());
        var created = await CreateAsync(owner, url, "object.status_changed", "object.review_decided");
        var webhookId = created.GetProperty("webhook_id").GetString()!;
        var secret = created.GetProperty("secret").GetString()!;

        Assert.StartsWith("whk_", webhookId);
        Assert.StartsWith("whsec_", secret);
        Assert.True(Convert.FromBase64String(secret["whsec_".Length..]).Length >= 24);
        Assert.Equal("enabled", created.GetProperty("status").GetString());
        Assert.Equal(url, created.GetProperty("url").GetString());
        Assert.Equal(["object.status_changed", "object.review_decided"], created.GetProperty("event_types").EnumerateArray().Select(e => e.GetString()));

        var read = await (await owner.GetAsync($"/v1/webhooks/{webhookId}")).DataAsync();
        Assert.False(read.TryGetProperty("secret", out _));
        Assert.Equal("test receiver", read.GetProperty("description").GetString());
        var listed = await (await owner.GetAsync("/v1/webhooks")).DataAsync();
        Assert.Equal([webhookId], listed.GetProperty("items").EnumerateArray().Select(w => w.GetProperty("webhook_id").GetString()));
        Assert.DoesNotContain(secret, listed.GetRawText());

        var updated = await (await owner.PatchAsync($"/v1/webhooks/{webhookId}", Body(new { event_types = new[] { "*" }, status = "disabled", description = "all" })))
            .DataAsync();
        Assert.Equal("disabled", updated.GetProperty("status").GetString());
        Assert.Equal(["*"], updated.GetProperty("event_types").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(url, updated.GetProperty("url").GetString());

        var deleted = await (await owner.DeleteAsync($"/v1/webhooks/{webhookId}")).DataAsync();
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        await (await owner.GetAsync($"/v1/webhooks/{webhookId}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await owner.PatchAsync($"/v1/webhooks/{webhookId}", Body(new { description = "x" }))).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await owner.PostAsync($"/v1/webhooks/{webhookId}/test", null)).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Empty((await (await owner.GetAsync("/v1/webhooks")).DataAsync()).GetProperty("items").EnumerateArray());
        Assert.DoesNotContain(Api.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"event_types":["*"]}""", "url")]
    [InlineData("""{"url":"ftp://127.0.0.1/x","event_types":["*"]}""", "url")]
    [InlineData("""{"url":"http://127.0.0.1/x"}""", "event_types")]
    [InlineData("""{"url":"http://127.0.0.1/x","event_types":[]}""", "event_types")]
    [InlineData("""{"url":"http://127.0.0.1/x","event_types":["object.status_changed","object.deleted"]}""", "event_types[1]")]
    [InlineData("""{"url":"http://127.0.0.1/x","event_types":["*"],"description":7}""", "description")]
    public async Task CreateRefusesInvalidFieldsNamingThem(string body, string field)
    {
        using var owner = await OwnerAsync();
        var error = await (await owner.PostAsync("/v1/webhooks", Json(body))).ErrorAsync((HttpStatusCode)422, "validation_failed");
        Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetProperty("field").GetString() == field);
        Assert.Empty((await (await owner.GetAsync("/v1/webhooks")).DataAsync()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task UpdateRefusesAnUnknownStatusEventTypeOrLongDescription()
    {
        using var owner = await OwnerAsync();
        var webhookId = (await CreateAsync(owner, Receiver.Url(NewPath()), "*")).GetProperty("webhook_id").GetString()!;
        foreach (var (body, field) in new[]
                 {
                     ("""{"status":"paused"}""", "status"),
                     ("""{"event_types":["payout.closed","nope"]}""", "event_types[1]"),
                     ($$"""{"description":"{{new string('d', 501)}}"}""", "description"),
                     ("""{"url":"mailto:a@b.c"}""", "url"),
                 })
        {
            var error = await (await owner.PatchAsync($"/v1/webhooks/{webhookId}", Json(body))).ErrorAsync((HttpStatusCode)422, "validation_failed");
            Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetProperty("field").GetString() == field);
        }

        var unchanged = await (await owner.GetAsync($"/v1/webhooks/{webhookId}")).DataAsync();
        Assert.Equal("enabled", unchanged.GetProperty("status").GetString());
        Assert.Equal(["*"], unchanged.GetProperty("event_types").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task KeysAndMembersWithoutOwnerOrAdminGet403OtherTenantsGet404AndNoCredentialGets401()
    {
        using var owner = await OwnerAsync();
        var webhookId = (await CreateAsync(owner, Receiver.Url(NewPath()), "*")).GetProperty("webhook_id").GetString()!;
        var (_, key) = await owner.CreateKeyAsync("datasets:read");
        using var withKey = Api.WithApiKey(key);
        using var stranger = await OwnerAsync();
        using var anonymous = Api.ClientFor(null);
        using var badToken = Api.WithBearer("sess_" + new string('x', 43));
        var viewer = await Api.InviteAndJoinAsync(owner, "viewer");
        using var viewerSession = Api.WithBearer(viewer.SessionToken);

        var calls = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, "/v1/webhooks", null),
            (HttpMethod.Post, "/v1/webhooks", $$"""{"url":"{{Receiver.Url(NewPath())}}","event_types":["*"]}"""),
            (HttpMethod.Get, $"/v1/webhooks/{webhookId}", null),
            (HttpMethod.Patch, $"/v1/webhooks/{webhookId}", """{"description":"x"}"""),
            (HttpMethod.Delete, $"/v1/webhooks/{webhookId}", null),
            (HttpMethod.Post, $"/v1/webhooks/{webhookId}/rotate-secret", null),
            (HttpMethod.Post, $"/v1/webhooks/{webhookId}/test", null),
            (HttpMethod.Get, $"/v1/webhooks/{webhookId}/deliveries", null),
            (HttpMethod.Post, $"/v1/webhooks/{webhookId}/deliveries/dlv_01aaaaaaaaaaaaaaaaaaaaaaaa/redeliver", null),
        };
        foreach (var (method, path, body) in calls)
        {
            HttpRequestMessage Request() => new(method, path) { Content = body is null ? null : Json(body) };
            await (await withKey.SendAsync(Request())).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await viewerSession.SendAsync(Request())).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await anonymous.SendAsync(Request())).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
            await (await badToken.SendAsync(Request())).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
            if (path.Contains(webhookId, StringComparison.Ordinal))
                await (await stranger.SendAsync(Request())).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        }

        Assert.Empty((await (await stranger.GetAsync("/v1/webhooks")).DataAsync()).GetProperty("items").EnumerateArray());
        Assert.Equal("enabled", (await (await owner.GetAsync($"/v1/webhooks/{webhookId}")).DataAsync()).GetProperty("status").GetString());
        await (await owner.PostAsync($"/v1/webhooks/{webhookId}/deliveries/dlv_01aaaaaaaaaaaaaaaaaaaaaaaa/redeliver", null))
            .ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task UploadApproveAndDeleteDeliverObjectEventsInOrderWithSignaturesTheLibraryAndTheHandComputationAccept()
    {
        using var owner = await OwnerAsync();
        using var admin = await AdminAsync();
        var path = NewPath();
        var created = await CreateAsync(owner, Receiver.Url(path), "object.status_changed", "object.review_decided");
        var secret = created.GetProperty("secret").GetString()!;
        var datasetId = (await (await owner.PostAsync("/v1/datasets", Body(new { name = "Hooked" }))).DataAsync(HttpStatusCode.Created))
            .GetProperty("dataset_id").GetString()!;

        using var store = Api.ClientFor(null);
        var objectId = (await owner.UploadAsync(store, datasetId, "doc.txt", "text/plain", Encoding.UTF8.GetBytes("webhooks carry the news"))).ObjectId;
        await owner.WaitForStatusAsync(objectId, "ready");
        await admin.ApproveAsync(objectId);
        await owner.WaitForStatusAsync(objectId, "active");
        await (await owner.DeleteAsync($"/v1/objects/{objectId}")).DataAsync();

        var received = await ReceivedAsync(path, r => r.Any(w => w.Type == "object.status_changed" && w.Data.GetProperty("status").GetString() == "deleted"),
            "the deleted object's event");
        foreach (var webhook in received)
        {
            webhook.VerifyWithLibrary(secret);
            Assert.True(webhook.SignedByHand(secret), $"signature {webhook.Signature} is not the HMAC of {webhook.Id}.{webhook.Timestamp}.body");
            Assert.Equal(webhook.Id, webhook.Json.GetProperty("id").GetString());
            Assert.StartsWith("evt_", webhook.Id);
            Assert.Equal(objectId, webhook.Data.GetProperty("object_id").GetString());
        }

        Assert.Equal(received.Count, received.Select(r => r.Id).Distinct().Count());
        var statuses = received.Where(r => r.Type == "object.status_changed").Select(r => r.Data.GetProperty("status").GetString()!).ToArray();
        Assert.Equal(["processing", "ready", "indexing", "active", "deleted"], statuses.Where(s => s is not "pending_upload").ToArray());
        var changes = received.Where(r => r.Type == "object.status_changed").ToArray();
        for (var i = 1; i < changes.Length; i++)
            Assert.Equal(changes[i - 1].Data.GetProperty("status").GetString(), changes[i].Data.GetProperty("previous_status").GetString());

        var decided = Assert.Single(received, r => r.Type == "object.review_decided");
        Assert.Equal("approved", decided.Data.GetProperty("review_state").GetString());
        var order = received.Select(r => r.Type == "object.review_decided" ? "decided" : r.Data.GetProperty("status").GetString()).ToList();
        Assert.True(order.IndexOf("ready") < order.IndexOf("decided") && order.IndexOf("decided") < order.IndexOf("active"), string.Join(", ", order));
        Assert.All(received, r => Assert.Equal(200, r.Answered));
    }

    [Fact]
    public async Task AReceiverFailingThreeTimesGetsTheEventOnTheFourthAttemptAndTheLogShowsAllFour()
    {
        using var owner = await OwnerAsync();
        var path = NewPath();
        Receiver.Script(path, 500, 500, 500);
        var webhookId = (await CreateAsync(owner, Receiver.Url(path), "dataset.status_changed")).GetProperty("webhook_id").GetString()!;
        var eventId = await TestAsync(owner, webhookId);

        var received = await ReceivedAsync(path, r => r.Any(w => w.Answered == 200), "the fourth attempt");
        Assert.Equal([500, 500, 500, 200], received.Select(r => r.Answered));
        Assert.All(received, r => Assert.Equal(eventId, r.Id));

        var log = await Eventually.Until(async () => await (await owner.GetAsync($"/v1/webhooks/{webhookId}/deliveries")).DataAsync(),
            d => d.GetProperty("items").GetArrayLength() == 4, DeliveryTimeout, "four attempts in the log");
        var attempts = log.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal([4, 3, 2, 1], attempts.Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.Equal([200, 500, 500, 500], attempts.Select(a => a.GetProperty("status_code").GetInt32()));
        Assert.All(attempts, a => Assert.Equal(eventId, a.GetProperty("event_id").GetString()));
        Assert.All(attempts, a => Assert.Equal("webhook.test", a.GetProperty("event_type").GetString()));
        Assert.Single(attempts.Select(a => a.GetProperty("delivery_id").GetString()).Distinct());
        Assert.Equal(JsonValueKind.Null, attempts[0].GetProperty("next_attempt_at").ValueKind);
        Assert.All(attempts[1..], a => Assert.Equal(JsonValueKind.String, a.GetProperty("next_attempt_at").ValueKind));
        Assert.All(attempts[1..], a => Assert.Contains("500", a.GetProperty("error").GetString()));

        var page = await (await owner.GetAsync($"/v1/webhooks/{webhookId}/deliveries?limit=3")).DataAsync();
        var rest = await (await owner.GetAsync($"/v1/webhooks/{webhookId}/deliveries?limit=3&cursor={page.GetProperty("next_cursor").GetString()}")).DataAsync();
        Assert.Equal([1], rest.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("attempt").GetInt32()));
    }

    [Fact]
    public async Task TestEventsIgnoreTheFilterAndRedeliveryResendsTheSameEventId()
    {
        using var owner = await OwnerAsync();
        var path = NewPath();
        var webhookId = (await CreateAsync(owner, Receiver.Url(path), "payout.closed")).GetProperty("webhook_id").GetString()!;
        var eventId = await TestAsync(owner, webhookId);
        var first = Assert.Single(await ReceivedAsync(path, r => r.Count == 1, "the test event"));
        Assert.Equal("webhook.test", first.Type);
        Assert.Equal(webhookId, first.Data.GetProperty("webhook_id").GetString());

        var deliveryId = (await Eventually.Until(async () => await (await owner.GetAsync($"/v1/webhooks/{webhookId}/deliveries")).DataAsync(),
            d => d.GetProperty("items").GetArrayLength() == 1, DeliveryTimeout, "the attempt")).GetProperty("items")[0].GetProperty("delivery_id").GetString()!;
        var redelivery = await (await owner.PostAsync($"/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver", null)).DataAsync(HttpStatusCode.Accepted);
        Assert.Equal(deliveryId, redelivery.GetProperty("delivery_id").GetString());

        var both = await ReceivedAsync(path, r => r.Count == 2, "the redelivery");
        Assert.Equal([eventId, eventId], both.Select(r => r.Id));
        Assert.Equal(first.Body, both[1].Body);
    }

    [Fact]
    public async Task AfterRotationDeliveriesCarryASignatureFromEachSecret()
    {
        using var owner = await OwnerAsync();
        var path = NewPath();
        var created = await CreateAsync(owner, Receiver.Url(path), "*");
        var (webhookId, oldSecret) = (created.GetProperty("webhook_id").GetString()!, created.GetProperty("secret").GetString()!);

        var rotated = await (await owner.PostAsync($"/v1/webhooks/{webhookId}/rotate-secret", null)).DataAsync();
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.Equal(webhookId, rotated.GetProperty("webhook_id").GetString());
        Assert.StartsWith("whsec_", newSecret);
        Assert.NotEqual(oldSecret, newSecret);

        await TestAsync(owner, webhookId);
        var webhook = Assert.Single(await ReceivedAsync(path, r => r.Count == 1, "the test event"));
        Assert.Equal(2, webhook.Signature.Split(' ').Length);
        webhook.VerifyWithLibrary(newSecret);
        webhook.VerifyWithLibrary(oldSecret);
        Assert.True(webhook.SignedByHand(newSecret));
        Assert.True(webhook.SignedByHand(oldSecret));
        Assert.False(webhook.SignedByHand("whsec_" + Convert.ToBase64String(new byte[32])));
        Assert.DoesNotContain(Api.Logs.Lines, line => line.Contains(newSecret, StringComparison.Ordinal) || line.Contains(oldSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnEndpointWhoseLastFiveEventsFailedEveryAttemptIsDisabledAndHoldsLaterEventsUntilEnabled()
    {
        using var owner = await OwnerAsync();
        var path = NewPath();
        Receiver.Script(path, Enumerable.Repeat(503, 5 * 4).ToArray());
        var webhookId = (await CreateAsync(owner, Receiver.Url(path), "*")).GetProperty("webhook_id").GetString()!;
        for (var i = 0; i < 5; i++) await TestAsync(owner, webhookId);

        await Eventually.Until(async () => await (await owner.GetAsync($"/v1/webhooks/{webhookId}")).DataAsync(),
            w => w.GetProperty("status").GetString() == "disabled", DeliveryTimeout, "the endpoint to be disabled");
        Assert.Equal(20, Receiver.At(path).Count);
        Assert.All(Receiver.At(path), r => Assert.Equal(503, r.Answered));

        var held = await TestAsync(owner, webhookId);
        await (await owner.PatchAsync($"/v1/webhooks/{webhookId}", Body(new { status = "enabled" }))).DataAsync();
        var delivered = await ReceivedAsync(path, r => r.Any(w => w.Answered == 200), "the held event after enabling");
        Assert.Equal(held, Assert.Single(delivered, r => r.Answered == 200).Id);
    }

    [Fact]
    public async Task AnotherTenantsEventsNeverReachAnEndpoint()
    {
        using var alice = await OwnerAsync();
        using var bob = await OwnerAsync();
        var (alicePath, bobPath) = (NewPath(), NewPath());
        await CreateAsync(alice, Receiver.Url(alicePath), "*");
        var bobHook = (await CreateAsync(bob, Receiver.Url(bobPath), "*")).GetProperty("webhook_id").GetString()!;

        var datasetId = (await (await alice.PostAsync("/v1/datasets", Body(new { name = "Alice's" }))).DataAsync(HttpStatusCode.Created))
            .GetProperty("dataset_id").GetString()!;
        using var store = Api.ClientFor(null);
        var objectId = (await alice.UploadAsync(store, datasetId, "a.txt", "text/plain", Encoding.UTF8.GetBytes("alice only"))).ObjectId;
        await alice.WaitForStatusAsync(objectId, "ready");
        await ReceivedAsync(alicePath, r => r.Any(w => w.Type == "object.status_changed" && w.Data.GetProperty("status").GetString() == "ready"), "Alice's events");

        var bobTest = await TestAsync(bob, bobHook);
        await ReceivedAsync(bobPath, r => r.Any(w => w.Id == bobTest), "Bob's test event");
        Assert.All(Receiver.At(bobPath), r => Assert.Equal("webhook.test", r.Type));
        Assert.DoesNotContain(Receiver.At(bobPath), r => r.Body.Contains(objectId, StringComparison.Ordinal) || r.Body.Contains(datasetId, StringComparison.Ordinal));
        Assert.All(Receiver.At(alicePath), r => Assert.DoesNotContain(bobHook, r.Body));
    }
}
