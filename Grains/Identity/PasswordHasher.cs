using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ipto.Grains.Identity;

/// <summary>
/// PBKDF2-HMAC-SHA256 password hashes in a self-describing format, <c>pbkdf2-sha256$iterations$salt$hash</c>
/// (base64), so the work factor can be raised later: a hash made with fewer iterations than configured verifies
/// and reports that it needs a rehash.
/// </summary>
public sealed class PasswordHasher(int iterations)
{
    public const string Algorithm = "pbkdf2-sha256";
    public const int DefaultIterations = 600_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public int Iterations { get; } = iterations >= 1 ? iterations : throw new ArgumentOutOfRangeException(nameof(iterations));

    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Algorithm, Iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Checks a password in constant time with respect to where the hashes differ.</summary>
    public PasswordCheck Verify(string password, string encoded)
    {
        var parts = encoded.Split('$');
        if (parts.Length != 4 || parts[0] != Algorithm
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var rounds) || rounds < 1)
            return PasswordCheck.Mismatch;
        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return PasswordCheck.Mismatch;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, rounds, HashAlgorithmName.SHA256, expected.Length);
        if (!CryptographicOperations.FixedTimeEquals(actual, expected)) return PasswordCheck.Mismatch;
        return rounds < Iterations ? PasswordCheck.MatchNeedsRehash : PasswordCheck.Match;
    }

    /// <summary>Spends the same work as a real verification, for logins of unknown emails.</summary>
    public void VerifyNothing(string password) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), new byte[SaltBytes], Iterations, HashAlgorithmName.SHA256, HashBytes);
}

public enum PasswordCheck
{
    Mismatch = 0,
    Match = 1,
    MatchNeedsRehash = 2,
}
