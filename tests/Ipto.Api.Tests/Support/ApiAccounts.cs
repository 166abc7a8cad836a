using System.Net.Http.Headers;
using Ipto.Testing;

namespace Ipto.Api.Tests.Support;

/// <summary>The steps of <see cref="Accounts"/> against an in-process Api, and clients of it with credentials.</summary>
public static class ApiAccounts
{
    public static async Task<Account> SignupAsync(this IptoApiFactory api, string? email = null, string tenantName = "Acme Data")
    {
        using var client = api.ClientFor(null);
        return await client.SignupAsync(email, tenantName);
    }

    public static async Task<HttpResponseMessage> LoginAsync(this IptoApiFactory api, string email, string password)
    {
        using var client = api.ClientFor(null);
        return await client.LoginAsync(email, password);
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
}
