using System.Net;
using System.Text.Json;

namespace Ipto.Testing;

public sealed record Account(string Email, string Password, string UserId, string TenantId, string SessionToken);

/// <summary>Sign up, log in and make keys through the public API, over any client of it (an in-process host or a real socket).</summary>
public static class Accounts
{
    public const string Password = "correct horse battery";

    public static string NewEmail(string tag = "user") => $"{tag}-{Guid.NewGuid():N}@example.com";

    /// <summary>Signs up through <paramref name="anonymous"/> (a client without credentials).</summary>
    public static async Task<Account> SignupAsync(this HttpClient anonymous, string? email = null, string tenantName = "Acme Data", string displayName = "Ada Lovelace")
    {
        email ??= NewEmail();
        var response = await anonymous.PostAsync("/v1/auth/signup", ApiHttp.Json(JsonSerializer.Serialize(new
        {
            email,
            password = Password,
            display_name = displayName,
            tenant_name = tenantName,
        })));
        var data = await response.DataAsync(HttpStatusCode.Created);
        return new Account(email.ToLowerInvariant(), Password, data.GetProperty("user_id").GetString()!, data.GetProperty("tenant_id").GetString()!,
            data.GetProperty("session_token").GetString()!);
    }

    public static async Task<HttpResponseMessage> LoginAsync(this HttpClient anonymous, string email, string password) =>
        await anonymous.PostAsync("/v1/auth/login", ApiHttp.Json(JsonSerializer.Serialize(new { email, password })));

    /// <summary>Creates a key with the given scopes as <paramref name="creator"/> and returns (key id, full key).</summary>
    public static async Task<(string Id, string Key)> CreateKeyAsync(this HttpClient creator, params string[] scopes)
    {
        var response = await creator.PostAsync("/v1/api-keys", ApiHttp.Json(JsonSerializer.Serialize(new { name = "agent", scopes })));
        var data = await response.DataAsync(HttpStatusCode.Created);
        return (data.GetProperty("api_key_id").GetString()!, data.GetProperty("key").GetString()!);
    }
}
