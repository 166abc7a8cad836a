using Ipto.Idempotency;

namespace Ipto.Grains.Idempotency;

[GenerateSerializer, Alias("Ipto.IdempotencyState")]
public sealed class IdempotencyState
{
    [Id(0)] public string Fingerprint { get; set; } = "";
    [Id(1)] public StoredResponse? Response { get; set; }
    [Id(2)] public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When the first attempt under this key began: the time part of the ids it creates.</summary>
    [Id(3)] public DateTimeOffset FirstStartedAt { get; set; }

    /// <summary>Random bytes, fixed at the first attempt, from which every attempt derives the same resource ids.</summary>
    [Id(4)] public byte[] IdSeed { get; set; } = [];
}
