using System.Security.Cryptography;
using System.Text;
using Ipto.Common;
using Ipto.Grains.Identity;
using Ipto.Idempotency;

namespace Ipto.Api.Http.Idempotency;

/// <summary>
/// Ids and secrets of the resources a request creates. Under an Idempotency-Key they derive from the key's durable
/// seed (ids: the first attempt's time, then an HMAC of the seed per prefix and position; secrets: an HMAC under a
/// key that also needs the Idempotency-Key), so every attempt asks the resource's grain for the same resource;
/// without a key they are new and random.
/// </summary>
public static class ResourceIds
{
    private static readonly object Key = new();

    internal static void Use(HttpContext http, IdempotentIdSeed seed, byte[] secretKey) => http.Items[Key] = new Source(seed, secretKey);

    /// <summary>Whether the request runs under an Idempotency-Key (its ids and secrets derive from the key's seed).</summary>
    public static bool IsIdempotent(this HttpContext http) => http.Items.ContainsKey(Key);

    /// <summary>Whether an earlier attempt under this Idempotency-Key began and left no answer, so it may have run.</summary>
    public static bool EarlierAttemptBegan(this HttpContext http) =>
        http.Items.TryGetValue(Key, out var value) && value is Source { EarlierAttemptBegan: true };

    public static string NewId(this HttpContext http, string prefix) =>
        http.Items.TryGetValue(Key, out var value) && value is Source source ? source.NextId(prefix) : Ids.New(prefix);

    /// <summary>A secret of <paramref name="length"/> characters over <paramref name="alphabet"/>; <paramref name="purpose"/> tells the secrets of one request apart.</summary>
    public static string NewSecret(this HttpContext http, string purpose, string alphabet, int length) =>
        http.Items.TryGetValue(Key, out var value) && value is Source source
            ? source.NextSecret(purpose, alphabet, length)
            : SecretTokens.RandomString(alphabet, length);

    private sealed class Source(IdempotentIdSeed seed, byte[] secretKey)
    {
        private readonly Dictionary<string, int> _issued = new(StringComparer.Ordinal);

        public bool EarlierAttemptBegan => seed.EarlierAttemptBegan;

        public string NextId(string prefix)
        {
            var random = HMACSHA256.HashData(seed.Seed, Encoding.UTF8.GetBytes($"{prefix}:{Next("id:" + prefix)}"));
            return Ids.Derived(prefix, seed.FirstStartedAt, random);
        }

        public string NextSecret(string purpose, string alphabet, int length) =>
            SecretTokens.Derived(secretKey, $"{purpose}:{Next("secret:" + purpose)}", alphabet, length);

        private int Next(string counter)
        {
            var position = _issued.GetValueOrDefault(counter);
            _issued[counter] = position + 1;
            return position;
        }
    }
}
