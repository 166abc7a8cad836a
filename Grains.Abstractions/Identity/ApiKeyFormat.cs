namespace Ipto.Identity;

/// <summary>API keys look like <c>ipto_{prefix}_{secret}</c>: 8 lowercase alphanumerics, then ≥ 32 base62 characters.</summary>
public static class ApiKeyFormat
{
    public const string Scheme = "ipto_";
    public const int PrefixLength = 8;
    public const int SecretLength = 40;
    public const int MinSecretLength = 32;

    public static (string Key, string Prefix, string Secret) New()
    {
        var prefix = SecretTokens.RandomLowerAlphanumeric(PrefixLength);
        var secret = SecretTokens.RandomBase62(SecretLength);
        return (Compose(prefix, secret), prefix, secret);
    }

    public static string Compose(string prefix, string secret) => $"{Scheme}{prefix}_{secret}";

    public static bool TryParse(string value, out string prefix, out string secret)
    {
        prefix = secret = "";
        if (!value.StartsWith(Scheme, StringComparison.Ordinal) || value.Length < Scheme.Length + PrefixLength + 1 + MinSecretLength || value.Length > 200)
            return false;
        var candidatePrefix = value.AsSpan(Scheme.Length, PrefixLength);
        if (value[Scheme.Length + PrefixLength] != '_') return false;
        foreach (var c in candidatePrefix)
            if (!(char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c))) return false;
        var candidateSecret = value.AsSpan(Scheme.Length + PrefixLength + 1);
        if (!SecretTokens.IsBase62(candidateSecret)) return false;
        prefix = candidatePrefix.ToString();
        secret = candidateSecret.ToString();
        return true;
    }
}
