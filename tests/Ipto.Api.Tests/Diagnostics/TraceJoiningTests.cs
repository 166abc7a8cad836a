using System.Collections.Concurrent;
using System.Diagnostics;
using Ipto.Api.Tests.Support;
using Ipto.Testing;

namespace Ipto.Api.Tests.Diagnostics;

/// <summary>
/// A request's grain calls join its trace: with a listener on the ASP.NET Core and Orleans activity sources (what an
/// OTLP exporter subscribes), a request sent with a W3C <c>traceparent</c> yields grain-call spans in that trace.
/// </summary>
public sealed class TraceJoiningTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;

    [Fact]
    public async Task AGrainCallMadeForARequestIsASpanOfTheRequestsTrace()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var spans = new ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore" || source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId) spans.Enqueue(activity);
            },
        };
        ActivitySource.AddActivityListener(listener);
        var account = await Api.SignupAsync();
        using var owner = Api.WithBearer(account.SessionToken);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/me");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        await (await owner.SendAsync(request)).DataAsync();

        await Eventually.Until(() => Task.FromResult(spans.ToArray()), s => s.Any(a => a.Source.Name == "Microsoft.AspNetCore")
            && s.Any(a => a.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the request's spans");
        var http = spans.First(a => a.Source.Name == "Microsoft.AspNetCore");
        var grainCalls = spans.Where(a => a.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)).ToList();
        Assert.Contains(grainCalls, a => a.DisplayName.Contains("Tenant", StringComparison.Ordinal) || a.DisplayName.Contains("User", StringComparison.Ordinal));
        Assert.All(grainCalls, a => Assert.Equal(http.TraceId, a.TraceId));
    }
}
