using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;

namespace Ipto.Api.Http.OpenApi;

/// <summary>Endpoint metadata: an error status the endpoint answers beyond those its other metadata implies (login's 401, search's 402).</summary>
public sealed record ErrorStatusDoc(int StatusCode);

/// <summary>What an endpoint's metadata says about how it can fail.</summary>
public sealed record EndpointFacts(
    bool V1, bool Anonymous, bool SessionOnly, bool AccessRequirement, bool Idempotent, bool HasBody, bool HasQuery, bool HasPathParameters,
    bool StateChange, IReadOnlyList<int> Extra)
{
    public static EndpointFacts Of(EndpointMetadataCollection metadata, string pattern, string method, bool hasPathParameters, bool hasQueryParameters)
    {
        var path = pattern.StartsWith('/') ? pattern : "/" + pattern;
        var admin = AccessRequirementsMiddleware.IsAdminRoute(path);
        var session = metadata.GetMetadata<SessionRequirement>() is not null;
        return new EndpointFacts(
            V1: path.StartsWith("/v1/", StringComparison.Ordinal),
            Anonymous: metadata.GetMetadata<IAllowAnonymous>() is not null,
            // API keys never hold the platform admin bit, so /v1/admin is for sessions only (SPEC §12).
            SessionOnly: session || admin,
            AccessRequirement: session || admin || metadata.GetMetadata<ScopeRequirement>() is not null,
            Idempotent: metadata.GetMetadata<IdempotentEndpoint>() is not null,
            HasBody: metadata.GetMetadata<IAcceptsMetadata>() is not null,
            HasQuery: hasQueryParameters,
            HasPathParameters: hasPathParameters,
            StateChange: method is "PATCH" or "DELETE" || metadata.GetMetadata<StateConflicts>() is not null,
            Extra: metadata.GetOrderedMetadata<ErrorStatusDoc>().Select(e => e.StatusCode).ToArray());
    }
}

/// <summary>
/// The error statuses of an operation, derived in one place from its metadata (SPEC §1 codes; <c>ErrorCodes.StatusOf</c>):
/// 400 for anything with a credential, body, query or Idempotency-Key to get wrong; 401 for every authenticated
/// operation; 403 where a scope, session or platform-admin requirement applies; 404 where a path names a resource;
/// 409 where an Idempotency-Key can clash or a resource's state can refuse the change (PATCH, DELETE, or marked);
/// 413, 415 and 422 where a JSON body is read; 429 and 503 for every /v1 call (per-credential and per-IP rate limits,
/// transient unavailability).
/// </summary>
public static class ErrorStatuses
{
    public static IReadOnlyList<int> Of(EndpointFacts facts)
    {
        if (!facts.V1) return [];
        var statuses = new SortedSet<int>(facts.Extra);
        if (!facts.Anonymous || facts.HasBody || facts.HasQuery || facts.Idempotent) statuses.Add(StatusCodes.Status400BadRequest);
        if (!facts.Anonymous) statuses.Add(StatusCodes.Status401Unauthorized);
        if (facts.AccessRequirement) statuses.Add(StatusCodes.Status403Forbidden);
        if (facts.HasPathParameters) statuses.Add(StatusCodes.Status404NotFound);
        if (facts.Idempotent || facts.StateChange) statuses.Add(StatusCodes.Status409Conflict);
        if (facts.HasBody)
        {
            statuses.Add(StatusCodes.Status413PayloadTooLarge);
            statuses.Add(StatusCodes.Status415UnsupportedMediaType);
            statuses.Add(StatusCodes.Status422UnprocessableEntity);
        }

        statuses.Add(StatusCodes.Status429TooManyRequests);
        statuses.Add(StatusCodes.Status503ServiceUnavailable);
        return [.. statuses];
    }

    /// <summary>Adds an error status the endpoint answers that its other metadata does not imply.</summary>
    public static TBuilder WithErrorStatus<TBuilder>(this TBuilder builder, int statusCode) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ErrorStatusDoc(statusCode));
}
