using Ipto.Grains.Hosting;
using Ipto.Identity;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Ipto.Grains.Identity;

[StatelessWorker]
public sealed class SignInGrain(IOptions<IptoOptions> options) : Grain, ISignInGrain
{
    public Task<RateDecision> Admit(string clientAddress)
    {
        var perMinute = options.Value.RateLimits.AuthPerIpPerMinute;
        return GrainFactory.GetGrain<IRateLimitGrain>("auth-ip:" + clientAddress).Take(perMinute / 60.0, perMinute);
    }

    public async Task<SignedIn> Signup(SignupCommand command)
    {
        var email = EmailAddress.Normalize(command.Email);
        var account = await GrainFactory.GetGrain<IEmailIndexGrain>(email).Signup(command with { Email = email });
        return await OpenSessionAsync(account.UserId, account.TenantId, email);
    }

    public async Task<LoginAttempt> Login(string email, string password)
    {
        var normalized = EmailAddress.Normalize(email);
        var result = await GrainFactory.GetGrain<IEmailIndexGrain>(normalized).Login(password);
        return result.Outcome == LoginOutcome.Success
            ? new LoginAttempt(result.Outcome, await OpenSessionAsync(result.UserId!, result.TenantId!, normalized), 0)
            : new LoginAttempt(result.Outcome, null, result.RetryAfterSeconds);
    }

    private async Task<SignedIn> OpenSessionAsync(string userId, string tenantId, string email)
    {
        var (token, expiresAt) = await GrainFactory.GetGrain<IUserGrain>(userId).OpenSession();
        return new SignedIn(userId, tenantId, email, token, expiresAt, options.Value.Identity.SessionIdleTimeout);
    }
}
