using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ipto.Api.Tests.Support;
using Ipto.Common;
using Ipto.Identity;
using Xunit.Abstractions;

namespace Ipto.Api.Tests.Hardening;

/// <summary>
/// A seeded request fuzzer over every operation of the served OpenAPI document (read at test time, so new operations
/// are covered without touching this file). It sends boundary numbers, wrong JSON types, long strings, control
/// characters, invalid UTF-8, bad cursors and bad path and query values as a tenant owner, a platform admin, an API
/// key and nobody, and asserts the SPEC's envelopes: never a 5xx, every error in the error envelope, every 2xx JSON
/// answer in the success envelope, always an <c>X-Request-Id</c>, and every status one the document lists for the
/// operation. The document's constraints (enums, lengths, minimum and maximum, item counts) steer part of the values to
/// their boundaries, just inside and just outside.
/// </summary>
public sealed class RequestFuzzerTests(RequestFuzzerTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<RequestFuzzerTests.Fixture>
{
    public const int Seed = 20261201;
    private const int RequestsPerOperation = 48;

    public sealed class Fixture : ApiFixture
    {
        protected override IptoApiFactory CreateFactory(string dataDir) => new(dataDir, new Dictionary<string, string?>(IdentityFixture.Settings)
        {
            ["Ipto:RateLimits:DefaultPerSecond"] = "1000000",
        }, testCredentials: false);
    }

    private sealed record Operation(string Method, string Path, IReadOnlyList<string> PathParameters, IReadOnlyList<string> QueryParameters, string? BodySchema,
        IReadOnlyDictionary<string, JsonNode?> QuerySchemas, IReadOnlySet<int> Documented);

    private sealed record Principal(string Name, Func<HttpRequestMessage, Task> Authorize);

    private sealed record Finding(string Request, int Status, string Problem, string Body);

    [Fact]
    public async Task EveryOperationAnswersInTheEnvelopeAndNeverWithA5xx()
    {
        var random = new Random(Seed);
        var world = await World.CreateAsync(fixture.Factory);
        using var anonymous = fixture.Factory.ClientFor(null);
        var document = JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!;
        var operations = Operations(document).ToArray();
        Assert.True(operations.Length > 40, $"only {operations.Length} operations in the OpenAPI document");
        var bodies = new BodyFactory(document, random);

        var findings = new List<Finding>();
        var statuses = new Dictionary<string, SortedDictionary<int, int>>(StringComparer.Ordinal);
        var sent = 0;
        // Deletes last, so that the resources the other operations reach stay alive while they run.
        foreach (var operation in operations.OrderBy(o => o.Method == "DELETE" ? 1 : 0).ThenBy(o => o.Path.StartsWith("/v1/api-keys", StringComparison.Ordinal) ? 1 : 0).ThenBy(o => o.Path, StringComparer.Ordinal).ThenBy(o => o.Method, StringComparer.Ordinal))
        {
            for (var i = 0; i < RequestsPerOperation; i++)
            {
                // Logging out ends the session it is sent with: it gets one of its own (or none, or a key) every time.
                var candidates = operation.Path.EndsWith("/logout", StringComparison.Ordinal)
                    ? world.Principals.Where(p => p.Name is "fresh-session" or "anonymous" or "key").ToArray()
                    : world.Principals.Where(p => p.Name != "fresh-session").ToArray();
                var principal = candidates[random.Next(candidates.Length)];
                using var request = Build(operation, random, world, bodies);
                var described = $"{principal.Name} {request.Method} {request.RequestUri} {await DescribeAsync(request)}";
                await principal.Authorize(request);
                using var response = await world.Client.SendAsync(request);
                sent++;
                var key = operation.Method + " " + operation.Path;
                if (!statuses.TryGetValue(key, out var counts)) statuses[key] = counts = [];
                counts[(int)response.StatusCode] = counts.GetValueOrDefault((int)response.StatusCode) + 1;
                var problem = await CheckAsync(response)
                    ?? (operation.Documented.Contains((int)response.StatusCode) ? null : $"status {(int)response.StatusCode} is not in the document");
                if (problem is not null)
                    findings.Add(new Finding(described, (int)response.StatusCode, problem, Truncate(await response.Content.ReadAsStringAsync(), 400) + ServerSide(response)));
            }
        }

        foreach (var (key, counts) in statuses) output.WriteLine($"{key}: {string.Join(", ", counts.Select(c => $"{c.Key}×{c.Value}"))}");
        // The fuzzer must get past validation into handlers, or a clean run proves little.
        var reached = statuses.Count(s => s.Value.Keys.Any(k => k is >= 200 and < 300));
        Assert.True(reached >= operations.Length / 3, $"Seed {Seed}: only {reached} of {operations.Length} operations ever answered 2xx");
        Assert.True(findings.Count == 0,
            $"Seed {Seed}: {findings.Count} of {sent} requests broke the contract; the distinct ones:\n" + string.Join("\n", findings
                .GroupBy(f => (f.Request.Split(' ')[1], Shape(f.Request.Split(' ')[2]), f.Status, f.Problem))
                .Select(g => g.First())
                .Take(40)
                .Select(f => $"- {f.Request}\n  → {f.Status} {f.Problem}: {f.Body}")));
    }

    private static IEnumerable<Operation> Operations(JsonNode document)
    {
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            // Test-only routes (deliberate crashes) and health probes (no envelope, SPEC §1) are not the contract fuzzed here.
            if (path.StartsWith("/v1/test", StringComparison.Ordinal) || path.StartsWith("/health", StringComparison.Ordinal)) continue;
            foreach (var (method, op) in item!.AsObject())
            {
                var parameters = op!["parameters"]?.AsArray().Select(p => (Name: (string)p!["name"]!, In: (string)p["in"]!, Schema: p["schema"])).ToArray() ?? [];
                var body = op["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>();
                yield return new Operation(method.ToUpperInvariant(), path,
                    parameters.Where(p => p.In == "path").Select(p => p.Name).ToArray(),
                    parameters.Where(p => p.In == "query").Select(p => p.Name).ToArray(),
                    body?.Split('/')[^1],
                    parameters.Where(p => p.In == "query").ToDictionary(p => p.Name, p => p.Schema, StringComparer.Ordinal),
                    op["responses"]!.AsObject().Select(r => int.Parse(r.Key, CultureInfo.InvariantCulture)).ToHashSet());
            }
        }
    }

    private static HttpRequestMessage Build(Operation operation, Random random, World world, BodyFactory bodies)
    {
        var path = new StringBuilder(operation.Path);
        foreach (var name in operation.PathParameters)
            path.Replace("{" + name + "}", PathValue(name, random, world));
        var query = random.Next(3) == 0 ? [] : operation.QueryParameters.Where(_ => random.Next(2) > 0).Select(name => $"{name}={QueryValue(name, operation.QuerySchemas.GetValueOrDefault(name), random, world)}").ToArray();
        if (random.Next(10) == 0) query = [.. query, "unknown=" + Uri.EscapeDataString(Values.Text(random))];
        var uri = path + (query.Length > 0 ? "?" + string.Join('&', query) : "");
        var request = new HttpRequestMessage(new HttpMethod(operation.Method), uri);
        if (operation.BodySchema is not null || operation.Method is "POST" or "PATCH" && random.Next(4) == 0)
            request.Content = bodies.Content(operation.BodySchema, world);
        if (random.Next(12) == 0) request.Headers.TryAddWithoutValidation("Idempotency-Key", Values.Text(random));
        if (random.Next(12) == 0) request.Headers.TryAddWithoutValidation("X-Request-Id", Values.Text(random));
        return request;
    }

    private static string PathValue(string name, Random random, World world)
    {
        var real = world.IdsFor(name);
        return random.Next(8) switch
        {
            < 4 when real.Count > 0 => real[random.Next(real.Count)],
            4 => Ids.New(PrefixOf(name)),
            // TestServer refuses a NUL in the path before sending; KestrelEnvelopeTests covers that one on a real listener.
            6 => Values.PercentEncoded[random.Next(Values.PercentEncoded.Length)].Replace("%00", "%01", StringComparison.Ordinal),
            5 => Uri.EscapeDataString(Values.Text(random).Replace('\0', '\u0001')),
            _ => Uri.EscapeDataString(Values.Id(random)),
        };
    }

    private static string QueryValue(string name, JsonNode? schema, Random random, World world)
    {
        // A third of the values sit at a documented boundary: just inside or just outside (limit 0/1/100/101, an enum's member or not, …).
        if (schema is not null && random.Next(3) == 0 && Values.Boundary(schema, random) is JsonValue boundary)
            return Uri.EscapeDataString(boundary.GetValueKind() == JsonValueKind.String ? boundary.GetValue<string>() : boundary.ToJsonString());
        if (name is "cursor" && random.Next(2) == 0) return Values.Cursor(random, world.Cursors);
        if (name.EndsWith("_id", StringComparison.Ordinal) && random.Next(2) == 0)
        {
            var real = world.IdsFor(name);
            if (real.Count > 0) return real[random.Next(real.Count)];
        }

        return random.Next(4) switch
        {
            0 => name switch { "limit" => "5", "status" => "active", "review_state" => "staged", "visibility" => "listed", _ => "contract" },
            1 => Values.NumberText(random),
            2 => Values.PercentEncoded[random.Next(Values.PercentEncoded.Length)],
            _ => Uri.EscapeDataString(Values.Text(random)),
        };
    }

    private static string PrefixOf(string parameter) => parameter switch
    {
        "dataset_id" => IdPrefixes.Dataset,
        "object_id" => IdPrefixes.Object,
        "upload_id" => IdPrefixes.Upload,
        "api_key_id" => IdPrefixes.ApiKey,
        "tenant_id" => IdPrefixes.Tenant,
        "user_id" => IdPrefixes.User,
        "job_id" => IdPrefixes.Job,
        _ => IdPrefixes.Request,
    };

    /// <summary>Null when the response keeps the contract, else what is wrong with it.</summary>
    private static async Task<string?> CheckAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status >= 500) return "server error";
        if (!response.Headers.TryGetValues("X-Request-Id", out var ids)) return "no X-Request-Id";
        var requestId = ids.Single();
        var body = await response.Content.ReadAsStringAsync();
        var isJson = response.Content.Headers.ContentType?.MediaType == "application/json";
        if (status is >= 200 and < 300 && !isJson) return null;
        if (!isJson) return "not JSON";
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return "body is not JSON";
        }

        if (root.ValueKind != JsonValueKind.Object) return "body is not an object";
        if (!root.TryGetProperty("request_id", out var bodyId) || bodyId.GetString() != requestId) return "request_id differs from X-Request-Id";
        if (!root.TryGetProperty("timestamp", out var timestamp) || timestamp.ValueKind != JsonValueKind.String
            || !ApiHttp.Timestamp().IsMatch(timestamp.GetString()!)) return "bad timestamp";
        if (status is >= 200 and < 300) return root.TryGetProperty("data", out _) ? null : "no data in the success envelope";
        if (!root.TryGetProperty("error", out var error)) return "no error envelope";
        if (!error.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.String) return "no error.code";
        if (ErrorCodes.StatusOf(code.GetString()!) != status) return $"error.code {code.GetString()} does not go with {status}";
        if (!error.TryGetProperty("message", out var message) || string.IsNullOrWhiteSpace(message.GetString())) return "no error.message";
        if (!error.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Array) return "no error.details";
        return null;
    }

    /// <summary>The first lines the server logged about a failed request (its exception), to make a finding actionable.</summary>
    private string ServerSide(HttpResponseMessage response)
    {
        if ((int)response.StatusCode < 500 || !response.Headers.TryGetValues("X-Request-Id", out var ids)) return "";
        var id = ids.Single();
        var line = fixture.Factory.Logs.Lines.FirstOrDefault(l => l.Contains(id, StringComparison.Ordinal));
        return line is null ? "" : "\n  server: " + Truncate(string.Join(" | ", line.Split('\n').Take(4).Select(l => l.Trim())), 700);
    }

    private static async Task<string> DescribeAsync(HttpRequestMessage request)
    {
        if (request.Content is not { } content) return "";
        var bytes = await content.ReadAsByteArrayAsync();
        var text = Encoding.UTF8.GetString(bytes);
        return $"[{content.Headers.ContentType}] {Truncate(text, 300)}";
    }

    private static string Shape(string uri) => new(uri.Split('?')[0].Select(c => char.IsLetterOrDigit(c) ? 'x' : c).ToArray());

    private static string Truncate(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max), $"…(+{(text.Length - max).ToString(CultureInfo.InvariantCulture)})");

    /// <summary>The fuzzing tenant, its credentials and the ids of what it made, so handlers behind validation are reached.</summary>
    private sealed class World
    {
        private readonly Dictionary<string, List<string>> _ids = new(StringComparer.Ordinal);

        public HttpClient Client { get; private init; } = null!;
        public List<Principal> Principals { get; } = [];
        public List<string> Cursors { get; } = [];

        public IReadOnlyList<string> IdsFor(string parameter) => _ids.TryGetValue(parameter, out var ids) ? ids : [];

        private void Add(string parameter, string? id)
        {
            if (id is null) return;
            if (!_ids.TryGetValue(parameter, out var ids)) _ids[parameter] = ids = [];
            ids.Add(id);
        }

        public static async Task<World> CreateAsync(IptoApiFactory api)
        {
            var world = new World { Client = api.ClientFor(null) };
            var owner = await api.SignupAsync(tenantName: "Fuzz Co");
            var other = await api.SignupAsync(tenantName: "Other Co");
            using var ownerClient = api.WithBearer(owner.SessionToken);
            var (keyId, key) = await ownerClient.CreateKeyAsync([.. Scopes.Tenant]);
            var admin = (await (await api.LoginAsync(IdentityFixture.AdminEmail, IdentityFixture.AdminPassword)).DataAsync()).GetProperty("session_token").GetString()!;

            var dataset = (await (await ownerClient.PostAsync("/v1/datasets", ApiHttp.Json("""{"name":"Fuzzed","visibility":"listed"}"""))).DataAsync(HttpStatusCode.Created))
                .GetProperty("dataset_id").GetString();
            var doomed = (await (await ownerClient.PostAsync("/v1/datasets", ApiHttp.Json("""{"name":"Doomed"}"""))).DataAsync(HttpStatusCode.Created))
                .GetProperty("dataset_id").GetString();
            var job = (await (await ownerClient.DeleteAsync($"/v1/datasets/{doomed}")).DataAsync(HttpStatusCode.Accepted)).GetProperty("job_id").GetString();
            var upload = await (await ownerClient.PostAsync("/v1/uploads", ApiHttp.Json(JsonSerializer.Serialize(new
            {
                dataset_id = dataset, filename = "notes.txt", content_type = "text/plain", size_bytes = 12,
            })))).DataAsync(HttpStatusCode.Created);
            var page = await (await ownerClient.GetAsync("/v1/datasets?limit=1")).DataAsync();

            world.Add("dataset_id", dataset);
            world.Add("dataset_id", doomed);
            world.Add("api_key_id", keyId);
            world.Add("upload_id", upload.GetProperty("upload_id").GetString());
            world.Add("object_id", upload.GetProperty("object_id").GetString());
            world.Add("job_id", job);
            world.Add("tenant_id", owner.TenantId);
            world.Add("tenant_id", other.TenantId);
            world.Add("user_id", other.UserId); // never the owner's own id: demoting or removing it would end the run's owner session
            if (page.GetProperty("next_cursor").GetString() is { } cursor) world.Cursors.Add(cursor);

            world.Principals.Add(new Principal("owner", r => Bearer(r, owner.SessionToken)));
            world.Principals.Add(new Principal("admin", r => Bearer(r, admin)));
            world.Principals.Add(new Principal("key", r =>
            {
                r.Headers.Add("X-API-Key", key);
                return Task.CompletedTask;
            }));
            world.Principals.Add(new Principal("anonymous", _ => Task.CompletedTask));
            world.Principals.Add(new Principal("fresh-session", async r =>
            {
                var session = (await (await api.LoginAsync(other.Email, other.Password)).DataAsync()).GetProperty("session_token").GetString()!;
                await Bearer(r, session);
            }));
            return world;

            static Task Bearer(HttpRequestMessage request, string token)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
                return Task.CompletedTask;
            }
        }
    }

    /// <summary>Request bodies from the OpenAPI schema's property names, typed by the request record when the schema is loose.</summary>
    private sealed class BodyFactory(JsonNode document, Random random)
    {
        private static readonly Assembly ApiAssembly = typeof(Ipto.Api.Http.JsonBody<>).Assembly;

        public HttpContent Content(string? schema, World world)
        {
            switch (random.Next(20))
            {
                case 0: return Raw([0x7B, 0x22, 0x6E, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0xFE, 0x22, 0x7D]); // {"n":"<invalid UTF-8>"}
                case 1: return Raw(Encoding.UTF8.GetBytes(random.Next(2) == 0 ? "[1,2,3]" : "\"text\""));
                case 2: return Raw(Encoding.UTF8.GetBytes(new string('[', 70) + new string(']', 70)));
                case 3: return Raw(Encoding.UTF8.GetBytes("{\"a\":"));
                case 4:
                    return new StringContent("{}", Encoding.UTF8, random.Next(2) == 0 ? "text/plain" : "application/x-www-form-urlencoded");
                case 5: return Raw(Encoding.UTF8.GetBytes("{\"\u0000\":1, \"name\": \"\\u0000\"}"));
            }

            // A quarter of the bodies are well-typed throughout, so that some get past validation into the handler.
            var hostile = random.Next(4) > 0;
            var body = new JsonObject();
            foreach (var (name, type, constraints) in Properties(schema))
            {
                if (random.Next(5) == 0) continue;
                body[name] = hostile && random.Next(3) == 0 ? Values.Wrong(random)
                    : constraints is not null && random.Next(3) == 0 && Values.Boundary(constraints, random) is var boundary && boundary is not null ? boundary
                    : Values.Plausible(name, type, random, world, hostile);
            }

            return new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        private static ByteArrayContent Raw(byte[] bytes)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new("application/json");
            return content;
        }

        private IEnumerable<(string Name, Type? Type, JsonNode? Schema)> Properties(string? schema)
        {
            if (schema is null) return [];
            var properties = document["components"]?["schemas"]?[schema]?["properties"]?.AsObject();
            var record = ApiAssembly.GetTypes().FirstOrDefault(t => t.Name == schema);
            var clr = record?.GetProperties().ToDictionary(p => Snake(p.Name), p => Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType, StringComparer.Ordinal)
                ?? [];
            var names = properties?.Select(p => p.Key).ToList() ?? [];
            names.AddRange(clr.Keys.Where(k => !names.Contains(k) && k != "effective_content_type"));
            return names.Select(n => (n, clr.GetValueOrDefault(n), properties?[n]));
        }

        private static string Snake(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
    }

    private static class Values
    {
        /// <summary>
        /// A value at one of the boundaries a schema documents, just inside or just outside: an enum member or a near miss,
        /// strings of the minimum and maximum length and one character past them, numbers at the bounds and one step past,
        /// lists of the maximum item count and one more. Null when the schema documents no boundary.
        /// </summary>
        public static JsonNode? Boundary(JsonNode schema, Random random)
        {
            var options = new List<Func<JsonNode?>>();
            if (schema["enum"] is JsonArray { Count: > 0 } members)
            {
                options.Add(() => members[random.Next(members.Count)]!.DeepClone());
                options.Add(() => JsonValue.Create(members[random.Next(members.Count)] + "x"));
            }

            if ((int?)schema["maxLength"] is { } maxLength)
            {
                options.Add(() => JsonValue.Create(new string('m', maxLength)));
                options.Add(() => JsonValue.Create(new string('m', maxLength + 1)));
            }

            if ((int?)schema["minLength"] is { } minLength and > 0)
            {
                options.Add(() => JsonValue.Create(new string('m', minLength)));
                options.Add(() => JsonValue.Create(new string('m', minLength - 1)));
            }

            var integer = Types(schema).Contains("integer");
            var step = integer ? 1m : 0.000001m;
            if ((decimal?)schema["minimum"] is { } minimum) options.AddRange([() => Number(minimum, integer), () => Number(minimum - step, integer)]);
            if ((decimal?)schema["exclusiveMinimum"] is { } above) options.AddRange([() => Number(above, integer), () => Number(above + step, integer)]);
            if ((decimal?)schema["maximum"] is { } maximum) options.AddRange([() => Number(maximum, integer), () => Number(maximum + step, integer)]);

            if (Types(schema).Contains("array"))
            {
                var items = schema["items"];
                JsonNode? Item() => items is not null && Boundary(items, random) is { } b ? b : JsonValue.Create("item");
                JsonArray List(int count) => new(Enumerable.Range(0, count).Select(_ => Item()).ToArray());
                if ((int?)schema["maxItems"] is { } maxItems) options.AddRange([() => List(maxItems), () => List(maxItems + 1)]);
                if ((int?)schema["minItems"] is { } minItems and > 0) options.AddRange([() => List(minItems), () => List(minItems - 1)]);
                if (items?["enum"] is not null || items?["maxLength"] is not null) options.Add(() => List(1));
            }

            if ((string?)schema["format"] == "date-time")
                options.AddRange([() => JsonValue.Create("2026-04-05T10:00:00.000Z"), () => JsonValue.Create("2026-04-05T10:00:00")]);
            return options.Count == 0 ? null : options[random.Next(options.Count)]();
        }

        private static JsonNode Number(decimal value, bool integer) =>
            integer ? JsonValue.Create((long)Math.Clamp(value, long.MinValue, long.MaxValue)) : JsonValue.Create(value);

        private static string[] Types(JsonNode schema) => schema["type"] switch
        {
            JsonArray types => types.Select(t => (string)t!).ToArray(),
            JsonValue type => [(string)type!],
            _ => [],
        };

        public static readonly string[] Numbers =
            ["0", "-1", "1", "2147483648", "-2147483649", "9223372036854775808", "1e23", "9223372036854.775807", "1e-7", "0.0000001", "1e308", "-0", "100000000000000000000000000000"];

        public static readonly string[] NanLike = ["NaN", "Infinity", "-Infinity", "1e999", "0x10", "", " ", "1,5", "١"];

        public static readonly string[] PercentEncoded =
            ["%00", "%2F", "%2e%2e", "..%2F..", "%ZZ", "%C3%28", "%FF%FE", "%E2%80%AE", "%0A%0D", "%20", "%252F", "dset_%00", "a%7Fb"];

        public static string Id(Random random) => random.Next(4) switch
        {
            0 => "dset_" + new string('z', 26),
            1 => "obj_01" + new string('A', 24),
            2 => "key_",
            _ => "upl_01jq3n5a7v8x9y0z1a2b3c4d5e" + "x",
        };

        public static string NumberText(Random random) =>
            random.Next(3) == 0 ? NanLike[random.Next(NanLike.Length)] : Numbers[random.Next(Numbers.Length)];

        public static string Text(Random random) => random.Next(7) switch
        {
            0 => new string('x', 10_001),
            1 => "nul\0inside",
            2 => "ctl\u0001\u001f\u007f\u0085\u009f",
            3 => "emoji 😀 and \u202e bidi",
            4 => "",
            5 => "line\nbreak\ttab",
            _ => "ordinary",
        };

        public static string Cursor(Random random, IReadOnlyList<string> real) => random.Next(5) switch
        {
            0 when real.Count > 0 => real[0][..^2] + "zz",
            0 or 1 => new string('a', 10_000),
            2 => "not.a.cursor",
            3 => Convert.ToBase64String(Encoding.UTF8.GetBytes("forged\npayload")) + ".AAAA",
            _ => "%00",
        };

        /// <summary>A value of the wrong JSON type, or a hostile one of the right type.</summary>
        public static JsonNode? Wrong(Random random) => random.Next(9) switch
        {
            0 => null,
            1 => JsonValue.Create(random.Next(2) == 0),
            2 => new JsonArray(JsonValue.Create(1), JsonValue.Create("x"), null),
            3 => new JsonObject { ["nested"] = new JsonObject { ["deeper"] = JsonValue.Create(1) } },
            4 => JsonNode.Parse(Numbers[random.Next(Numbers.Length)]),
            5 => JsonValue.Create(NumberText(random)),
            6 => JsonValue.Create(Text(random)),
            7 => new JsonArray(Enumerable.Range(0, 150).Select(i => (JsonNode?)JsonValue.Create("item" + i.ToString(CultureInfo.InvariantCulture))).ToArray()),
            _ => JsonValue.Create(new string('y', 20_000)),
        };

        /// <summary>A value of the field's declared type, often valid, sometimes at a boundary.</summary>
        public static JsonNode? Plausible(string name, Type? type, Random random, World world, bool hostile)
        {
            if (type == typeof(string))
            {
                if (name.EndsWith("_id", StringComparison.Ordinal) && world.IdsFor(name) is { Count: > 0 } ids) return JsonValue.Create(ids[random.Next(ids.Count)]);
                return JsonValue.Create(name switch
                {
                    "email" => random.Next(2) == 0 ? Accounts.NewEmail("fuzz") : "not-an-email",
                    "password" or "current_password" or "new_password" => random.Next(2) == 0 ? "long enough password" : "short",
                    "content_type" or "mime_type" => "text/plain",
                    "visibility" => "listed",
                    "mode" => "lexical",
                    "period" => "month",
                    "query" => "contract",
                    "status" => "paused",
                    _ => hostile && random.Next(3) == 0 ? Text(random) : "fuzz " + name,
                });
            }

            if (type == typeof(int) || type == typeof(long) || type == typeof(double) || type == typeof(decimal))
                return JsonNode.Parse(hostile ? Numbers[random.Next(Numbers.Length)] : random.Next(1, 20).ToString(CultureInfo.InvariantCulture));
            if (type == typeof(bool)) return JsonValue.Create(random.Next(2) == 0);
            if (type == typeof(DateTimeOffset))
                return JsonValue.Create(random.Next(3) switch { 0 => "2026-04-05T10:00:00.000Z", 1 => "9999-12-31T23:59:59Z", _ => "yesterday" });
            if (type is not null && type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type))
            {
                var items = name switch
                {
                    "scopes" => Scopes.All.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray(),
                    "dataset_ids" => world.IdsFor("dataset_id").Select(s => (JsonNode?)JsonValue.Create(s)).ToArray(),
                    "roles" => [JsonValue.Create(Roles.Owner)],
                    _ => hostile ? [JsonValue.Create(Text(random)), JsonValue.Create("tag")] : [JsonValue.Create("tag")],
                };
                return new JsonArray(items);
            }

            if (type is { IsClass: true })
            {
                var nested = new JsonObject();
                foreach (var property in type.GetProperties().Where(p => p.CanRead && p.GetIndexParameters().Length == 0))
                {
                    var nestedName = JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
                    var nestedType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                    nested[nestedName] = hostile && random.Next(3) == 0 ? Wrong(random) : Plausible(nestedName, nestedType, random, world, hostile);
                }

                return nested;
            }

            return Wrong(random);
        }
    }
}
