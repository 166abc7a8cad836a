using System.Net;
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

    /// <summary>Invites <paramref name="roles"/> into the manager's tenant and signs the invitee up; returns the new member.</summary>
    public static async Task<Account> InviteAndJoinAsync(this IptoApiFactory api, HttpClient manager, params string[] roles)
    {
        var email = Accounts.NewEmail("member");
        var invitation = await (await manager.PostAsync("/v1/tenant/invitations", ApiHttp.Body(new { email, roles }))).DataAsync(HttpStatusCode.Created);
        using var anonymous = api.ClientFor(null);
        var joined = await (await anonymous.PostAsync("/v1/auth/signup", ApiHttp.Body(new
        {
            email, password = Accounts.Password, display_name = "Member", invitation_token = invitation.GetProperty("token").GetString(),
        }))).DataAsync(HttpStatusCode.Created);
        return new Account(email, Accounts.Password, joined.GetProperty("user_id").GetString()!, joined.GetProperty("tenant_id").GetString()!,
            joined.GetProperty("session_token").GetString()!);
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
