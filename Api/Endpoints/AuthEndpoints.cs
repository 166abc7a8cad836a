using System.Globalization;
using Ipto.Api.Http;
using Ipto.Api.Http.OpenApi;
using Ipto.Api.Http.Idempotency;
using Ipto.Api.Http.Auth;
using Ipto.Common;
using Ipto.Identity;

namespace Ipto.Api.Endpoints;

public sealed record SignupRequest(string? Email, string? Password, string? DisplayName, string? TenantName, string? InvitationToken) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("email", Email);
        errors.Email("email", Email);
        errors.Required("password", Password);
        errors.Length("password", Password, 8, 128);
        errors.Required("display_name", DisplayName);
        errors.Length("display_name", DisplayName, 1, 200);
        if (InvitationToken is null)
        {
            errors.Required("tenant_name", TenantName);
            errors.Length("tenant_name", TenantName, 1, 200);
        }
        else
        {
            errors.Length("invitation_token", InvitationToken, 1, 200);
            if (TenantName is not null) errors.Add("tenant_name", "must be left out when joining a tenant with invitation_token");
        }
    }
}

public sealed record SignupResponse(string UserId, string TenantId, string SessionToken, string DisplayName, string Email);

public sealed record LoginRequest(string? Email, string? Password) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("email", Email);
        errors.Length("email", Email, 1, EmailAddress.MaxLength);
        errors.Required("password", Password);
        errors.Length("password", Password, 1, 1024);
    }
}

public sealed record LoginResponse(string SessionToken, DateTimeOffset ExpiresAt, long IdleTimeoutSeconds, string UserId, string TenantId);

public sealed record LogoutResponse(bool LoggedOut);

/// <summary>Signup, login and logout (SPEC §2). Signup and login share a per-IP bucket; failed logins are throttled per email.</summary>
public static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuthEndpoints(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/auth").WithTags("Auth");
        group.MapPost("/signup", SignupAsync).AllowAnonymous().WithName("Signup").Created().WithStateConflicts()
            .WithSummary("Sign up")
            .WithDescription("Creates a user, a tenant (named `tenant_name`) and the user's `owner` membership at once, or joins the tenant of an "
                + "`invitation_token` instead; answers a session token. An email already signed up is 409 `conflict`. Shares a per-IP rate limit with login.");
        group.MapPost("/login", LoginAsync).AllowAnonymous().WithName("Login").WithErrorStatus(StatusCodes.Status401Unauthorized)
            .WithSummary("Log in")
            .WithDescription("Exchanges an email and password for a session token. A wrong email or password is 401 `invalid_credentials`; "
                + "repeated failures for one email are 429 until the window passes.");
        group.MapPost("/logout", LogoutAsync).RequireSession().WithIdempotency().WithName("Logout")
            .WithSummary("Log out")
            .WithDescription("Revokes the session the request is sent with; it stops working at once on every node.");
        return v1;
    }

    private static async Task<EnvelopeResult<SignupResponse>> SignupAsync(JsonBody<SignupRequest> body, HttpContext http, IGrainFactory grains)
    {
        var signIn = await AdmitAsync(http, grains);
        var request = body.Value;
        var session = await signIn.Signup(new SignupCommand(request.Email!, request.Password!, request.DisplayName!, request.TenantName,
            InvitationToken: request.InvitationToken));
        return ApiResults.Created("/v1/me", new SignupResponse(session.UserId, session.TenantId, session.SessionToken, request.DisplayName!, session.Email));
    }

    private static async Task<EnvelopeResult<LoginResponse>> LoginAsync(JsonBody<LoginRequest> body, HttpContext http, IGrainFactory grains)
    {
        var signIn = await AdmitAsync(http, grains);
        var attempt = await signIn.Login(body.Value.Email!, body.Value.Password!);
        switch (attempt.Outcome)
        {
            case LoginOutcome.Throttled:
                http.Response.OnStarting(() =>
                {
                    http.Response.Headers.RetryAfter = attempt.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                    return Task.CompletedTask;
                });
                throw new IptoException(ErrorCodes.RateLimited, "Too many failed logins for this email; retry later.");
            case LoginOutcome.InvalidCredentials:
                throw new IptoException(ErrorCodes.InvalidCredentials, "The email or password is wrong.");
        }

        var session = attempt.Session!;
        return ApiResults.Ok(new LoginResponse(session.SessionToken, session.ExpiresAt, (long)session.IdleTimeout.TotalSeconds, session.UserId, session.TenantId));
    }

    private static async Task<EnvelopeResult<LogoutResponse>> LogoutAsync(HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        var hash = http.User.SessionHashOf()!;
        await grains.GetGrain<ISessionGrain>(hash).Revoke();
        await grains.GetGrain<IUserGrain>(caller.PrincipalId).ForgetSession(hash);
        return ApiResults.Ok(new LogoutResponse(true));
    }

    /// <summary>One bucket per client IP for signup and login together, across the cluster.</summary>
    private static async Task<ISignInGrain> AdmitAsync(HttpContext http, IGrainFactory grains)
    {
        var signIn = grains.GetGrain<ISignInGrain>(0);
        var decision = await signIn.Admit(http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        RateLimitHeaders.Attach(http, decision);
        if (!decision.Allowed) throw new IptoException(ErrorCodes.RateLimited, "Too many signup or login attempts from this address; retry later.");
        return signIn;
    }
}
