using System.Security.Cryptography;
using System.Text;

namespace Ipto.Identity;

/// <summary>Random secrets (session tokens, API key parts, invitation tokens) and the hashes stored in their place.</summary>
public static class SecretTokens
{
    public const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public const string LowerAlphanumeric = "0123456789abcdefghijklmnopqrstuvwxyz";

    public const string SessionPrefix = "sess_";

    /// <summary>A session token: <c>sess_</c> + 43 base62 characters (256 bits of randomness).</summary>
    public static string NewSessionToken() => SessionPrefix + RandomString(Base62, 43);

    /// <summary>A uniformly random string over <paramref name="alphabet"/> (rejection sampling, no modulo bias).</summary>
    public static string RandomString(string alphabet, int length) => RandomNumberGenerator.GetString(alphabet, length);

    public static string RandomBase62(int length) => RandomString(Base62, length);

    /// <summary>
    /// A string over <paramref name="alphabet"/> determined by <paramref name="key"/> and <paramref name="label"/>:
    /// HMAC-SHA256 in counter mode, bytes beyond the largest multiple of the alphabet's size rejected (no modulo bias).
    /// As unpredictable as the key is secret.
    /// </summary>
    public static string Derived(ReadOnlySpan<byte> key, string label, string alphabet, int length)
    {
        var limit = 256 - 256 % alphabet.Length;
        var result = new char[length];
        var filled = 0;
        Span<byte> block = stackalloc byte[32];
        for (var counter = 0; filled < length; counter++)
        {
            HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{label}\n{counter}"), block);
            foreach (var b in block)
            {
                if (b >= limit) continue;
                result[filled++] = alphabet[b % alphabet.Length];
                if (filled == length) break;
            }
        }

        return new string(result);
    }

    public static string RandomLowerAlphanumeric(int length) => RandomString(LowerAlphanumeric, length);

    /// <summary>SHA-256 hex of a high-entropy secret: enough for tokens (not for passwords).</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool HashEquals(string secret, string expectedHash)
    {
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        byte[] expected;
        try
        {
            expected = Convert.FromHexString(expectedHash);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    public static bool IsBase62(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
            if (!char.IsAsciiLetterOrDigit(c)) return false;
        return true;
    }
}
