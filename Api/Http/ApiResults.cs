using System.Reflection;
using Ipto.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Ipto.Api.Http;

/// <summary>Typed results that wrap data in the success envelope; handlers return these.</summary>
public static class ApiResults
{
    public static EnvelopeResult<T> Ok<T>(T data) => new(StatusCodes.Status200OK, data, null);

    public static EnvelopeResult<T> Created<T>(string location, T data) => new(StatusCodes.Status201Created, data, location);

    /// <summary>201 for a record that has no address of its own (a citation, an outcome): no <c>Location</c>.</summary>
    public static EnvelopeResult<T> Created<T>(T data) => new(StatusCodes.Status201Created, data, null);

    public static EnvelopeResult<T> Accepted<T>(T data) => new(StatusCodes.Status202Accepted, data, null);

    public static ErrorResult Error(string code, string message, IReadOnlyList<FieldError>? details = null) =>
        new(ErrorCodes.StatusOf(code), code, message, details ?? []);

    public static ErrorResult Error(IptoException exception) => Error(exception.Code, exception.Message, exception.Details);
}

public sealed class EnvelopeResult<T>(int statusCode, T data, string? location)
    : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IEndpointMetadataProvider
{
    public int StatusCode { get; } = statusCode;
    public T Value { get; } = data;
    public string? Location { get; } = location;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;
    object? IValueHttpResult.Value => Value;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode;
        if (Location is not null) httpContext.Response.Headers.Location = Location;
        var json = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var envelope = new Envelope<T>(Value, httpContext.TraceIdentifier, DateTimeOffset.UtcNow);
        return httpContext.Response.WriteAsJsonAsync(envelope, json);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Envelope<T>), ["application/json"]));
}

public sealed class ErrorResult(int statusCode, string code, string message, IReadOnlyList<FieldError> details) : IResult, IStatusCodeHttpResult
{
    public int StatusCode { get; } = statusCode;
    public string Code { get; } = code;

    /// <summary>The <c>error</c> object of the envelope (what a batch item carries as its <c>error</c>).</summary>
    public ErrorBody Body => new(Code, message, details);

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    /// <summary>RFC 9110 §15.5.2: every 401 names the schemes that would work, one challenge per credential kind.</summary>
    public static readonly string[] Challenges = ["Bearer realm=\"ipto\"", "ApiKey realm=\"ipto\", header=\"X-API-Key\""];

    /// <summary>What every 503 tells its caller to wait before a retry (SPEC §1).</summary>
    public const int UnavailableRetryAfterSeconds = 2;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode;
        if (StatusCode == StatusCodes.Status401Unauthorized) httpContext.Response.Headers.WWWAuthenticate = Challenges;
        if (StatusCode == StatusCodes.Status503ServiceUnavailable)
            httpContext.Response.Headers.RetryAfter = UnavailableRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var json = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var envelope = new ErrorEnvelope(Body, httpContext.TraceIdentifier, DateTimeOffset.UtcNow);
        return httpContext.Response.WriteAsJsonAsync(envelope, json);
    }
}
