using System.Security.Cryptography;
using System.Text;

namespace Ipto.Grains.Webhooks;

/// <summary>
/// Standard Webhooks signing: a secret is <c>whsec_</c> + base64 of the key; a signature is
/// <c>v1,</c> + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), and several are sent space-separated.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    public const string Version = "v1";

    public static string FormatSecret(ReadOnlySpan<byte> key) => SecretPrefix + Convert.ToBase64String(key);

    public static byte[] KeyOf(string secret) => Convert.FromBase64String(secret[SecretPrefix.Length..]);

    public static string Sign(string secret, string eventId, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(FormattableString.Invariant($"{eventId}.{timestamp}."));
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return $"{Version},{Convert.ToBase64String(HMACSHA256.HashData(KeyOf(secret), content))}";
    }

    /// <summary>The <c>webhook-signature</c> header: one signature per secret that still signs.</summary>
    public static string Header(IEnumerable<string> secrets, string eventId, long timestamp, ReadOnlySpan<byte> body)
    {
        var signatures = new List<string>();
        foreach (var secret in secrets) signatures.Add(Sign(secret, eventId, timestamp, body));
        return string.Join(' ', signatures);
    }
}
