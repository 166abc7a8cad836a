using Ipto.Common;
using Microsoft.AspNetCore.Http.Metadata;

namespace Ipto.Api.Http.OpenApi;

/// <summary>Endpoint metadata: the endpoint answers a success status other than 200 (and whether with a <c>Location</c>).</summary>
public sealed record SuccessStatus(int StatusCode, bool Location);

/// <summary>Endpoint metadata: a query parameter's documented schema (the handler checks it against the same vocabulary).</summary>
public sealed record QueryParameterDoc(string Name, string Description, IReadOnlyList<string>? OneOf = null, bool DateTime = false, int? MaxLength = null);

/// <summary>Endpoint metadata: the request may be refused because of the state of the resources it touches (409).</summary>
public sealed record StateConflicts;

/// <summary>
/// The route-mapping side of the OpenAPI document. Every endpoint answers 200 with its envelope unless its mapping says
/// <see cref="Created{TBuilder}"/> or <see cref="Accepted{TBuilder}"/>; the handlers answer through
/// <see cref="ApiResults.Created{T}"/> and <see cref="ApiResults.Accepted{T}"/> there, and the Api tests fail any
/// response whose 2xx status is not the documented one.
/// </summary>
public static class EndpointDocs
{
    /// <summary>The endpoint answers 201 (<paramref name="location"/>: with a <c>Location</c> header; false for a record with no address of its own).</summary>
    public static RouteHandlerBuilder Created(this RouteHandlerBuilder builder, bool location = true) =>
        Answers(builder, new SuccessStatus(StatusCodes.Status201Created, location));

    /// <summary>The endpoint answers 201 when it creates, 200 when the record was already there (neither has an address of its own).</summary>
    public static RouteHandlerBuilder CreatedOrExisting(this RouteHandlerBuilder builder)
    {
        builder.Add(endpoint =>
        {
            foreach (var produces in endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Where(m => m.StatusCode == StatusCodes.Status200OK).ToArray())
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, produces.Type, [.. produces.ContentTypes]));
            endpoint.Metadata.Add(new SuccessStatus(StatusCodes.Status201Created, false));
        });
        return builder;
    }

    /// <summary>The endpoint answers 202 with the job it started (<paramref name="location"/>: and its <c>Location</c>).</summary>
    public static RouteHandlerBuilder Accepted(this RouteHandlerBuilder builder, bool location = false) =>
        Answers(builder, new SuccessStatus(StatusCodes.Status202Accepted, location));

    /// <summary>Documents a query parameter that takes one of <paramref name="oneOf"/>.</summary>
    public static TBuilder QueryOneOf<TBuilder>(this TBuilder builder, string name, IReadOnlyList<string> oneOf, string description)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new QueryParameterDoc(name, description, OneOf: oneOf));

    /// <summary>Documents a query parameter that is an ISO 8601 timestamp with a zone.</summary>
    public static TBuilder QueryDateTime<TBuilder>(this TBuilder builder, string name, string description)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new QueryParameterDoc(name, description, DateTime: true));

    /// <summary>Documents a free-text or id query parameter.</summary>
    public static TBuilder QueryText<TBuilder>(this TBuilder builder, string name, string description, int? maxLength = null)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new QueryParameterDoc(name, description, MaxLength: maxLength));

    /// <summary>The request can meet a resource in a state that refuses it: 409 <c>conflict</c> or <c>invalid_state_transition</c>.</summary>
    public static TBuilder WithStateConflicts<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new StateConflicts());

    private static RouteHandlerBuilder Answers(RouteHandlerBuilder builder, SuccessStatus status)
    {
        builder.Add(endpoint =>
        {
            // The envelope result type inferred a 200 (EnvelopeResult<T>.PopulateMetadata); this endpoint answers the other status with the same body.
            var inferred = endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Where(m => m.StatusCode == StatusCodes.Status200OK).ToArray();
            foreach (var produces in inferred)
            {
                endpoint.Metadata.Remove(produces);
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status.StatusCode, produces.Type, [.. produces.ContentTypes]));
            }

            endpoint.Metadata.Add(status);
        });
        return builder;
    }

    /// <summary>The 2xx statuses an endpoint documents, from its metadata (what the document shows).</summary>
    public static IReadOnlyList<int> SuccessStatuses(EndpointMetadataCollection metadata) =>
        metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).Where(s => s is >= 200 and < 300).Distinct().ToArray();

    /// <summary>The error codes of <see cref="ErrorCodes"/> that answer <paramref name="status"/>.</summary>
    public static IReadOnlyList<string> CodesOf(int status) => typeof(ErrorCodes).GetFields()
        .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .Where(code => ErrorCodes.StatusOf(code) == status)
        .ToArray();
}
