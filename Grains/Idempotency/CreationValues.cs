using Ipto.Identity;
using System.Security.Cryptography;
using System.Text;
using Ipto.Common;
using Ipto.Grains.Identity;
using Ipto.Idempotency;

namespace Ipto.Grains.Idempotency;

/// <summary>
/// The ids and secrets one request creates. From a <see cref="CreationSeed"/> they are derived (ids: the first
/// attempt's time, then an HMAC of the seed per prefix and position; secrets: an HMAC under the seed's secret key per
/// purpose and position), so every attempt under one Idempotency-Key creates the same ones; without a seed they are
/// new and random.
/// </summary>
public sealed class CreationValues(CreationSeed? seed)
{
    private readonly Dictionary<string, int> _issued = new(StringComparer.Ordinal);

    public string NewId(string prefix)
    {
        if (seed is null) return Ids.New(prefix);
        var random = HMACSHA256.HashData(seed.IdSeed, Encoding.UTF8.GetBytes($"{prefix}:{Next("id:" + prefix)}"));
        return Ids.Derived(prefix, seed.FirstStartedAt, random);
    }

    /// <summary>A secret of <paramref name="length"/> characters over <paramref name="alphabet"/>; <paramref name="purpose"/> tells one request's secrets apart.</summary>
    public string NewSecret(string purpose, string alphabet, int length) => seed is null
        ? SecretTokens.RandomString(alphabet, length)
        : SecretTokens.Derived(seed.SecretKey, $"{purpose}:{Next("secret:" + purpose)}", alphabet, length);

    /// <summary><paramref name="length"/> bytes of key material (at most 32); <paramref name="purpose"/> tells one request's keys apart.</summary>
    public byte[] NewKey(string purpose, int length = 32)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 32);
        return seed is null
            ? RandomNumberGenerator.GetBytes(length)
            : HMACSHA256.HashData(seed.SecretKey, Encoding.UTF8.GetBytes($"{purpose}:{Next("key:" + purpose)}"))[..length];
    }

    private int Next(string counter)
    {
        var position = _issued.GetValueOrDefault(counter);
        _issued[counter] = position + 1;
        return position;
    }
}
