using System.Security.Cryptography;
using System.Text;

namespace Ipto.Api.Http.Idempotency;

/// <summary>
/// The raw Idempotency-Key is never stored: the grain is keyed by a hash of (tenant, principal, key), and the kept
/// response is sealed with AES-GCM under a key derived from the same three, so only the client holding the
/// Idempotency-Key can have it replayed (this matters for responses that carry a secret, such as a new API key).
/// </summary>
public static class IdempotencyCrypto
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public static string GrainKey(string tenantId, string principalId, string idempotencyKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"ipto-idempotency-id\n{tenantId}\n{principalId}\n{idempotencyKey}")));

    public static string Fingerprint(string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{method}\n{pathAndQuery}\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static byte[] Seal(string tenantId, string principalId, string idempotencyKey, ReadOnlySpan<byte> plaintext)
    {
        var sealedBytes = new byte[NonceBytes + TagBytes + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(DeriveKey(tenantId, principalId, idempotencyKey), TagBytes);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceBytes + TagBytes), sealedBytes.AsSpan(NonceBytes, TagBytes));
        return sealedBytes;
    }

    /// <summary>The plaintext, or null when the sealed bytes were not made with this key.</summary>
    public static byte[]? Open(string tenantId, string principalId, string idempotencyKey, ReadOnlySpan<byte> sealedBytes)
    {
        if (sealedBytes.Length < NonceBytes + TagBytes) return null;
        var plaintext = new byte[sealedBytes.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(DeriveKey(tenantId, principalId, idempotencyKey), TagBytes);
        try
        {
            aes.Decrypt(sealedBytes[..NonceBytes], sealedBytes[(NonceBytes + TagBytes)..], sealedBytes.Slice(NonceBytes, TagBytes), plaintext);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    /// <summary>
    /// The key from which every attempt under one Idempotency-Key derives the same secrets (a new API key, an
    /// invitation token). It needs the Idempotency-Key itself, which is never stored, so the stored seed alone does
    /// not reveal them.
    /// </summary>
    public static byte[] SecretKey(string tenantId, string principalId, string idempotencyKey, byte[] seed) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(idempotencyKey), 32,
            salt: seed, info: Encoding.UTF8.GetBytes($"ipto-idempotent-secrets\n{tenantId}\n{principalId}"));

    private static byte[] DeriveKey(string tenantId, string principalId, string idempotencyKey) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(idempotencyKey), 32,
            salt: Encoding.UTF8.GetBytes("ipto-idempotency-seal"), info: Encoding.UTF8.GetBytes($"{tenantId}\n{principalId}"));
}
