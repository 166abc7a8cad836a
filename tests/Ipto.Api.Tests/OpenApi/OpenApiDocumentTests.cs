using System.Text.Json.Nodes;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Ipto.Api.Http.OpenApi;
using Ipto.Api.Tests.Support;
using Ipto.Datasets;
using Ipto.Objects;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Ipto.Api.Tests.OpenApi;

/// <summary>
/// The served OpenAPI document against the app itself: every mapped /v1 route with its real success status, the error
/// statuses its metadata implies (each in the error envelope), summaries, tags and security; request bodies as their
/// validators treat them; typed query parameters; and a document that Microsoft.OpenApi's reader takes without errors.
/// </summary>
public sealed class OpenApiDocumentTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string ErrorRef = "#/components/schemas/ErrorEnvelope";

    /// <summary>The operations that answer 201 (with Location) or 202 (with a job), as their handlers do (ApiResults.Created/Accepted).</summary>
    private static readonly Dictionary<string, int> NonOkSuccess = new(StringComparer.Ordinal)
    {
        ["Signup"] = 201, ["CreateApiKey"] = 201, ["CreateInvitation"] = 201, ["CreateDataset"] = 201, ["AddDatasetGrant"] = 201,
        ["CreateUpload"] = 201, ["CreateDatasetObjectUpload"] = 201, ["ReportOutcome"] = 201,
        ["PlacePayoutHold"] = 201, ["CreateWebhook"] = 201,
        ["DeleteDataset"] = 202, ["ApproveStagedObject"] = 202, ["ReviewApprove"] = 202, ["BatchDeleteObjects"] = 202,
        ["TestWebhook"] = 202, ["RedeliverWebhook"] = 202,
    };

    /// <summary>Work queued without a job of its own (a webhook delivery): 202 without <c>job_id</c>.</summary>
    private static readonly HashSet<string> AcceptedWithoutJob = new(StringComparer.Ordinal) { "TestWebhook", "RedeliverWebhook" };

    /// <summary>Records without an address of their own: 201 without Location (and, for a citation, 200 when it was already there).</summary>
    private static readonly Dictionary<string, int[]> WithoutLocation = new(StringComparer.Ordinal)
    {
        ["CreateCitation"] = [200, 201], ["ReportOutcome"] = [201], ["PlacePayoutHold"] = [201],
    };

    private async Task<JsonNode> DocumentAsync()
    {
        using var client = api.Factory.ClientFor(null);
        return JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
    }

    private IReadOnlyList<RouteEndpoint> V1Endpoints() => api.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.RoutePattern.RawText is { } p && p.StartsWith("/v1/", StringComparison.Ordinal) && !p.StartsWith("/v1/test", StringComparison.Ordinal))
        .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not null)
        .ToArray();

    [Fact]
    public async Task EveryV1RouteIsDocumentedWithItsSuccessAndErrorStatusesSummaryTagsAndSecurity()
    {
        var document = await DocumentAsync();
        var endpoints = V1Endpoints();
        Assert.True(endpoints.Count > 40, $"only {endpoints.Count} /v1 endpoints");
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints)
        {
            var pattern = endpoint.RoutePattern.RawText!.TrimEnd('/'); // a group's "" route is "/v1/datasets/"
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                var name = $"{method} {pattern}";
                if (document["paths"]?[pattern]?[method.ToLowerInvariant()] is not JsonObject operation)
                {
                    problems.Add($"{name}: not in the document");
                    continue;
                }

                var operationId = (string?)operation["operationId"] ?? name;
                seen.Add(operationId);
                var responses = operation["responses"]!.AsObject();
                var statuses = responses.Select(r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();

                // Success: the one status the handler answers, as the known list says; 201 with Location, 202 with job_id.
                var expected = NonOkSuccess.GetValueOrDefault(operationId, 200);
                var success = statuses.Where(s => s is >= 200 and < 300).Order().ToArray();
                if (WithoutLocation.TryGetValue(operationId, out var answers))
                {
                    if (!success.SequenceEqual(answers)) problems.Add($"{name}: success {string.Join(",", success)}, expected {string.Join(",", answers)}");
                    if (responses["201"]?["headers"]?["Location"] is not null) problems.Add($"{name}: 201 documents a Location it never sends");
                }
                else if (success is not [var only] || only != expected) problems.Add($"{name}: success {string.Join(",", success)}, expected {expected}");
                if (expected == 201 && !WithoutLocation.ContainsKey(operationId) && responses["201"]?["headers"]?["Location"] is null) problems.Add($"{name}: 201 without Location");
                if (expected == 202 && !AcceptedWithoutJob.Contains(operationId) && !DataProperties(document, responses["202"]!).Contains("job_id")) problems.Add($"{name}: 202 without job_id");

                // Errors, from what the endpoint's metadata says it checks.
                var metadata = endpoint.Metadata;
                var anonymous = metadata.GetMetadata<IAllowAnonymous>() is not null;
                var admin = AccessRequirementsMiddleware.IsAdminRoute(pattern);
                var sessionOnly = metadata.GetMetadata<SessionRequirement>() is not null || admin;
                var hasBody = metadata.GetMetadata<IAcceptsMetadata>() is not null;
                var hasQuery = operation["parameters"]?.AsArray().Any(p => (string?)p!["in"] == "query") == true;
                var idempotent = metadata.GetMetadata<IdempotentEndpoint>() is not null;
                Expect(!anonymous || (string)operationId == "Login", 401);
                Expect(sessionOnly || metadata.GetMetadata<ScopeRequirement>() is not null, 403);
                // A path parameter names a resource; a body that names one (a retrieval event) declares its 404.
                Expect(pattern.Contains('{') || metadata.GetOrderedMetadata<ErrorStatusDoc>().Any(d => d.StatusCode == 404), 404);
                if (hasBody || hasQuery || !anonymous) Expect(true, 400);
                if (idempotent || method is "PATCH" or "DELETE") Expect(true, 409);
                Expect(hasBody, 422);
                Expect(true, 429);
                foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
                    if ((string?)response!["content"]?["application/json"]?["schema"]?["$ref"] != ErrorRef)
                        problems.Add($"{name}: {status} is not the error envelope");

                if (string.IsNullOrWhiteSpace((string?)operation["summary"])) problems.Add($"{name}: no summary");
                if (string.IsNullOrWhiteSpace((string?)operation["description"])) problems.Add($"{name}: no description");
                if (operation["tags"] is not JsonArray { Count: > 0 }) problems.Add($"{name}: no tags");

                var security = operation["security"]?.AsArray().Select(r => string.Join("+", r!.AsObject().Select(s => s.Key))).ToArray() ?? [];
                string[] expectedSecurity = anonymous ? [] : sessionOnly ? [IptoOpenApi.SessionScheme] : [IptoOpenApi.SessionScheme, IptoOpenApi.ApiKeyScheme];
                if (!security.SequenceEqual(expectedSecurity)) problems.Add($"{name}: security [{string.Join(", ", security)}], expected [{string.Join(", ", expectedSecurity)}]");

                void Expect(bool when, int status)
                {
                    if (when && !statuses.Contains(status)) problems.Add($"{name}: no {status}");
                    if (!when && statuses.Contains(status) && status is 401 or 403 or 404 or 422) problems.Add($"{name}: {status} documented but cannot happen");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Superset(NonOkSuccess.Keys.ToHashSet(), seen);
        // The metadata that the test hosts hold every response to (DocumentedStatusGuard) says the same.
        foreach (var endpoint in endpoints)
            if (endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName is { } id)
                Assert.Equal(WithoutLocation.GetValueOrDefault(id) ?? [NonOkSuccess.GetValueOrDefault(id, 200)], EndpointDocs.SuccessStatuses(endpoint.Metadata).Order());
    }

    [Fact]
    public async Task SecuritySchemesAreTheSessionBearerAndTheApiKeyHeader()
    {
        var schemes = (await DocumentAsync())["components"]!["securitySchemes"]!;

        Assert.Equal("http", (string?)schemes[IptoOpenApi.SessionScheme]!["type"]);
        Assert.Equal("bearer", (string?)schemes[IptoOpenApi.SessionScheme]!["scheme"]);
        Assert.Equal("apiKey", (string?)schemes[IptoOpenApi.ApiKeyScheme]!["type"]);
        Assert.Equal("header", (string?)schemes[IptoOpenApi.ApiKeyScheme]!["in"]);
        Assert.Equal("X-API-Key", (string?)schemes[IptoOpenApi.ApiKeyScheme]!["name"]);
    }

    [Fact]
    public async Task RequestBodiesMarkTheFieldsTheValidatorsRequireWithTheirBounds()
    {
        var schemas = (await DocumentAsync())["components"]!["schemas"]!;

        Assert.Equal(["display_name", "email", "password"], Required(schemas, "SignupRequest"));
        Assert.Equal(["name"], Required(schemas, "CreateDatasetRequest"));
        Assert.Empty(Required(schemas, "UpdateDatasetRequest"));
        Assert.Equal(["name", "scopes"], Required(schemas, "CreateApiKeyRequest"));
        Assert.Equal(["amount", "period"], Required(schemas, "SpendLimitBody"));
        Assert.Empty(Required(schemas, "PricingBody"));
        Assert.Empty(Required(schemas, "SearchRequestBody"));
        Assert.Equal(["etag", "part_number"], Required(schemas, "CompletePartBody"));
        Assert.Contains("invitation_token", (string?)schemas["SignupRequest"]!["properties"]!["tenant_name"]!["description"]);

        // Every request body: its required fields exist and are not nullable; its optional fields may be null.
        foreach (var (name, schema) in schemas.AsObject().Where(s => s.Key.EndsWith("Request", StringComparison.Ordinal) || s.Key.EndsWith("Body", StringComparison.Ordinal)))
        {
            var properties = schema!["properties"]!.AsObject();
            foreach (var required in Required(schemas, name))
            {
                Assert.True(properties.ContainsKey(required), $"{name}.{required} is required but not a property");
                Assert.DoesNotContain("null", Types(properties[required]!));
            }
        }

        var name200 = schemas["CreateDatasetRequest"]!["properties"]!["name"]!;
        Assert.Equal(1, (int?)name200["minLength"]);
        Assert.Equal(200, (int?)name200["maxLength"]);
        Assert.Equal(DatasetVocabulary.Visibilities, Enum(schemas["CreateDatasetRequest"]!["properties"]!["visibility"]!));
        Assert.Equal(DatasetStatuses.All, Enum(schemas["UpdateDatasetRequest"]!["properties"]!["status"]!));
        Assert.Equal(Ipto.Identity.Scopes.All, Enum(schemas["CreateApiKeyRequest"]!["properties"]!["scopes"]!["items"]!));
        var price = schemas["PricingBody"]!["properties"]!["price_per_retrieval"]!;
        Assert.Equal(0m, (decimal?)price["minimum"]);
        Assert.Equal(Ipto.Common.Money.FromMicros(Ipto.Common.Money.MaxUnitPriceMicros), (decimal?)price["maximum"]);
        Assert.Equal(PricingRules.MaxMultiplier, (decimal?)schemas["PricingBody"]!["properties"]!["max_multiplier"]!["maximum"]);
        Assert.Equal(8, (int?)schemas["SignupRequest"]!["properties"]!["password"]!["minLength"]);
        Assert.Equal(["string"], Types(schemas["SignupRequest"]!["properties"]!["email"]!));
    }

    [Fact]
    public async Task QueryParametersAreTyped()
    {
        var document = await DocumentAsync();
        var lists = 0;
        foreach (var (_, item) in document["paths"]!.AsObject())
        foreach (var (_, operation) in item!.AsObject())
        foreach (var parameter in operation!["parameters"]?.AsArray() ?? [])
        {
            Assert.NotEmpty(Types(parameter!["schema"]!));
            if ((string?)parameter["name"] != "limit") continue;
            lists++;
            Assert.Equal("integer", (string?)parameter["schema"]!["type"]);
            Assert.Equal(1, (int?)parameter["schema"]!["minimum"]);
            Assert.Equal(100, (int?)parameter["schema"]!["maximum"]);
        }

        Assert.True(lists >= 6, $"only {lists} paged lists");
        var datasets = Parameters(document, "/v1/datasets", "get");
        Assert.Equal(DatasetStatuses.All, Enum(datasets["status"]["schema"]!));
        var objects = Parameters(document, "/v1/datasets/{dataset_id}/objects", "get");
        Assert.Equal(ReviewStates.All, Enum(objects["review_state"]["schema"]!));
        var activity = Parameters(document, "/v1/agent/activity/searches", "get");
        Assert.Equal("string", (string?)activity["from"]["schema"]!["type"]);
        Assert.Equal("date-time", (string?)activity["from"]["schema"]!["format"]);
    }

    [Fact]
    public async Task InfoNamesTheApiAndTheVersionHealthReports()
    {
        using var client = api.Factory.ClientFor(null);
        var health = JsonNode.Parse(await client.GetStringAsync("/health"))!;
        var document = await DocumentAsync();

        Assert.Equal("IPTO API", (string?)document["info"]!["title"]);
        Assert.Equal((string?)health["version"], (string?)document["info"]!["version"]);
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToArray();
        Assert.DoesNotContain(paths, p => p.StartsWith("/local-objects", StringComparison.Ordinal) || p.StartsWith("/mcp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheDocumentReadsWithoutErrorsAndEveryReferenceResolves()
    {
        using var client = api.Factory.ClientFor(null);
        var text = await client.GetStringAsync("/openapi/v1.json");

        var result = OpenApiDocument.Parse(text, "json", new OpenApiReaderSettings());
        Assert.NotNull(result.Document);
        Assert.True(result.Diagnostic is null || result.Diagnostic.Errors.Count == 0,
            string.Join("\n", result.Diagnostic?.Errors.Select(e => $"{e.Pointer}: {e.Message}") ?? []));
        Assert.True(result.Document!.Paths.Count > 40);

        var root = JsonNode.Parse(text)!;
        var references = new List<string>();
        Collect(root, references);
        Assert.NotEmpty(references);
        foreach (var reference in references.Distinct())
        {
            Assert.StartsWith("#/", reference);
            JsonNode? target = root;
            foreach (var segment in reference[2..].Split('/')) target = target?[segment.Replace("~1", "/").Replace("~0", "~")];
            Assert.True(target is not null, $"{reference} does not resolve");
        }
    }

    private static void Collect(JsonNode? node, List<string> references)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                    if (key == "$ref" && value is JsonValue v) references.Add(v.GetValue<string>());
                    else Collect(value, references);
                break;
            case JsonArray a:
                foreach (var item in a) Collect(item, references);
                break;
        }
    }

    private static Dictionary<string, JsonNode> Parameters(JsonNode document, string path, string method) =>
        document["paths"]![path]![method]!["parameters"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => p!);

    private static string[] Required(JsonNode schemas, string name) =>
        schemas[name]!["required"]?.AsArray().Select(r => (string)r!).Order(StringComparer.Ordinal).ToArray() ?? [];

    private static string[] Enum(JsonNode schema) => schema["enum"]!.AsArray().Select(v => (string)v!).ToArray();

    private static string[] Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray types => types.Select(t => (string)t!).ToArray(),
        JsonValue type => [(string)type!],
        _ => [],
    };

    /// <summary>The properties of a response's <c>data</c>, following the envelope's references.</summary>
    private static HashSet<string> DataProperties(JsonNode document, JsonNode response)
    {
        var envelope = Resolve(document, response["content"]!["application/json"]!["schema"]!);
        var data = envelope["properties"]!["data"]!;
        var target = data["oneOf"] is JsonArray options ? options.First(o => o!["$ref"] is not null)! : data;
        return Resolve(document, target)["properties"]!.AsObject().Select(p => p.Key).ToHashSet();
    }

    private static JsonNode Resolve(JsonNode document, JsonNode schema) =>
        schema["$ref"] is { } reference ? document["components"]!["schemas"]![((string)reference!).Split('/')[^1]]! : schema;
}
