using Ipto.Idempotency;

namespace Ipto.Api.Http.Idempotency;

/// <summary>
/// What the grains that create resources derive ids and secrets from: under an Idempotency-Key the key's
/// <see cref="CreationSeed"/>, so every attempt creates the same resource; without one they are new and random.
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

    private static Source? SourceOf(HttpContext http) => http.Items.TryGetValue(Key, out var value) ? value as Source : null;

    private sealed record Source(CreationSeed Seed, bool EarlierAttemptBegan);
}
