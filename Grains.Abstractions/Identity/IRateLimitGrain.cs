namespace Ipto.Identity;

/// <summary>A cluster-wide token bucket for a key such as a client IP.</summary>
[Alias("Ipto.IRateLimitGrain")]
public interface IRateLimitGrain : IGrainWithStringKey
{
    [Alias("Take")]
    Task<RateDecision> Take(double ratePerSecond, double burst);
}
