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
    [property: Id(2)] Guid LeaseId);
