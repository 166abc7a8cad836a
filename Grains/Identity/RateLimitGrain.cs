using Ipto.Identity;

namespace Ipto.Grains.Identity;

/// <summary>An in-memory token bucket per key (e.g. a client IP); one activation in the cluster makes it cluster-wide.</summary>
public sealed class RateLimitGrain(TimeProvider time) : Grain, IRateLimitGrain
{
    private TokenBucket? _bucket;

    public Task<RateDecision> Take(double ratePerSecond, double burst)
    {
        var now = time.GetUtcNow();
        if (_bucket is null || _bucket.Rate != ratePerSecond || _bucket.Burst != burst) _bucket = new TokenBucket(ratePerSecond, burst, now);
        return Task.FromResult(_bucket.Take(now));
    }
}
