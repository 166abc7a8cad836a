using Ipto.Grains.Datasets;

namespace Ipto.Domain.Tests.Datasets;

public sealed class DemandCounterTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 28, 12, 30, 0, TimeSpan.Zero);

    [Fact]
    public void TheLastDayIsTheCurrentHourAndTheTwentyThreeBefore()
    {
        var buckets = new Dictionary<long, long>();
        DemandCounter.Count(buckets, Noon.AddHours(-23));
        DemandCounter.Count(buckets, Noon.AddHours(-1));
        DemandCounter.Count(buckets, Noon);
        DemandCounter.Count(buckets, Noon);

        Assert.Equal(4, DemandCounter.Last24h(buckets, Noon));
        Assert.Equal(3, DemandCounter.Last24h(buckets, Noon.AddHours(1))); // the oldest hour has left the window
        Assert.Equal(0, DemandCounter.Last24h(buckets, Noon.AddDays(2)));
    }

    [Fact]
    public void CountingDropsBucketsOlderThanADay()
    {
        var buckets = new Dictionary<long, long>();
        DemandCounter.Count(buckets, Noon.AddHours(-30));
        DemandCounter.Count(buckets, Noon.AddHours(-24));
        DemandCounter.Count(buckets, Noon);

        Assert.Equal([DemandCounter.HourOf(Noon)], buckets.Keys);
    }
}
