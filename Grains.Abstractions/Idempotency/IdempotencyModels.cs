namespace Ipto.Idempotency;

/// <summary>A response kept for replay. The body is encrypted with a key only the client's Idempotency-Key can derive.</summary>
[GenerateSerializer, Alias("Ipto.StoredResponse")]
public sealed record StoredResponse(
    [property: Id(0)] int StatusCode,
    [property: Id(1)] string? ContentType,
    [property: Id(2)] string? Location,
    [property: Id(3)] byte[] EncryptedBody);

public enum IdempotencyOutcome
{
    Started = 0,
    InProgress = 1,
    KeyReused = 2,
    Replay = 3,
}

[GenerateSerializer, Alias("Ipto.IdempotencyDecision")]
public sealed record IdempotencyDecision(
    [property: Id(0)] IdempotencyOutcome Outcome,
    [property: Id(1)] StoredResponse? Response,
    [property: Id(2)] Guid LeaseId,
    [property: Id(3)] IdempotentIdSeed? IdSeed = null);

/// <summary>
/// What every attempt under one Idempotency-Key derives its new resource ids from, kept durably from the first
/// attempt on: a retry after a failure whose outcome is unknown (a 5xx, a timeout) creates the same ids again, so the
/// resource's grain sees the first attempt's resource instead of making a second one.
/// </summary>
/// <remarks><see cref="EarlierAttemptBegan"/>: an attempt before this one started and left no response, so it may have run.</remarks>
[GenerateSerializer, Alias("Ipto.IdempotentIdSeed")]
public sealed record IdempotentIdSeed(
    [property: Id(0)] DateTimeOffset FirstStartedAt,
    [property: Id(1)] byte[] Seed,
    [property: Id(2)] bool EarlierAttemptBegan = false);

/// <summary>
/// What a grain that creates resources under an Idempotency-Key derives their ids and secrets from: the key's durable
/// seed and first-attempt time, and a secret key that needs the Idempotency-Key itself (never stored), so every attempt
/// creates the same resources and secrets.
/// </summary>
[GenerateSerializer, Alias("Ipto.CreationSeed")]
public sealed record CreationSeed(
    [property: Id(0)] DateTimeOffset FirstStartedAt,
    [property: Id(1)] byte[] IdSeed,
    [property: Id(2)] byte[] SecretKey)
{
    /// <summary>
    /// The seed of item <paramref name="index"/> of a batch sent under one Idempotency-Key (<c>POST /v1/uploads/batch</c>):
    /// every attempt gives each item the same ids and secrets, and no two items the same ones.
    /// </summary>
    public CreationSeed ForItem(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var label = System.Text.Encoding.UTF8.GetBytes($"batch-item:{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return new CreationSeed(FirstStartedAt, System.Security.Cryptography.HMACSHA256.HashData(IdSeed, label),
            System.Security.Cryptography.HMACSHA256.HashData(SecretKey, label));
    }
}
