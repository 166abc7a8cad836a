using Ipto.Identity;

namespace Ipto.Grains.Identity;

/// <summary>
/// A token bucket with sustained <see cref="Rate"/> per second and capacity <see cref="Burst"/>, driven by an explicit
/// clock so it is exact in tests. It lives inside the grain that authenticates a credential, so the limit holds
/// cluster-wide.
/// </summary>
public sealed class TokenBucket(double rate, double burst, DateTimeOffset now)
{
    private double _tokens = burst;
    private DateTimeOffset _updated = now;

    public double Rate { get; } = rate;
    public double Burst { get; } = burst;

    public RateDecision Take(DateTimeOffset now)
    {
        Refill(now);
        var allowed = _tokens >= 1;
        if (allowed) _tokens -= 1;
        var secondsToFull = (Burst - _tokens) / Rate;
        var reset = now.AddSeconds(secondsToFull).ToUnixTimeSeconds() + (secondsToFull > 0 ? 1 : 0);
        var retryAfter = allowed ? 0 : (int)Math.Ceiling((1 - _tokens) / Rate);
        return new RateDecision(allowed, (long)Burst, (long)Math.Floor(_tokens), reset, Math.Max(retryAfter, allowed ? 0 : 1));
    }

    private void Refill(DateTimeOffset now)
    {
        if (now <= _updated) return;
        _tokens = Math.Min(Burst, _tokens + (now - _updated).TotalSeconds * Rate);
        _updated = now;
    }
}
