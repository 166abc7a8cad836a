namespace Ipto.Identity;

/// <summary>
/// One per normalized email address. Being single-threaded it makes email uniqueness exact, orchestrates signup
/// (user, tenant and owner membership, or nothing), and throttles failed logins for its address.
/// </summary>
[Alias("Ipto.IEmailIndexGrain")]
public interface IEmailIndexGrain : IGrainWithStringKey
{
    /// <summary>Creates the account; 409 <c>conflict</c> when the address is taken.</summary>
    [Alias("Signup")]
    Task<SignupResult> Signup(SignupCommand command);

    /// <summary>Checks a password. Unknown address and wrong password cost the same work and give the same answer.</summary>
    [Alias("Login")]
    Task<LoginResult> Login(string password);

    /// <summary>Frees the address when its user is removed from their tenant.</summary>
    [Alias("Release")]
    Task Release(string userId);

    /// <summary>The user behind this address, if the account is complete.</summary>
    [Alias("FindUser")]
    Task<string?> FindUser();
}
