using Ipto.Common;

namespace Ipto.Identity;

[GenerateSerializer, Alias("Ipto.NewUser")]
public sealed record NewUser(
    [property: Id(0)] string Email,
    [property: Id(1)] string PasswordHash,
    [property: Id(2)] string DisplayName,
    [property: Id(3)] string TenantId,
    [property: Id(4)] IReadOnlyList<string> Roles,
    [property: Id(5)] bool IsPlatformAdmin);

/// <summary>A user: profile, password hash, membership roles, platform-admin flag and open sessions.</summary>
[Alias("Ipto.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task Create(NewUser user);

    /// <summary>Removes a user that a failed signup left behind (never a complete account).</summary>
    [Alias("Discard")]
    Task Discard();

    [Alias("GetProfile")]
    Task<UserProfile?> GetProfile();

    [Alias("VerifyPassword")]
    Task<bool> VerifyPassword(string password);

    /// <summary>Opens a session (the token is made and hashed here) and returns the token and its absolute expiry.</summary>
    [Alias("OpenSession")]
    Task<(string Token, DateTimeOffset ExpiresAt)> OpenSession();

    /// <summary>Changes the password (422 naming <c>current_password</c> when it is wrong), ends every other session and says how many.</summary>
    [Alias("ChangePassword")]
    Task<int> ChangePassword(Caller caller, string currentPassword, string newPassword, string keepSessionHash);

    /// <summary>New membership roles; open sessions take them on their next request.</summary>
    [Alias("SetRoles")]
    Task SetRoles(IReadOnlyList<string> roles);

    /// <summary>Removes the user (taken out of their tenant): every session ends at once and the email is freed.</summary>
    [Alias("Remove")]
    Task Remove();

    [Alias("ForgetSession")]
    Task ForgetSession(string sessionHash);

    /// <summary>Sets the platform-admin flag: only the operator's bootstrap or admin tools call this, never the tenant API.</summary>
    [Alias("SetPlatformAdmin")]
    Task SetPlatformAdmin(bool isPlatformAdmin);
}
