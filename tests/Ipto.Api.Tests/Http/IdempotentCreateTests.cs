using System.Net;
using System.Text.Json;
using Ipto.ApiKeys;
using Ipto.Api.Tests.Support;
using Ipto.Datasets;
using Ipto.Objects;
using Ipto.Tenants;

namespace Ipto.Api.Tests.Http;

/// <summary>
/// A retry with the same Idempotency-Key after a failure whose outcome the client cannot know (the grain committed,
/// then the answer was a 503) yields exactly one resource: every attempt asks for the same resource id, and a
/// created secret (an API key, an invitation token) is the same on every attempt, so the one that works is returned.
/// </summary>
public sealed class IdempotentCreateTests : IAsyncLifetime
{
    private const string Doomed = "committed, then the silo died";
    private const string DoomedEmail = "doomed.invitee@example.com";
    private readonly FailOnceAfterCommit _failures = new();
    private readonly ApiWithGrainFilter _host;

    public IdempotentCreateTests() => _host = new ApiWithGrainFilter(_failures);

    private IptoApiFactory Api => _host.Factory;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task ARetryAfterA503WhoseCreateCommittedReturnsTheFirstDataset()
    {
        using var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);

        var created = await SendThriceAsync(owner, "/v1/datasets", $$"""{"name":"{{Doomed}}"}""", "create-dataset-once");

