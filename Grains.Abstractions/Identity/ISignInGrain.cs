namespace Ipto.Identity;

/// <summary>A session just opened for an account.</summary>
[GenerateSerializer, Alias("Ipto.SignedIn")]
public sealed record SignedIn(
    [property: Id(0)] string UserId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] string Email,
    [property: Id(3)] string SessionToken,
    [property: Id(4)] DateTimeOffset ExpiresAt,
    [property: Id(5)] TimeSpan IdleTimeout);

/// <summary>A login's outcome: the session on success, else why not (and, throttled, when to retry).</summary>
[GenerateSerializer, Alias("Ipto.LoginAttempt")]
public sealed record LoginAttempt([property: Id(0)] LoginOutcome Outcome, [property: Id(1)] SignedIn? Session, [property: Id(2)] int RetryAfterSeconds);

/// <summary>
/// Signup and login (SPEC §2): emails normalized, the account made or the password checked by its email's grain,
/// a session opened. Both share one cluster-wide bucket per client address (<see cref="Admit"/>, asked first).
/// Stateless: any silo answers (use key 0).
/// </summary>
[Alias("Ipto.ISignInGrain")]
public interface ISignInGrain : IGrainWithIntegerKey
{
    /// <summary>Takes a token of the signup-and-login bucket of <paramref name="clientAddress"/>.</summary>
    [Alias("Admit")]
    Task<RateDecision> Admit(string clientAddress);

    [Alias("Signup")]
    Task<SignedIn> Signup(SignupCommand command);

    [Alias("Login")]
    Task<LoginAttempt> Login(string email, string password);
}
