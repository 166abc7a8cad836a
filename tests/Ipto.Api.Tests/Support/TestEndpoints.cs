using System.Collections.Concurrent;
using Ipto.Api.Http;
using Ipto.Api.Http.Idempotency;
using Ipto.Api.Http.OpenApi;
using Ipto.Grains.Storage;
using Ipto.Common;
using Microsoft.AspNetCore.Mvc;
using Orleans.Runtime;

namespace Ipto.Api.Tests.Support;

public sealed record CounterRequest(string? Name, int? Amount) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("name", Name);
        errors.Length("name", Name, 1, 200);
        errors.Required("amount", Amount);
        errors.Range("amount", Amount, 1, 100);
    }
}

public sealed record CounterResponse(string Name, int Total, string Token);

/// <summary>Routes that exercise the shared HTTP conventions with an observable effect (a counter per name).</summary>
public sealed class TestEndpoints : IEndpointContributor
{
    public ConcurrentDictionary<string, int> Counters { get; } = new();
    public ConcurrentDictionary<string, int> Calls { get; } = new();

    public void Map(RouteGroupBuilder v1)
    {
        var test = v1.MapGroup("/test");
        test.MapPost("/counters", async (JsonBody<CounterRequest> body) =>
        {
            var request = body.Value;
            await Task.Delay(50); // long enough for concurrent duplicates to overlap
            var total = Counters.AddOrUpdate(request.Name!, request.Amount!.Value, (_, t) => t + request.Amount!.Value);
            return ApiResults.Created($"/v1/test/counters/{request.Name}", new CounterResponse(request.Name!, total, Guid.NewGuid().ToString("N")));
        }).WithIdempotency().Created();

        test.MapPost("/public-counters", (JsonBody<CounterRequest> body) =>
        {
            var total = Counters.AddOrUpdate(body.Value.Name!, body.Value.Amount!.Value, (_, t) => t + body.Value.Amount!.Value);
            return ApiResults.Ok(new CounterResponse(body.Value.Name!, total, Guid.NewGuid().ToString("N")));
        }).WithIdempotency().AllowAnonymous();

        test.MapPost("/fail/{kind}", ([FromRoute] string kind) =>
        {
            Calls.AddOrUpdate(kind, 1, (_, n) => n + 1);
            IResult result = kind switch
            {
                "conflict" => throw new IptoException(ErrorCodes.Conflict, "That name is taken."),
                "unavailable" => throw new SiloUnavailableException("silo S127.0.0.1:11111:1 is gone"),
                "crash" => throw new InvalidOperationException("secret internal detail: connection string Host=db"),
                _ => ApiResults.Ok(new CounterResponse(kind, 0, "")),
            };
            return result;
        }).WithIdempotency();

        test.MapGet("/flaky/{name}", ([FromRoute] string name) =>
        {
            var calls = Calls.AddOrUpdate(name, 1, (_, n) => n + 1);
            if (calls <= 2) throw new SiloUnavailableException("membership is settling");
            return ApiResults.Ok(new CounterResponse(name, calls, ""));
        });

        test.MapGet("/letters", async (string? limit, string? cursor, KeysetPager pager) =>
        {
            var letters = Enumerable.Range('a', 26).Select(c => ((char)c).ToString()).ToArray();
            return ApiResults.Ok(await pager.PageWithTotalAsync<string>(PageRequest.Parse(limit, cursor), "letters", (after, take) =>
                Task.FromResult<(IReadOnlyList<string>, long?)>((letters.Where(l => after is null || string.CompareOrdinal(l, after) > 0).Take(take).ToArray(), letters.Length)),
                l => l));
        });
    }
}