        var listed = (await (await owner.GetAsync("/v1/datasets")).DataAsync()).GetProperty("items").EnumerateArray()
            .Where(d => d.GetProperty("name").GetString() == Doomed).ToArray();
        Assert.Equal(created.GetProperty("dataset_id").GetString(), Assert.Single(listed).GetProperty("dataset_id").GetString());
        Assert.Equal(1, _failures.Count(nameof(IDatasetGrain)));
    }

    [Fact]
    public async Task ARetryAfterA503WhoseKeyCommittedReturnsTheFirstKeyWithAWorkingSecret()
    {
        using var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);

        var created = await SendThriceAsync(owner, "/v1/api-keys", $$"""{"name":"{{Doomed}}","scopes":["search:query"]}""", "create-key-once");

        var listed = (await (await owner.GetAsync("/v1/api-keys")).DataAsync()).GetProperty("items").EnumerateArray()
            .Where(k => k.GetProperty("name").GetString() == Doomed).ToArray();
        Assert.Equal(created.GetProperty("api_key_id").GetString(), Assert.Single(listed).GetProperty("api_key_id").GetString());
        using var agent = Api.WithBearer(created.GetProperty("key").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync("/v1/me")).StatusCode);
        Assert.Equal(1, _failures.Count(nameof(IApiKeyGrain)));

        // Another Idempotency-Key over the same body is another key with another secret.
        var other = await (await SendAsync(owner, "/v1/api-keys", $$"""{"name":"{{Doomed}}","scopes":["search:query"]}""", "create-key-twice"))
            .DataAsync(HttpStatusCode.Created);
        Assert.NotEqual(created.GetProperty("key").GetString(), other.GetProperty("key").GetString());
        Assert.NotEqual(created.GetProperty("key_prefix").GetString(), other.GetProperty("key_prefix").GetString());
    }

    [Fact]
    public async Task ARetryAfterA503WhoseInvitationCommittedReturnsTheFirstInvitationWithAWorkingToken()
    {
        using var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);

        var created = await SendThriceAsync(owner, "/v1/tenant/invitations", $$"""{"email":"{{DoomedEmail}}","roles":["viewer"]}""", "invite-once");

        var listed = (await (await owner.GetAsync("/v1/tenant/invitations")).DataAsync()).GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("email").GetString() == DoomedEmail).ToArray();
        Assert.Equal(created.GetProperty("invitation_id").GetString(), Assert.Single(listed).GetProperty("invitation_id").GetString());
        using var anonymous = Api.ClientFor(null);
        var joined = await anonymous.PostAsync("/v1/auth/signup", ApiHttp.Json(JsonSerializer.Serialize(new
        {
            email = DoomedEmail, password = Accounts.Password, display_name = "Invitee", invitation_token = created.GetProperty("token").GetString(),
        })));
        await joined.DataAsync(HttpStatusCode.Created);
        Assert.Equal(1, _failures.Count(nameof(ITenantGrain)));
    }

    [Fact]
    public async Task ARetryOfAnUploadBatchAfterA503WhoseItemCommittedCreatesEveryUploadOnce()
    {
        using var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        var datasetId = (await (await owner.PostAsync("/v1/datasets", ApiHttp.Body(new { name = "Batch" }))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString();
        var uploads = Enumerable.Range(0, 6).Select(i => new
        {
            dataset_id = datasetId, filename = i == 3 ? Doomed : $"file-{i}.txt", content_type = "text/plain", size_bytes = 10 + i,
        }).ToArray();
        var json = JsonSerializer.Serialize(new { uploads });

        // The doomed item's upload commits, then its answer is lost: the whole batch is a 503 (not kept), and the retry runs every item again.
        var first = await SendAsync(owner, "/v1/uploads/batch", json, "batch-once");
        await first.ErrorAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        var retry = await (await SendAsync(owner, "/v1/uploads/batch", json, "batch-once")).DataAsync();
        var again = await SendAsync(owner, "/v1/uploads/batch", json, "batch-once");

        var items = retry.GetProperty("items").EnumerateArray().ToArray();
        Assert.All(items, i => Assert.Equal(201, i.GetProperty("status").GetInt32()));
        Assert.Equal("true", again.Headers.GetValues("Idempotency-Replayed").Single());
        Assert.Equal(retry.GetRawText(), JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetRawText());
        var listed = (await (await owner.GetAsync($"/v1/datasets/{datasetId}/objects?limit=100")).DataAsync()).GetProperty("items").EnumerateArray()
            .Select(o => o.GetProperty("object_id").GetString()).Order().ToArray();
        Assert.Equal(items.Select(i => i.GetProperty("data").GetProperty("object_id").GetString()).Order(), listed);
        Assert.Equal(1, _failures.Count(nameof(IUploadGrain)));
    }

    /// <summary>First attempt fails after its create committed; the retry creates; the third replays the retry's answer.</summary>
    private static async Task<JsonElement> SendThriceAsync(HttpClient client, string path, string json, string idempotencyKey)
    {
        var first = await SendAsync(client, path, json, idempotencyKey);
        var retry = await SendAsync(client, path, json, idempotencyKey);
        var again = await SendAsync(client, path, json, idempotencyKey);

        await first.ErrorAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.Equal(TimeSpan.FromSeconds(2), first.Headers.RetryAfter?.Delta); // also when the idempotency filter renders the error
        var created = await retry.DataAsync(HttpStatusCode.Created);
        Assert.Equal("true", again.Headers.GetValues("Idempotency-Replayed").Single());
        Assert.Equal(created.GetRawText(), JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetRawText());
        return created;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string json, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = ApiHttp.Json(json) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    /// <summary>Lets the first doomed create of each kind commit, then fails its answer as a dying silo would.</summary>
    private sealed class FailOnceAfterCommit : IIncomingGrainCallFilter
    {
        private readonly Dictionary<string, int> _failures = [];

        public int Count(string grainInterface)
        {
            lock (_failures) return _failures.GetValueOrDefault(grainInterface);
        }

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            await context.Invoke();
            var doomed = Enumerable.Range(0, context.Request.GetArgumentCount()).Select(i => context.Request.GetArgument(i) switch
            {
                NewDataset { Name: Doomed } => nameof(IDatasetGrain),
                NewApiKey { Name: Doomed } => nameof(IApiKeyGrain),
                NewInvitation { Email: DoomedEmail } => nameof(ITenantGrain),
                NewUpload { Filename: Doomed } => nameof(IUploadGrain),
                _ => null,
            }).FirstOrDefault(d => d is not null);
            if (doomed is null) return;
            lock (_failures)
            {
                if (!_failures.TryAdd(doomed, 1)) return;
            }

            throw new TimeoutException("The response to the first attempt was lost.");
        }
    }
}
