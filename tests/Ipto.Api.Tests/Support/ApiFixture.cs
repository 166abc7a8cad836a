using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ipto.Api.Tests.Support;

/// <summary>One embedded Api per test class, with test credentials (the <c>X-Test-Caller</c> header).</summary>
public class ApiFixture : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("ipto-api-").FullName;

    public IptoApiFactory Factory { get; private set; } = null!;

    public string DataDir => _dataDir;

    protected virtual IptoApiFactory CreateFactory(string dataDir) => new(dataDir);

    /// <summary>Starts the host and its silo (in-memory TestServer unless a fixture listens for real).</summary>
    protected virtual void Start(IptoApiFactory factory) => factory.ClientFor(null).Dispose();

    public Task InitializeAsync()
    {
        Factory = CreateFactory(_dataDir);
        Start(Factory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One embedded Api per test class with the real credentials (sessions and API keys) and a bootstrap platform admin.</summary>
public class IdentityFixture : ApiFixture
{
    public const string AdminEmail = "root@platform.example";
    public const string AdminPassword = "bootstrap-admin-password";

    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Ipto:Bootstrap:AdminEmail"] = AdminEmail,
        ["Ipto:Bootstrap:AdminPassword"] = AdminPassword,
        // Small multipart settings so tests exercise multipart with a few MiB (the store's minimum part is 5 MiB).
        ["Ipto:Uploads:MultipartThresholdBytes"] = (6 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Ipto:Uploads:MinPartSizeBytes"] = (5 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    protected override IptoApiFactory CreateFactory(string dataDir) => new(dataDir, Settings, testCredentials: false);
}

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
