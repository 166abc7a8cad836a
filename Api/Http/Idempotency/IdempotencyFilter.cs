using Ipto.Api.Http.Auth;
using Ipto.Common;
using Ipto.Idempotency;

namespace Ipto.Api.Http.Idempotency;

/// <summary>
/// The <c>Idempotency-Key</c> contract of SPEC §1/§12 for any POST endpoint: the first run's response is kept for
/// 24 h and replayed byte for byte; a different request under the same key, or a duplicate while the first still
/// runs, is 409. 5xx and 429 responses are not kept, so a retry runs again.
/// </summary>
public sealed class IdempotencyFilter(IGrainFactory grains) : IEndpointFilter
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotency-Replayed";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        if (!http.Request.Headers.TryGetValue(Header, out var values)) return await next(invocation);
        var key = values.ToString();
        if (values.Count != 1 || !IsValidKey(key))
            throw new IptoException(ErrorCodes.InvalidRequest, "Idempotency-Key must be 1 to 255 printable ASCII characters.",
                [new FieldError("Idempotency-Key", "must be 1 to 255 printable ASCII characters")]);

        var caller = CallerClaims.FromPrincipal(http.User);
        if (caller is null) return await next(invocation); // unauthenticated POSTs (signup, login) ignore the header

        var body = await RequestBody.ReadAsync(http);
        var fingerprint = IdempotencyCrypto.Fingerprint(http.Request.Method, http.Request.Path + http.Request.QueryString, body.Span);
        var grain = grains.GetGrain<IIdempotencyGrain>(IdempotencyCrypto.GrainKey(caller.TenantId, caller.PrincipalId, key));
        var decision = await grain.Begin(fingerprint);
        switch (decision.Outcome)
        {
            case IdempotencyOutcome.Replay:
                return Replay(http, caller, key, decision.Response!);
            case IdempotencyOutcome.KeyReused:
                return ApiResults.Error(ErrorCodes.IdempotencyKeyReused, "This Idempotency-Key was already used for a different request.");
            case IdempotencyOutcome.InProgress:
                return ApiResults.Error(ErrorCodes.IdempotencyRequestInProgress, "A request with this Idempotency-Key is still running; retry later.");
        }

        // Started: every attempt under this key creates the same resource ids and secrets (ResourceIds), so a retry
        // after an ambiguous failure finds what the first attempt made instead of making it twice.
        if (decision.IdSeed is { } seed)
            ResourceIds.Use(http, seed, IdempotencyCrypto.SecretKey(caller.TenantId, caller.PrincipalId, key, seed.Seed));

        // Run the endpoint, capture its response bytes, keep them unless the outcome may change on retry.
        var original = http.Response.Body;
        using var captured = new MemoryStream();
        http.Response.Body = captured;
        try
        {
            IResult result;
            try
            {
                var value = await next(invocation);
                result = value as IResult ?? throw new InvalidOperationException("Idempotent endpoints must return IResult.");
            }
            catch (IptoException business)
            {
                result = ApiResults.Error(business);
            }

            await result.ExecuteAsync(http);
            var status = http.Response.StatusCode;
            if (status < 500 && status != StatusCodes.Status429TooManyRequests)
            {
                var sealedBody = IdempotencyCrypto.Seal(caller.TenantId, caller.PrincipalId, key, captured.GetBuffer().AsSpan(0, (int)captured.Length));
                await grain.Complete(decision.LeaseId, new StoredResponse(status, http.Response.ContentType, http.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null, sealedBody));
            }
            else
            {
                await grain.Release(decision.LeaseId);
            }
        }
        catch (Exception)
        {
            await ReleaseQuietly(grain, decision.LeaseId);
            throw;
        }
        finally
        {
            http.Response.Body = original;
        }

        captured.Position = 0;
        await captured.CopyToAsync(original, http.RequestAborted);
        return EmptyResult.Instance;
    }

    private static IResult Replay(HttpContext http, Caller caller, string key, StoredResponse stored)
    {
        var body = IdempotencyCrypto.Open(caller.TenantId, caller.PrincipalId, key, stored.EncryptedBody)
                   ?? throw new IptoException(ErrorCodes.IdempotencyKeyReused, "This Idempotency-Key was already used for a different request.");
        http.Response.Headers[ReplayedHeader] = "true";
        if (stored.Location is not null) http.Response.Headers.Location = stored.Location;
        return new ReplayResult(stored.StatusCode, stored.ContentType, body);
    }

    private static async Task ReleaseQuietly(IIdempotencyGrain grain, Guid leaseId)
    {
        try
        {
            await grain.Release(leaseId);
        }
        catch (Exception)
        {
            // The in-memory lease also expires on its own.
        }
    }

    public static bool IsValidKey(string key) => key.Length is >= 1 and <= 255 && key.All(c => c is >= (char)0x20 and <= (char)0x7E);

    private sealed class ReplayResult(int status, string? contentType, byte[] body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = contentType;
            httpContext.Response.ContentLength = body.Length;
            return httpContext.Response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
        }
    }

    private sealed class EmptyResult : IResult
    {
        public static readonly EmptyResult Instance = new();
        public Task ExecuteAsync(HttpContext httpContext) => Task.CompletedTask;
    }
}

public static class IdempotencyEndpointExtensions
{
    /// <summary>Applies the Idempotency-Key contract to the endpoints of a builder (use it on POST routes).</summary>
    public static TBuilder WithIdempotency<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, IdempotencyFilter>().WithMetadata(IdempotentEndpoint.Instance);
}

/// <summary>Marks an endpoint that honours Idempotency-Key (SPEC §1: every authenticated POST does).</summary>
public sealed class IdempotentEndpoint
{
    public static readonly IdempotentEndpoint Instance = new();

    private IdempotentEndpoint()
    {
    }
}
