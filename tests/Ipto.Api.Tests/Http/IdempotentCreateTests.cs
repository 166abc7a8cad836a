using System.Net;
using Ipto.Api.Tests.Support;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Testing;

namespace Ipto.Api.Tests.Http;

/// <summary>
/// A retry with the same Idempotency-Key after a failure whose outcome the client cannot know (the grain committed,
/// then the answer was a 503) yields exactly one resource: every attempt asks for the same resource id.
/// </summary>
public sealed class IdempotentCreateTests : IAsyncLifetime
{
    private const string Doomed = "committed, then the silo died";
    private readonly TempDir _dir = new();
    private IptoApiFactory _api = null!;

    public Task InitializeAsync()
    {
        _api = new IptoApiFactory(_dir.Path, testCredentials: false)
        {
            ConfigureServices = services => services.AddSingleton<IIncomingGrainCallFilter, FailOnceAfterCommit>(),
        };
        _api.ClientFor(null).Dispose();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task ARetryAfterA503WhoseCreateCommittedReturnsTheFirstDataset()
    {
        using var owner = _api.WithBearer((await _api.SignupAsync()).SessionToken);
        HttpRequestMessage Create()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/datasets") { Content = ApiHttp.Json($$"""{"name":"{{Doomed}}"}""") };
            request.Headers.Add("Idempotency-Key", "create-once");
            return request;
        }

        var first = await owner.SendAsync(Create());
        var retry = await owner.SendAsync(Create());
        var again = await owner.SendAsync(Create());

        await first.ErrorAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        var created = await retry.DataAsync(HttpStatusCode.Created);
        Assert.Equal("true", again.Headers.GetValues("Idempotency-Replayed").Single()); // the retry's 201 was kept
        var replayed = System.Text.Json.JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        Assert.Equal(created.GetProperty("dataset_id").GetString(), replayed.GetProperty("dataset_id").GetString());
        var listed = (await (await owner.GetAsync("/v1/datasets")).DataAsync()).GetProperty("items").EnumerateArray()
            .Where(d => d.GetProperty("name").GetString() == Doomed).ToArray();
        Assert.Single(listed);
        Assert.Equal(1, FailOnceAfterCommit.Failures);
    }

    /// <summary>Lets the first create of the doomed dataset commit, then fails its answer as a dying silo would.</summary>
    private sealed class FailOnceAfterCommit : IIncomingGrainCallFilter
    {
        public static int Failures;

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            await context.Invoke();
            if (context.InterfaceMethod.DeclaringType == typeof(IDatasetGrain) && context.InterfaceMethod.Name == nameof(IDatasetGrain.Create) && context.Request.GetArgument(1) is NewDataset { Name: Doomed }
                && Interlocked.CompareExchange(ref Failures, 1, 0) == 0)
                throw new TimeoutException("The response to the first attempt was lost.");
        }
    }
}
