using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ipto.Testing;

/// <summary>Request bodies and envelope checks for the public API over any <see cref="HttpClient"/>.</summary>
public static partial class ApiHttp
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A JSON request body serialized from an anonymous object (property names as written).</summary>
    public static StringContent Body(object value) => Json(System.Text.Json.JsonSerializer.Serialize(value));

    public static async Task<JsonElement> DataAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        var root = JsonDocument.Parse(body).RootElement;
        AssertEnvelopeMeta(response, root);
        return root.GetProperty("data");
    }

    /// <summary>Asserts the error envelope: status, code, request id equal to the header, SPEC timestamp.</summary>
    public static async Task<JsonElement> ErrorAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        var root = JsonDocument.Parse(body).RootElement;
        var error = root.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.Array, error.GetProperty("details").ValueKind);
        AssertEnvelopeMeta(response, root);
        return error;
    }

    private static void AssertEnvelopeMeta(HttpResponseMessage response, JsonElement root)
    {
        var requestId = root.GetProperty("request_id").GetString();
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), requestId);
        Assert.Matches(Timestamp(), root.GetProperty("timestamp").GetString()!);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    public static partial Regex Timestamp();
}
