using Ipto.Idempotency;

namespace Ipto.Grains.Idempotency;

[GenerateSerializer, Alias("Ipto.IdempotencyState")]
public sealed class IdempotencyState
{
    [Id(0)] public string Fingerprint { get; set; } = "";
    [Id(1)] public StoredResponse? Response { get; set; }
    [Id(2)] public DateTimeOffset ExpiresAt { get; set; }
}
