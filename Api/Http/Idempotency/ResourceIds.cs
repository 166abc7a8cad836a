using Ipto.Grains.Idempotency;
using Ipto.Idempotency;

namespace Ipto.Api.Http.Idempotency;

/// <summary>
/// The ids and secrets a request creates (<see cref="CreationValues"/>): under an Idempotency-Key derived from the
/// key's seed, so every attempt asks the resource's grain for the same resource; without one new and random. Grains
/// that mint ids themselves get the <see cref="CreationSeed"/>.
/// </summary>
public static class ResourceIds
{
    private static readonly object Key = new();

    internal static void Use(HttpContext http, IdempotentIdSeed seed, byte[] secretKey) =>
        http.Items[Key] = new Source(new CreationSeed(seed.FirstStartedAt, seed.Seed, secretKey), seed.EarlierAttemptBegan);

    /// <summary>Whether the request runs under an Idempotency-Key (its ids and secrets derive from the key's seed).</summary>
    public static bool IsIdempotent(this HttpContext http) => http.Items.ContainsKey(Key);

    /// <summary>Whether an earlier attempt under this Idempotency-Key began and left no answer, so it may have run.</summary>
    public static bool EarlierAttemptBegan(this HttpContext http) => SourceOf(http) is { EarlierAttemptBegan: true };

    /// <summary>The seed a creating grain derives from, or null without an Idempotency-Key.</summary>
    public static CreationSeed? CreationSeed(this HttpContext http) => SourceOf(http)?.Seed;

    public static string NewId(this HttpContext http, string prefix) => Values(http).NewId(prefix);

    private static CreationValues Values(HttpContext http) => SourceOf(http)?.Values ?? new CreationValues(null);

    private static Source? SourceOf(HttpContext http) => http.Items.TryGetValue(Key, out var value) ? value as Source : null;

    private sealed record Source(CreationSeed Seed, bool EarlierAttemptBegan)
    {
        public CreationValues Values { get; } = new(Seed);
    }
}
