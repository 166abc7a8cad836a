using Ipto.Api.Http;
using Ipto.Api.Http.OpenApi;
using Ipto.Api.Http.Idempotency;
using Ipto.Api.Http.Auth;
using Ipto.Common;
using Ipto.Identity;
using Ipto.Tenants;

namespace Ipto.Api.Endpoints;

public sealed record MeResponse(
    string PrincipalType, string? UserId, string? ApiKeyId, string? Email, string? DisplayName, string TenantId,
    string TenantDisplayName, bool IsPlatformAdmin, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("current_password", CurrentPassword);
        errors.Length("current_password", CurrentPassword, 1, 1024);
        errors.Required("new_password", NewPassword);
        errors.Length("new_password", NewPassword, 8, 128);
    }
}

public sealed record ChangePasswordResponse(bool PasswordChanged, int OtherSessionsRevoked);

/// <summary><c>GET /v1/me</c> for any principal; <c>POST /v1/me/password</c> for sessions only.</summary>
public static class MeEndpoints
{
    public static RouteGroupBuilder MapMeEndpoints(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/me").WithTags("Me");
        group.MapGet("", GetMeAsync).WithName("GetMe")
            .WithSummary("Who am I")
            .WithDescription("The calling principal: a user (with roles and the scopes they grant) or an API key (with its scopes), and its tenant.");
        group.MapPost("/password", ChangePasswordAsync).RequireSession().WithIdempotency().WithName("ChangePassword")
            .WithSummary("Change password")
            .WithDescription("Changes the user's password after checking the current one, and revokes every other session of the user.");
        return v1;
    }

    private static async Task<EnvelopeResult<MeResponse>> GetMeAsync(HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        var tenant = await grains.GetGrain<ITenantGrain>(caller.TenantId).GetInternal() ?? throw IptoException.NotFound("Tenant");
        if (caller.PrincipalType == PrincipalTypes.ApiKey)
            return ApiResults.Ok(new MeResponse(PrincipalTypes.ApiKey, null, caller.PrincipalId, null, null, caller.TenantId,
                tenant.DisplayName, false, [], caller.Scopes));

        var user = await grains.GetGrain<IUserGrain>(caller.PrincipalId).GetProfile() ?? throw IptoException.NotFound("User");
        return ApiResults.Ok(new MeResponse(PrincipalTypes.User, user.UserId, null, user.Email, user.DisplayName, caller.TenantId,
            tenant.DisplayName, caller.IsPlatformAdmin, http.User.Roles(), caller.Scopes));
    }

    private static async Task<EnvelopeResult<ChangePasswordResponse>> ChangePasswordAsync(JsonBody<ChangePasswordRequest> body, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        var revoked = await grains.GetGrain<IUserGrain>(caller.PrincipalId)
            .ChangePassword(caller, body.Value.CurrentPassword!, body.Value.NewPassword!, http.User.SessionHashOf()!);
        return ApiResults.Ok(new ChangePasswordResponse(true, revoked));
    }
}
