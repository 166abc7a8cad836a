namespace Ipto.Identity;

/// <summary>The outcome of taking a rate-limit token, with what the <c>X-RateLimit-*</c> headers report.</summary>
[GenerateSerializer, Alias("Ipto.RateDecision")]
public sealed record RateDecision(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] long Limit,
    [property: Id(2)] long Remaining,
    [property: Id(3)] long ResetEpochSeconds,
    [property: Id(4)] int RetryAfterSeconds);
