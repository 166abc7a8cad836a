using Ipto.Identity;

namespace Ipto.Grains.Identity;

/// <summary>
/// A token bucket with sustained <see cref="Rate"/> per second and capacity <see cref="Burst"/>, driven by an explicit
/// clock so it is exact in tests. It lives inside the grain that authenticates a credential, so the limit holds
/// cluster-wide; nodes spend tokens leased from it in batches (<see cref="LeaseHolders"/>).
/// </summary>
public sealed class TokenBucket(double rate, double burst, DateTimeOffset now)
{
    private double _tokens = burst;
    private DateTimeOffset _updated = now;

    public double Rate { get; } = rate;
    public double Burst { get; } = burst;

    public RateDecision Take(DateTimeOffset now) => TakeUpTo(1, now).Decision;

    /// <summary>Up to <paramref name="wanted"/> whole tokens, and how long until the next one when none was left.</summary>
    public (int Taken, RateDecision Decision, TimeSpan NextToken) TakeUpTo(int wanted, DateTimeOffset now)
    {
        Refill(now);
        var taken = (int)Math.Min(wanted, Math.Floor(_tokens));
        if (taken > 0) _tokens -= taken;
        var allowed = taken > 0;
        var secondsToFull = (Burst - _tokens) / Rate;
        var reset = now.AddSeconds(secondsToFull).ToUnixTimeSeconds() + (secondsToFull > 0 ? 1 : 0);
        var secondsToNext = allowed ? 0 : (1 - _tokens) / Rate;
        var retryAfter = allowed ? 0 : Math.Max(1, (int)Math.Ceiling(secondsToNext));
        var decision = new RateDecision(allowed, (long)Burst, (long)Math.Floor(_tokens), reset, retryAfter);
        return (taken, decision, TimeSpan.FromSeconds(secondsToNext));
    }

    private void Refill(DateTimeOffset now)
    {
        if (now <= _updated) return;
        _tokens = Math.Min(Burst, _tokens + (now - _updated).TotalSeconds * Rate);
        _updated = now;
    }
}
