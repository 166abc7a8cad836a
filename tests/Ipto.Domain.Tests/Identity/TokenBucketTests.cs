using Ipto.Grains.Identity;

namespace Ipto.Domain.Tests.Identity;

public sealed class TokenBucketTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-04-05T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void BurstIsAvailableAtOnceThenRefusedWithRetryAfter()
    {
        var bucket = new TokenBucket(rate: 2, burst: 4, Start);

        var decisions = Enumerable.Range(0, 5).Select(_ => bucket.Take(Start)).ToArray();

        Assert.All(decisions.Take(4), d => Assert.True(d.Allowed));
        Assert.Equal([3L, 2L, 1L, 0L], decisions.Take(4).Select(d => d.Remaining));
        Assert.False(decisions[4].Allowed);
        Assert.Equal(1, decisions[4].RetryAfterSeconds);
        Assert.Equal(4, decisions[4].Limit);
    }

    [Fact]
    public void TokensRefillAtTheSustainedRate()
    {
        var bucket = new TokenBucket(rate: 2, burst: 4, Start);
        for (var i = 0; i < 4; i++) bucket.Take(Start);

        Assert.False(bucket.Take(Start.AddMilliseconds(400)).Allowed);
        Assert.True(bucket.Take(Start.AddMilliseconds(500)).Allowed);
        Assert.False(bucket.Take(Start.AddMilliseconds(500)).Allowed);
    }

    [Fact]
    public void RefillNeverExceedsTheBurst()
    {
        var bucket = new TokenBucket(rate: 100, burst: 200, Start);

        var decision = bucket.Take(Start.AddHours(1));

        Assert.Equal(199, decision.Remaining);
    }

    [Fact]
    public void ResetIsWhenTheBucketIsFullAgain()
    {
        var bucket = new TokenBucket(rate: 1, burst: 2, Start);

        var decision = bucket.Take(Start);

        Assert.Equal(Start.ToUnixTimeSeconds() + 2, decision.ResetEpochSeconds);
    }
}
