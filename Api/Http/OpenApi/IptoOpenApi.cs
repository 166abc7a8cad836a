using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Ipto.Api.Endpoints;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Ipto.Common;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Ipto.Api.Http.OpenApi;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) and its browsable reference (<c>/docs/</c>). Everything the document
/// says beyond the framework's inference is derived here from what the endpoints really do: success statuses from
/// their result metadata (<see cref="EndpointDocs"/>), error responses from their access, idempotency, route and body
/// metadata (<see cref="ErrorStatuses"/>), request constraints from the bodies' own validators
/// (<see cref="RequestContracts"/>), query parameters from the pager and the mapping's <see cref="QueryParameterDoc"/>.
/// </summary>
public static class IptoOpenApi
{
    public const string DocumentName = "v1";
    public const string RoutePattern = "/openapi/{documentName}.json";
    public const string DocsPath = "/docs";
    public const string Title = "IPTO API";
    public const string SessionScheme = "session";
    public const string ApiKeyScheme = "api_key";
    public const string ErrorEnvelopeSchema = "ErrorEnvelope";

    public static IServiceCollection AddIptoOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            // The public contract only: /v1 and the health probes (not the local object store's presigned URLs, nor /mcp).
            options.ShouldInclude = description => description.RelativePath is { } path
                && (path.StartsWith("v1/", StringComparison.Ordinal) || path == "health" || path.StartsWith("health/", StringComparison.Ordinal));
            options.AddSchemaTransformer(TransformSchemaAsync);
            options.AddOperationTransformer(TransformOperationAsync);
            options.AddDocumentTransformer(TransformDocumentAsync);
        });

    /// <summary>Maps the document and the Scalar reference, with the vendor's toolbars, AI agent, telemetry and download buttons off.</summary>
    public static void MapIptoApiDocs(this WebApplication app)
    {
        app.MapOpenApi(RoutePattern);
        app.MapScalarApiReference(DocsPath, ConfigureReference);
    }

    /// <summary>The reference's options (the page embeds them; its script is served by the Api itself, never a CDN).</summary>
    public static void ConfigureReference(ScalarOptions o) => o
        .WithOpenApiRoutePattern(RoutePattern)
        .WithTitle(Title)
        .DisableDefaultFonts()
        .HideDeveloperTools()
        .DisableTelemetry()
        .DisableAgent()
        .DisableMcp()
        .HideClientButton()
        .HideDocumentDownload()
        .WithCustomCss(HideVendorLinksCss)
        .AddPreferredSecuritySchemes([SessionScheme, ApiKeyScheme]);

    /// <summary>The sidebar's "Powered by Scalar" link has no option of its own; its address marks it.</summary>
    public const string HideVendorLinksCss = "a[href*=\"utm_source=powered-by\"] { display: none !important; }";

    private static Task TransformDocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = Title,
            Version = HealthEndpoints.Version,
            Description = "The IPTO marketplace API: providers upload corpora into datasets, platform admins review them, buyers (mostly AI "
                + "agents with scoped API keys) search, retrieve and cite them, and every billable event is metered. Every /v1 answer is a JSON "
                + "envelope: `{data, request_id, timestamp}` on success, `{error: {code, message, details}, request_id, timestamp}` otherwise. "
                + "Authenticate with a session token (`Authorization: Bearer sess_…`, from signup or login) or an API key (`X-API-Key: ipto_…`).",
        };
        AddSecuritySchemes(document);
        return Task.CompletedTask;
    }

    private static void AddSecuritySchemes(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SessionScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "sess_…",
            Description = "A user session token from POST /v1/auth/signup or /v1/auth/login: `Authorization: Bearer sess_…`. "
                + "(An API key is accepted as a Bearer token too.)",
        };
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = IptoAuthenticationHandler.ApiKeyHeader,
            Description = "An API key from POST /v1/api-keys (`ipto_…`), limited to its scopes and dataset allow-list.",
        };
    }

    private static async Task TransformOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = new EndpointMetadataCollection(description.ActionDescriptor.EndpointMetadata);
        var path = "/" + description.RelativePath;
        var document = context.Document!;
        if (!path.StartsWith("/v1/", StringComparison.Ordinal)) return;

        AddSecuritySchemes(document);
        await EnsureErrorEnvelopeAsync(document, context, cancellationToken);

        DescribeParameters(operation, metadata);
        DescribeSuccess(operation, metadata);

        var facts = EndpointFacts.Of(metadata, path, description.HttpMethod ?? "GET",
            hasPathParameters: description.ParameterDescriptions.Any(p => p.Source == BindingSource.Path),
            hasQueryParameters: description.ParameterDescriptions.Any(p => p.Source == BindingSource.Query));
        operation.Responses ??= new OpenApiResponses();
        foreach (var status in ErrorStatuses.Of(facts))
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = ErrorResponse(status, document);

        operation.Security = facts.Anonymous
            ? []
            : facts.SessionOnly
                ? [Requirement(SessionScheme, document)]
                : [Requirement(SessionScheme, document), Requirement(ApiKeyScheme, document)];

        if (facts.Idempotent)
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyFilter.Header,
                In = ParameterLocation.Header,
                Required = false,
                Description = "Makes the request safe to retry for 24 h: the same key and request replay the first response (with "
                    + "`Idempotency-Replayed: true`); the same key with another request is 409 `idempotency_key_reused`. 1 to 255 printable ASCII characters.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255 },
            });
        }
    }

    private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument document) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

    private static async Task EnsureErrorEnvelopeAsync(OpenApiDocument document, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (document.Components?.Schemas?.ContainsKey(ErrorEnvelopeSchema) == true) return;
        var schema = await context.GetOrCreateSchemaAsync(typeof(ErrorEnvelope), null, cancellationToken);
        document.AddComponent(ErrorEnvelopeSchema, schema);
    }

    private static OpenApiResponse ErrorResponse(int status, OpenApiDocument document)
    {
        var codes = EndpointDocs.CodesOf(status);
        var response = new OpenApiResponse
        {
            Description = $"{ReasonPhrases(status)}: `error.code` is {string.Join(" or ", codes.Select(c => $"`{c}`"))}.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchemaReference(ErrorEnvelopeSchema, document) },
            },
        };
        var header = status switch
        {
            StatusCodes.Status401Unauthorized => ("WWW-Authenticate", "The schemes that would work: " + string.Join("; ", ErrorResult.Challenges)),
            StatusCodes.Status429TooManyRequests => ("Retry-After", "Seconds to wait before a retry."),
            StatusCodes.Status503ServiceUnavailable => ("Retry-After", $"Seconds to wait before a retry ({ErrorResult.UnavailableRetryAfterSeconds})."),
            _ => default((string, string)?),
        };
        if (header is var (name, text))
            response.Headers = new Dictionary<string, IOpenApiHeader> { [name] = new OpenApiHeader { Description = text, Schema = new OpenApiSchema { Type = JsonSchemaType.String } } };
        return response;
    }

    private static string ReasonPhrases(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);

    private static void DescribeSuccess(OpenApiOperation operation, EndpointMetadataCollection metadata)
    {
        if (operation.Responses is null) return;
        var location = metadata.GetMetadata<SuccessStatus>() is { Location: true } success ? success.StatusCode : (int?)null;
        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse concrete) continue;
            concrete.Description = status switch
            {
                "201" => "Created: `data` is the new resource; `Location` is its URL.",
                "202" => "Accepted: `data` names the job (`job_id`) that finishes the work; poll GET /v1/jobs/{job_id}.",
                _ => "OK: `data` is the resource or page.",
            };
            if (location?.ToString(System.Globalization.CultureInfo.InvariantCulture) == status)
                concrete.Headers = new Dictionary<string, IOpenApiHeader>
                {
                    ["Location"] = new OpenApiHeader
                    {
                        Description = status == "201" ? "The new resource's URL." : "The job's URL.",
                        Required = true,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    },
                };
        }
    }

    private static void DescribeParameters(OpenApiOperation operation, EndpointMetadataCollection metadata)
    {
        if (operation.Parameters is null) return;
        var documented = metadata.GetOrderedMetadata<QueryParameterDoc>().ToDictionary(d => d.Name, StringComparer.Ordinal);
        foreach (var parameter in operation.Parameters.OfType<OpenApiParameter>())
        {
            if (parameter.In == ParameterLocation.Path)
            {
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String };
                parameter.Description ??= $"The {parameter.Name!.Replace('_', ' ')} (another tenant's resource is 404).";
                continue;
            }

            if (parameter.In != ParameterLocation.Query) continue;
            parameter.Required = false;
            if (parameter.Name == "limit")
            {
                parameter.Description = $"Items per page, {PageRequest.MinLimit} to {PageRequest.MaxLimit} (default {PageRequest.DefaultLimit}); out of range is 400.";
                parameter.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer,
                    Format = "int32",
                    Minimum = Number(PageRequest.MinLimit),
                    Maximum = Number(PageRequest.MaxLimit),
                    Default = JsonValue.Create(PageRequest.DefaultLimit),
                };
            }
            else if (parameter.Name == "cursor")
            {
                parameter.Description = "The `next_cursor` of the previous page (opaque; a cursor of another list or filter is 400).";
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String };
            }
            else if (documented.TryGetValue(parameter.Name!, out var doc))
            {
                parameter.Description = doc.Description;
                parameter.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Format = doc.DateTime ? "date-time" : null,
                    MaxLength = doc.MaxLength,
                    Enum = doc.OneOf?.Select(v => (JsonNode)JsonValue.Create(v)).ToList(),
                };
            }
            else
            {
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String };
            }
        }
    }

    private static string Number(decimal value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Types the schemas the exporter leaves open (strings and timestamps pass the Api's own converters, so it cannot see
    /// their type), makes response fields nullable exactly where the C# is, and gives request bodies the contracts of
    /// their validators: required fields, lengths, ranges, vocabularies, patterns.
    /// </summary>
    private static async Task TransformSchemaAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var isObject = context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object;
        if (context.JsonPropertyInfo is { } property) TransformProperty(schema, property, isObject);

        // A batch's items are bound one by one (raw JSON in the C#), each as the body of its single call: the document shows that body.
        if (context.JsonPropertyInfo?.AttributeProvider is PropertyInfo info && info.GetCustomAttribute<BulkItemsOfAttribute>() is { } bulk)
            schema.Items = await context.GetOrCreateSchemaAsync(bulk.ItemType, null, cancellationToken);

        // A body's type schema (met at the top or as a property's): required as its validator says, never null itself.
        if (isObject && RequestContracts.Of(context.JsonTypeInfo.Type) is { } contracts)
            schema.Required = new HashSet<string>(contracts.Where(c => c.Value.Required).Select(c => c.Key), StringComparer.Ordinal);
        if (isObject && schema.Type is { } type) schema.Type = type & ~JsonSchemaType.Null;

        // A property left out when null (a batch item's `data` or `error`) is not required in an answer.
        if (isObject && schema.Required is { Count: > 0 } required)
            foreach (var omitted in context.JsonTypeInfo.Properties.Where(p => p.ShouldSerialize is not null)) required.Remove(omitted.Name);
    }

    private static void TransformProperty(OpenApiSchema schema, JsonPropertyInfo property, bool isObject)
    {
        var declaring = property.DeclaringType;
        var contract = RequestContracts.Of(declaring)?.GetValueOrDefault(property.Name);
        var isRequest = RequestContracts.IsRequestType(declaring);
        var nullable = isRequest ? contract?.Required != true : IsNullable(property);
        var clr = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;

        if (clr == typeof(string)) schema.Type = JsonSchemaType.String;
        else if (clr == typeof(DateTimeOffset)) (schema.Type, schema.Format) = (JsonSchemaType.String, "date-time");
        else if (ElementType(clr) is { } element && (element == typeof(string) || element == typeof(DateTimeOffset)))
        {
            var items = schema.Items as OpenApiSchema ?? new OpenApiSchema();
            items.Type = JsonSchemaType.String;
            if (element == typeof(DateTimeOffset)) items.Format = "date-time";
            schema.Items = items;
        }

        // Nullability of the property's own value (an object's schema is shared as a component: its property reference carries that).
        if (!isObject && schema.Type is { } jsonType && schema.OneOf is not { Count: > 0 })
            schema.Type = nullable ? jsonType | JsonSchemaType.Null : jsonType & ~JsonSchemaType.Null;

        if (declaring == typeof(ErrorBody) && property.Name == "code")
            schema.Enum = typeof(Ipto.Common.ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.IsLiteral).Select(f => (JsonNode)JsonValue.Create((string)f.GetRawConstantValue()!)).ToList();

        if (contract is null) return;
        Apply(schema, contract.Rule);
        if (contract.Rule.Items is { } itemRule && schema.Items is OpenApiSchema itemSchema) Apply(itemSchema, itemRule);
        var notes = new List<string>();
        if (contract.RequiredUnless is { } unless) notes.Add($"Required unless `{unless}` is sent.");
        if (contract.Rule.Note is { } note) notes.Add(char.ToUpperInvariant(note[0]) + note[1..] + ".");
        if (notes.Count > 0) schema.Description = string.Join(" ", notes);
    }

    private static void Apply(OpenApiSchema schema, FieldRule rule)
    {
        if (rule.MinLength is { } minLength and > 0) schema.MinLength = minLength;
        if (rule.MaxLength is { } maxLength) schema.MaxLength = maxLength;
        if (rule.Minimum is { } minimum)
        {
            if (rule.ExclusiveMinimum) schema.ExclusiveMinimum = Number(minimum);
            else schema.Minimum = Number(minimum);
        }

        if (rule.Maximum is { } maximum) schema.Maximum = Number(maximum);
        if (rule.OneOf is { } oneOf) schema.Enum = oneOf.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
        if (rule.Pattern is { } pattern) schema.Pattern = pattern;
        if (rule.Format is { } format) schema.Format = format;
        if (rule.MinItems is { } minItems) schema.MinItems = minItems;
        if (rule.MaxItems is { } maxItems) schema.MaxItems = maxItems;
    }

    private static bool IsNullable(JsonPropertyInfo property)
    {
        if (Nullable.GetUnderlyingType(property.PropertyType) is not null) return true;
        if (property.PropertyType.IsValueType) return false;
        return property.AttributeProvider is PropertyInfo info
            ? new NullabilityInfoContext().Create(info).ReadState == NullabilityState.Nullable
            : property.IsGetNullable;
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type != typeof(string) && type.IsGenericType && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments() is [var e] ? e : null;
}
