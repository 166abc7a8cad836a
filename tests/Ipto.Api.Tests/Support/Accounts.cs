using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Ipto.Api.Tests.Support;

public sealed record Account(string Email, string Password, string UserId, string TenantId, string SessionToken);

/// <summary>Test steps that sign up, log in and make keys through the public API, so each test stays a few lines.</summary>
public static class Accounts
{
    public const string Password = "correct horse battery";

    public static string NewEmail(string tag = "user") => $"{tag}-{Guid.NewGuid():N}@example.com";

    public static async Task<Account> SignupAsync(this IptoApiFactory api, string? email = null, string tenantName = "Acme Data")
    {
        email ??= NewEmail();
        using var client = api.ClientFor(null);
        var response = await client.PostAsync("/v1/auth/signup", ApiHttp.Json(JsonSerializer.Serialize(new
        {
            email,
            password = Password,
            display_name = "Ada Lovelace",
            tenant_name = tenantName,
        })));
        var data = await response.DataAsync(HttpStatusCode.Created);
        return new Account(email.ToLowerInvariant(), Password, data.GetProperty("user_id").GetString()!, data.GetProperty("tenant_id").GetString()!,
            data.GetProperty("session_token").GetString()!);
    }

    public static async Task<HttpResponseMessage> LoginAsync(this IptoApiFactory api, string email, string password)
    {
        using var client = api.ClientFor(null);
        return await client.PostAsync("/v1/auth/login", ApiHttp.Json(JsonSerializer.Serialize(new { email, password })));
    }

    public static HttpClient WithBearer(this IptoApiFactory api, string token)
    {
        var client = api.ClientFor(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static HttpClient WithApiKey(this IptoApiFactory api, string key)
    {
        var client = api.ClientFor(null);
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    /// <summary>Creates a key with the given scopes as <paramref name="creator"/> and returns (key id, full key).</summary>
    public static async Task<(string Id, string Key)> CreateKeyAsync(this HttpClient creator, params string[] scopes)
    {
        var response = await creator.PostAsync("/v1/api-keys", ApiHttp.Json(JsonSerializer.Serialize(new { name = "agent", scopes })));
        var data = await response.DataAsync(HttpStatusCode.Created);
        return (data.GetProperty("api_key_id").GetString()!, data.GetProperty("key").GetString()!);
    }
}
